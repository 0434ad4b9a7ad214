"""Statements pages for members and managers: drafting, freezing a text for sign-on, each member's response, the
decision at the deadline, publication under embargo and translations (PoA 1A.5, 1A.6, 1A.10). A published statement
is read by everyone else at the same address, in its public layout.

Who may respond for a member is the service's question (`statements.sign`): its refusal is a 403 page with its
message.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import page_cache, policy
from coalition.core.access import access
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.directory.models import Organisation
from coalition.directory.queries import today, troika_on
from coalition.documents import services as documents
from coalition.documents.queries import paragraph_view
from coalition.statements import queries, services
from coalition.statements.forms import (
    MODE_EXPLAINED,
    FreezeForm,
    PublishForm,
    RespondForm,
    StatementForm,
    TranslationForm,
)
from coalition.statements.models import Freeze, Response, Statement, Translation
from coalition.statements.page_stamps import PUBLIC_PAGE
from coalition.statements.views.rows import ResponseRows, Row, state
from coalition.statements.views.rows import context_of as rows_context

FAST_TRACK_WINDOW = dt.timedelta(minutes=45)
DEFAULT_WINDOW_DAYS = 7
DEFAULT_DEADLINE_TIME = dt.time(17, 0)


def _statement(request: HttpRequest, slug: str) -> Statement:
    return get_object_or_404(queries.statements(request.user), slug=slug)


def _current(statement: Statement) -> Freeze | None:
    found = getattr(statement, "all_freezes", None)
    if found is not None:
        return next((freeze for freeze in found if freeze.superseded_at is None), None)
    return statement.current_freeze()


def _earlier(statement: Statement) -> list[Freeze]:
    """The superseded rounds, latest first (prefetched with the statement)."""
    found = getattr(statement, "all_freezes", None)
    if found is None:
        return list(statement.freezes.filter(superseded_at__isnull=False).order_by("-number"))
    return [freeze for freeze in found if freeze.superseded_at is not None]


def _is_government(user: Any) -> bool:
    return policy.actor_for(user).has(*policy.GOVERNMENTS)


def _host_zone(request: HttpRequest) -> str:
    """The zone a deadline is set in by default: the current Chair's capital, else the viewer's own."""
    chair = troika_on(today()).current
    country = chair.organisation.country if chair else None
    return (country.capital_tz if country else "") or getattr(request, "viewer_tz", "") or "UTC"


# --- The list ---------------------------------------------------------------------------------------------------


@access("statements.view")
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    found = queries.listed(request.user).order_by("-created_at", "-pk")
    rows = [Row(s, _current(s), state(s, _current(s), now)) for s in found]
    context = rows_context(rows, getattr(request, "viewer_tz", "UTC"), now)
    return render(
        request, "statements/index.html", {**context, "can_manage": policy.can(request.user, "statements.manage")}
    )


# --- Drafting ---------------------------------------------------------------------------------------------------


@access("statements.manage")
def new(request: HttpRequest) -> HttpResponse:
    form = StatementForm(
        request.POST if request.method == "POST" else None, user=request.user, initial={"kind": Statement.Kind.JOINT}
    )

    def act() -> Statement:
        data = form.cleaned_data
        return services.create_statement(
            by=request.user,
            title=data["title"],
            text=data["text"],
            kind=data["kind"],
            about_country=data["about_country"],
            situation=data["situation"],
            activities=data["activity_codes"],
            fast_track=data["fast_track"],
        )

    def done(made: Statement) -> HttpResponse:
        if made.fast_track:
            messages.success(request, _("Statement drafted. Fast track: freeze it now under silence procedure."))
        else:
            messages.success(request, _("Statement drafted."))
        return redirect(reverse("statements:statement", args=[made.slug]) + "#freeze")

    return submit(
        request,
        form,
        act,
        done=done,
        page=lambda status: render(request, "statements/new.html", {"form": form}, status=status),
        catching=InvalidInput,
    )


# --- A statement ------------------------------------------------------------------------------------------------


@dataclass
class MemberResponse:
    """One member asked to respond, and its response on the current text (None: no response yet)."""

    organisation: Organisation
    response: Response | None


@dataclass
class OwnMember:
    """A member the viewer is focal point for: its response, a signature on an earlier text that no longer counts,
    and the forms it may use now."""

    organisation: Organisation
    response: Response | None
    earlier: Response | None  # its signature on a superseded text, when it has not responded to this one
    forms: list[RespondForm] = field(default_factory=list)


def _freeze_form(request: HttpRequest, statement: Statement, freeze: Freeze | None) -> FreezeForm:
    zone = freeze.deadline_time_zone if freeze else _host_zone(request)
    local_now = timezone.now().astimezone(ZoneInfo(zone))
    if statement.fast_track:
        deadline = local_now + FAST_TRACK_WINDOW
        seconds = deadline.second + deadline.microsecond / 1e6
        deadline += dt.timedelta(seconds=math.ceil(seconds / 60) * 60 - seconds)  # the next whole minute
        mode: str = Freeze.Mode.SILENCE
    else:
        deadline = dt.datetime.combine(local_now.date() + dt.timedelta(days=DEFAULT_WINDOW_DAYS), DEFAULT_DEADLINE_TIME)
        mode = freeze.mode if freeze else Freeze.Mode.SIGN_ON
    return FreezeForm(
        initial={
            "deadline_on": deadline.date(),
            "deadline_time": deadline.time().replace(second=0, microsecond=0),
            "deadline_time_zone": zone,
            "mode": mode,
        }
    )


def _respond_forms(
    member: Organisation, response: Response | None, freeze: Freeze, *, published: bool
) -> list[RespondForm]:
    """The responses a member may give now: after publication only joining (a late signature)."""
    signed = response is not None and response.kind == Response.Kind.SIGNED
    if published:
        return [] if signed else [RespondForm(kind=Response.Kind.SIGNED, member=member, freeze=freeze)]
    kinds = []
    if not signed:
        kinds.append(Response.Kind.SIGNED)
    if response is None or response.kind != Response.Kind.OBJECTED:
        kinds.append(Response.Kind.OBJECTED)
    if signed:
        kinds.append(Response.Kind.WITHDRAWN)
    return [RespondForm(kind=kind, member=member, freeze=freeze) for kind in kinds]


def _own_members(
    request: HttpRequest, statement: Statement, freeze: Freeze, rows: list[MemberResponse], failed: RespondForm | None
) -> tuple[list[OwnMember], bool]:
    """The viewer's members among those asked, with their forms; True when the failed form found its place."""
    mine = policy.actor_for(request.user).focal_point_for
    if not mine:  # not a focal point: no member of theirs to respond for
        return [], False
    published = statement.published_at is not None and statement.published_freeze_id == freeze.pk
    asked = {row.organisation.pk for row in rows}
    own = [row for row in rows if row.organisation.pk in mine]
    if published and mine - asked:  # a member that joined the coalition since the freeze may join the published one
        newcomers = policy.visible_to(request.user, Organisation).filter(
            pk__in=mine - asked, kind=Organisation.Kind.GOVERNMENT
        )
        own += [MemberResponse(member, None) for member in newcomers.order_by("name")]
    if not own:
        return [], False
    earlier = {}
    if _earlier(statement):  # their signatures on superseded texts (a first round has none)
        for response in (
            Response.objects.filter(
                freeze__statement=statement,
                freeze__superseded_at__isnull=False,
                organisation__in=[row.organisation for row in own],
                kind=Response.Kind.SIGNED,
            )
            .select_related("freeze")
            .order_by("freeze__number")
        ):
            earlier[response.organisation_id] = response
    may_respond = published or freeze.is_open
    placed = False
    members = []
    for row in own:
        forms = _respond_forms(row.organisation, row.response, freeze, published=published) if may_respond else []
        if failed is not None:
            for i, form in enumerate(forms):
                if form.key == failed.key:
                    forms[i], placed = failed, True
        members.append(
            OwnMember(
                organisation=row.organisation,
                response=row.response,
                earlier=earlier.get(row.organisation.pk) if row.response is None else None,
                forms=forms,
            )
        )
    return members, placed


def _working_page(request: HttpRequest, statement: Statement, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The page members and managers work on: the text paragraph by paragraph, the frozen text and its deadline,
    each member's response, the viewer's own members' forms, and the manager's freeze, publish and translate. A form
    that was refused comes in `forms`, with its errors, in place of a fresh one."""
    freeze = _current(statement)  # a round past its deadline is the scheduler's to decide: the page only says so
    may = queries.WorkingPowers.of(request.user)
    text = _text_panel(request, statement, freeze)
    context: dict[str, Any] = {
        **text,
        **_responses_panel(request, statement, freeze, forms.get("respond_form")),
        "statement": statement,
        "freeze": freeze,
        "mode_explained": MODE_EXPLAINED.get(freeze.mode, "") if freeze else "",
        "earlier_freezes": _earlier(statement),
        "translations": _translations(statement, refused=forms),
        "published": statement.published_at is not None,
        "public_now": statement.is_public,
        "can_freeze": may.freeze,
        "can_manage": may.manage,
        "now": timezone.now(),
        **_freeze_panel(request, statement, freeze, may, text_changed=text["text_changed"], refused=forms),
        **_publish_panel(statement, freeze, may, refused=forms),
        **_translation_panel(statement, may, refused=forms),
    }
    return render(request, "statements/statement.html", context, status=status)


def _translations(statement: Statement, *, refused: dict[str, Any]) -> list[tuple[Translation, Any]]:
    """The language versions and their text, shown once the statement is published (or beside a refused translation
    form); none asked of the database before."""
    if statement.published_at is None and not refused.get("translation_form"):
        return []
    return [(t, documents.render(t.text)) for t in statement.translations.order_by("language")]


def _text_panel(request: HttpRequest, statement: Statement, freeze: Freeze | None) -> dict[str, Any]:
    """The text shown (the frozen one, else the latest draft), paragraph by paragraph, and whether it has changed."""
    document = statement.document
    latest = document.current_version()
    shown = freeze.version if freeze else latest
    assert shown is not None and latest is not None  # a statement's document always has its first version
    return {
        "document": document,
        "version": shown,
        "latest": latest,
        "text_changed": freeze is not None and freeze.content_hash != latest.content_hash,
        "activities": list(policy.visible_to(request.user, document.activities.all()).order_by("code")),
        "paragraphs": paragraph_view(request.user, document, shown),
    }


def _response_rows(freeze: Freeze | None) -> list[MemberResponse]:
    """Each member asked to respond to the round, then the members that joined after publication."""
    if freeze is None:
        return []
    responses = {r.organisation_id: r for r in freeze.responses.select_related("person", "organisation")}
    rows = [MemberResponse(member, responses.pop(member.pk, None)) for member in services.expected_members(freeze)]
    return rows + [MemberResponse(r.organisation, r) for r in responses.values()]


def _responses_panel(
    request: HttpRequest, statement: Statement, freeze: Freeze | None, failed: RespondForm | None
) -> dict[str, Any]:
    """The members' responses and counts, and the viewer's own members with their forms; a refused response form
    that has no place among them is shown on its own."""
    rows = _response_rows(freeze)
    own, placed = _own_members(request, statement, freeze, rows, failed) if freeze else ([], False)
    return {
        "rows": rows,
        "response_rows": ResponseRows(request.user, getattr(request, "viewer_tz", "UTC")).rows(rows),
        "counts": _counts(rows),
        "own": own,
        "respond_problem": failed if failed is not None and not placed else None,
    }


def _freeze_panel(
    request: HttpRequest,
    statement: Statement,
    freeze: Freeze | None,
    may: queries.WorkingPowers,
    *,
    text_changed: bool,
    refused: dict[str, Any],
) -> dict[str, Any]:
    # A new round for a changed text, or for the same text when nobody signed it; never over a publishable round.
    due = (
        may.freeze
        and statement.published_at is None
        and (freeze is None or text_changed or freeze.outcome == Freeze.Outcome.NOT_ADOPTED)
    )
    if not (due or refused.get("freeze_form")):
        return {}
    return {"freeze_form": refused.get("freeze_form") or _freeze_form(request, statement, freeze)}


def _publish_panel(
    statement: Statement, freeze: Freeze | None, may: queries.WorkingPowers, *, refused: dict[str, Any]
) -> dict[str, Any]:
    """The publish form while a decided round may be published, or one past its deadline that the scheduler has not
    decided yet (publishing decides it first, and says so if it cannot be published); a refused one that no longer
    fits is said alone."""
    ready = freeze is not None and (freeze.outcome in services.PUBLISHABLE or freeze.awaiting_decision)
    if may.manage and statement.published_at is None and freeze is not None and ready:
        initial = {"embargo_time_zone": freeze.deadline_time_zone}
        return {"publish_form": refused.get("publish_form") or PublishForm(initial=initial)}
    return {"publish_problem": refused["publish_form"]} if refused.get("publish_form") else {}


def _translation_panel(statement: Statement, may: queries.WorkingPowers, *, refused: dict[str, Any]) -> dict[str, Any]:
    """The translation form once published; a refused one that no longer fits is said alone."""
    if may.manage and statement.published_at is not None:
        return {"translation_form": refused.get("translation_form") or TranslationForm()}
    return {"translation_problem": refused["translation_form"]} if refused.get("translation_form") else {}


def _counts(rows: list[MemberResponse]) -> dict[str, int]:
    counts = {str(kind.label): 0 for kind in Response.Kind}
    counts[_("No response yet")] = 0
    for row in rows:
        counts[row.response.get_kind_display() if row.response else _("No response yet")] += 1
    return counts


def public_page_key(request: HttpRequest, row: tuple[Any, ...], slug: str) -> object:
    """What the public page kept for anonymous readers depends on: the statement's own row as the policy let this
    reader read it (round, classification, embargo time, title, kind, country: a change to any, even one made
    without the model's signals, gives a new key) and the statement's `page_cache.version`, which `page_stamps`
    bumps when its rounds, responses (a late signature) or translations (a corrected one) change. The language
    version chosen is in the path, which `core.page_cache` adds with the reader's language and time zone."""
    return (row, page_cache.version(PUBLIC_PAGE, slug))


def _public_context(request: HttpRequest, user: Any, slug: str) -> dict[str, Any]:
    """The public page's context, from the statement as published: the text (or a language version), its
    signatories with their reservations and late joiners with their date."""
    statement = get_object_or_404(queries.for_public_page(user), slug=slug)
    freeze = statement.published_freeze
    if freeze is None or not statement.is_public:
        raise Http404("No such statement")
    translations = list(statement.translations.order_by("language"))
    language = request.GET.get("lang", "")
    translation: Translation | None = next((t for t in translations if t.language == language), None)

    @functools.cache
    def signatories() -> list[Response]:
        return list(
            freeze.responses.filter(kind=Response.Kind.SIGNED)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    return {
        "statement": statement,
        "freeze": freeze,
        "translation": translation,
        "translations": translations,
        "title": translation.title if translation else statement.title,
        "text_html": lambda: documents.render(translation.text if translation else freeze.version.text),
        "signatories": lambda: [r for r in signatories() if not r.late],
        "late_joiners": lambda: [r for r in signatories() if r.late],
    }


def _public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What the public reads: the published text and its signatories, and the machine-readable forms.

    For anonymous readers (the publication spike) the whole page is kept rendered for
    PUBLIC_STATEMENT_CACHE_SECONDS (`core.page_cache`: each response gets its own CSRF token) under
    `public_page_key`: a hit reads one light row through the policy and the cache, nothing else; the text and
    signatories are worked out only on a miss. Only a statement already public (past its embargo) is kept.
    Signed-in readers never share it."""
    user = request.user
    if page_cache.shareable(request, settings.PUBLIC_STATEMENT_CACHE_SECONDS):
        row = queries.public_row(user, slug)
        if row is not None and Statement.public_now(row[0], row[1]):
            return page_cache.render_shared(
                request,
                "statements/published.html",
                lambda: _public_context(request, user, slug),
                name=PUBLIC_PAGE,
                key_parts=lambda: public_page_key(request, row, slug),
                seconds=settings.PUBLIC_STATEMENT_CACHE_SECONDS,
            )
    context = _public_context(request, user, slug)
    response = render(request, "statements/published.html", context)
    if not context["statement"].is_public:
        patch_cache_control(response, private=True, no_store=True)  # an embargoed text stays out of caches
    return response


@access("statements.view")
def statement(request: HttpRequest, slug: str) -> HttpResponse:
    if not _is_government(request.user):
        return _public_page(request, slug)
    found = _statement(request, slug)
    page = _working_page(request, found)
    if not found.is_public:
        patch_cache_control(page, private=True, no_store=True)  # drafts and embargoed texts stay out of caches
    return page


@require_POST
@access("statements.freeze")
def freeze(request: HttpRequest, slug: str) -> HttpResponse:
    found = _statement(request, slug)
    form = FreezeForm(request.POST)

    def act() -> None:
        services.freeze(
            statement=found,
            by=request.user,
            deadline=form.deadline(),
            deadline_time_zone=form.cleaned_data["deadline_time_zone"],
            mode=form.cleaned_data["mode"],
        )

    return submit(
        request,
        form,
        act,
        done=then_redirect(
            request,
            _("Text frozen: members are asked to respond by the deadline."),
            "statements:statement",
            slug=found.slug,
        ),
        page=lambda status: _working_page(request, _statement(request, slug), status=status, freeze_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("statements.view")
def respond(request: HttpRequest, slug: str) -> HttpResponse:
    """A focal point's response for one member; the service decides whether they may (403 with its message)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("statements:statement", args=[slug]))
    if not policy.can(request.user, "statements.sign"):
        # Before any form is read: a refused form re-renders the members' working page, which outsiders never see.
        raise AccessDenied(_("Only a member's focal point may sign, object or withdraw on its behalf."))
    found = _statement(request, slug)
    kind = request.POST.get("kind", "")
    form = RespondForm(request.POST, kind=kind if kind in Response.Kind.values else Response.Kind.SIGNED)

    def act() -> None:
        data = form.cleaned_data
        chosen = found.freezes.filter(pk=data["freeze"]).first()
        if chosen is None:
            raise InvalidInput(_("No such text of this statement."), field="freeze")
        member = policy.visible_to(request.user, Organisation).filter(pk=data["organisation"]).first()
        if member is None:
            raise InvalidInput(_("No such member."), field="organisation")
        services.respond(
            freeze=chosen,
            by=request.user,
            organisation=member,
            kind=data["kind"],
            reservation=data.get("reservation", ""),
            reason=data.get("reason", ""),
        )

    def done(_response: None) -> HttpResponse:
        said = {
            Response.Kind.SIGNED: _("Signature recorded."),
            Response.Kind.OBJECTED: _("Objection recorded."),
            Response.Kind.WITHDRAWN: _("Withdrawal recorded."),
        }
        messages.success(request, said[form.cleaned_data["kind"]])
        return redirect(reverse("statements:statement", args=[found.slug]) + "#respond")

    return submit(
        request,
        form,
        act,
        done=done,
        page=lambda status: _working_page(request, _statement(request, slug), status=status, respond_form=form),
        catching=InvalidInput,  # AccessDenied is not caught: the 403 page says who may respond
    )


@require_POST
@access("statements.manage")
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    found = _statement(request, slug)
    form = PublishForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.publish(statement=found, by=request.user, embargo_until=form.embargo_until()),
        done=then_redirect(request, _("Statement published."), "statements:statement", slug=found.slug),
        page=lambda status: _working_page(request, _statement(request, slug), status=status, publish_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("statements.manage")
def translate(request: HttpRequest, slug: str) -> HttpResponse:
    found = _statement(request, slug)
    form = TranslationForm(request.POST)

    def done(_translation: Any) -> HttpResponse:
        messages.success(request, _("Translation saved."))
        return redirect(reverse("statements:statement", args=[found.slug]) + "#translations")

    return submit(
        request,
        form,
        lambda: services.add_translation(statement=found, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _working_page(request, _statement(request, slug), status=status, translation_form=form),
        catching=InvalidInput,
    )
