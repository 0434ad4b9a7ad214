"""What the public reads of a statement: the Atom feed, the plain-text, PDF and JSON downloads, and the verification
page that checks the signatory list against the audit ledger (PoA 1A.5, 1A.6, 1A.10).

Every read starts from `policy.visible_to(request.user, Statement)`, so a draft, or a published statement still
under embargo, is not found by anyone who may not read it. Only published statements are served here, and the text
served is always the published freeze's version — the text members signed — never a later draft.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from coalition.core import checkpoints, policy
from coalition.core.access import access
from coalition.core.models import LedgerCheckpoint
from coalition.documents.models import paragraphs_of
from coalition.documents.services import render as render_markdown
from coalition.statements import services
from coalition.statements.models import Freeze, Response, Statement, Translation

FEED_ENTRIES = 50
SUMMARY_CHARACTERS = 400
# Characters XML 1.0 cannot carry (the feed would fail) and no reader wants in a PDF or a text file.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Reads, each from visible_to ---------------------------------------------------------------------------------


def published_statements(user: Any) -> QuerySet[Statement]:
    """Published statements `user` may read: the public ones past their embargo, and for members those under it."""
    return (
        policy.visible_to(user, Statement)
        .filter(published_freeze__isnull=False, published_at__isnull=False)
        .select_related("document", "about_country", "published_freeze__version")
    )


def published_statement(request: HttpRequest, slug: str) -> Statement:
    statement = published_statements(request.user).filter(slug=slug).first()
    if statement is None:
        raise Http404("No such published statement")
    return statement


@dataclass(frozen=True)
class Signatory:
    member: str
    signed_at: dt.datetime
    reservation: str
    late: bool  # joined after publication, on `signed_at`


def signatories(statement: Statement) -> list[Signatory]:
    """The members whose signature stands on the published text, by name (late joiners with their date)."""
    freeze = statement.published_freeze
    if freeze is None:
        return []
    rows = getattr(freeze, "signed_responses", None)  # prefetched by the API's list
    if rows is None:
        rows = list(
            Response.objects.filter(freeze=freeze, kind=Response.Kind.SIGNED)
            .select_related("organisation")
            .order_by("organisation__name")
        )
    return [Signatory(r.organisation.name, r.at, r.reservation, r.late) for r in rows]


@dataclass(frozen=True)
class LanguageVersion:
    language: str
    title: str
    text: str
    original: bool


def original_version(statement: Statement) -> LanguageVersion:
    freeze = statement.published_freeze
    assert freeze is not None  # only published statements reach here
    return LanguageVersion(settings.LANGUAGE_CODE, statement.title, freeze.version.text, original=True)


def language_versions(statement: Statement) -> list[LanguageVersion]:
    """The published original first, then its translations."""
    translations = Translation.objects.filter(statement=statement).order_by("language")
    return [original_version(statement)] + [LanguageVersion(t.language, t.title, t.text, False) for t in translations]


def _chosen_version(request: HttpRequest, statement: Statement) -> LanguageVersion:
    """`?lang=fr` picks a translation when there is one; otherwise the original."""
    wanted = request.GET.get("lang", "")
    if wanted and wanted != settings.LANGUAGE_CODE and wanted in dict(settings.LANGUAGES):
        translation = Translation.objects.filter(statement=statement, language=wanted).first()
        if translation is not None:
            return LanguageVersion(translation.language, translation.title, translation.text, original=False)
    return original_version(statement)


# --- Small pieces ------------------------------------------------------------------------------------------------


def _clean(value: str) -> str:
    return _CONTROL.sub("", value)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees, without markup (for summaries): rendered inert, tags dropped."""
    words = html.unescape(strip_tags(render_markdown(markdown)))
    return _clean(" ".join(words.split()))


def summary(markdown: str, limit: int = SUMMARY_CHARACTERS) -> str:
    text = plain_text(markdown)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _utc(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def _when(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%d %B %Y, %H:%M} UTC"


def _kind_line(statement: Statement) -> str:
    kind = str(statement.get_kind_display())
    return f"{kind} — {statement.about_country.name}" if statement.about_country else kind


def _procedure_note(statement: Statement) -> str:
    freeze = statement.published_freeze
    if freeze is not None and freeze.mode == Freeze.Mode.SILENCE and freeze.outcome == Freeze.Outcome.ADOPTED:
        return _("Adopted under silence procedure: no member objected by the deadline.")
    return ""


def _private(response: HttpResponse) -> HttpResponse:
    """Whether a statement can be read depends on who asks and when (the embargo): no shared cache may keep it."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def _url(request: HttpRequest, name: str, statement: Statement) -> str:
    return request.build_absolute_uri(reverse(name, args=[statement.slug]))


# --- The feed ----------------------------------------------------------------------------------------------------


CHECKPOINT_NAMESPACE = "https://c2sp.org/tlog-checkpoint"


class _PlainSummaryFeed(Atom1Feed):
    """Atom 1.0 whose summaries are plain text (`type="text"`), so no feed reader treats them as markup; the feed
    carries the audit ledger's latest signed checkpoint (`<ledger:checkpoint>`, linked as `related`), so whoever
    follows the feed keeps a record of the ledger that later checkpoints must be consistent with."""

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:ledger": CHECKPOINT_NAMESPACE}

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)
        if self.feed.get("checkpoint_url"):
            handler.addQuickElement("link", "", {"rel": "related", "href": self.feed["checkpoint_url"]})
        if self.feed.get("checkpoint"):
            handler.addQuickElement("ledger:checkpoint", self.feed["checkpoint"])

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


@access("statements.view")
def feed(request: HttpRequest) -> HttpResponse:
    """Atom feed of the published statements the caller may read, newest first, with their signatory counts."""
    statements = published_statements(request.user).annotate(
        signatory_count=Count(
            "published_freeze__responses", filter=Q(published_freeze__responses__kind=Response.Kind.SIGNED)
        )
    )
    index = request.build_absolute_uri(reverse("statements:index"))
    checkpoint = checkpoints.latest()
    feed_url = request.build_absolute_uri(reverse("statements:feed"))
    atom = _PlainSummaryFeed(
        title=_("Coalition statements"),
        link=index,
        description=_("Statements published by the coalition and its members."),
        feed_url=feed_url,
        feed_guid=feed_url,
        language=settings.LANGUAGE_CODE,
        checkpoint=checkpoint.note if checkpoint else "",
        checkpoint_url=request.build_absolute_uri(reverse("core:checkpoints")),
    )
    for statement in statements.order_by("-published_at", "-pk")[:FEED_ENTRIES]:
        freeze = statement.published_freeze
        assert freeze is not None
        permalink = _url(request, "statements:statement", statement)
        count = statement.signatory_count
        signed = _("Signatories: %(count)d.") % {"count": count}
        atom.add_item(
            title=_clean(statement.title),
            link=permalink,
            unique_id=permalink,
            description=f"{summary(freeze.version.text)}\n\n{signed}",
            pubdate=statement.published_at,
            updateddate=statement.published_at,
            categories=[str(statement.get_kind_display())],
        )
    response = HttpResponse(content_type=atom.content_type)
    atom.write(response, "utf-8")
    return _private(response)


# --- Downloads ---------------------------------------------------------------------------------------------------


@access("statements.view")
def text(request: HttpRequest, slug: str) -> HttpResponse:
    """The published text as plain text: the Markdown members signed, then its signatories."""
    statement = published_statement(request, slug)
    freeze = statement.published_freeze
    assert freeze is not None and statement.published_at is not None
    chosen = _chosen_version(request, statement)
    lines = [
        chosen.title,
        "=" * min(len(chosen.title), 72),
        "",
        _kind_line(statement),
        f"{_('Published')}: {_when(statement.published_at)}",
        f"{_('Permalink')}: {_url(request, 'statements:statement', statement)}",
        f"{_('Content hash of the signed text (SHA-256)')}: {freeze.content_hash}",
    ]
    if not chosen.original:
        lines.append(
            _("This is the %(language)s version; the text signed is the original, whose hash is above.")
            % {"language": dict(settings.LANGUAGES)[chosen.language]}
        )
    lines += ["", chosen.text, "", ""]
    named = signatories(statement)
    lines.append(f"{_('Signatories')} ({len(named)})")
    if _procedure_note(statement):
        lines.append(_procedure_note(statement))
    for signatory in named:
        line = f"- {signatory.member}"
        if signatory.late:
            line += f" ({_('joined after publication on')} {_when(signatory.signed_at)})"
        if signatory.reservation:
            line += f"\n  {_('Reservation')}: {signatory.reservation}"
        lines.append(line)
    lines += ["", f"{_('Verification')}: {_url(request, 'statements:verify', statement)}", ""]
    response = HttpResponse(_clean("\n".join(lines)), content_type="text/plain; charset=utf-8")
    response["Content-Language"] = chosen.language
    response["Content-Disposition"] = f'inline; filename="{statement.slug}.txt"'
    return _private(response)


def _pdf_text(value: Any) -> str:
    """Text for a ReportLab Paragraph: escaped, so nothing in a statement can be markup (an <img> would read a
    file from the server), its line breaks kept."""
    return escape(_clean(str(value))).replace("\n", "<br/>")


def render_pdf(request: HttpRequest, statement: Statement, chosen: LanguageVersion) -> bytes:
    """The statement as a PDF in standard fonts (extractable text, small file): title, facts, the text's
    paragraphs, then the signatories."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    freeze = statement.published_freeze
    assert freeze is not None and statement.published_at is not None
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("StatementTitle", parent=base["Title"], fontSize=20, leading=25, alignment=0),
        "body": base["BodyText"],
        "h2": ParagraphStyle("Heading", parent=base["Heading2"], fontSize=13, leading=16, keepWithNext=1),
        "small": ParagraphStyle("Small", parent=base["BodyText"], fontSize=8.5, leading=11),
        "item": ParagraphStyle("Item", parent=base["BodyText"], fontSize=10, leading=13, leftIndent=10),
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_clean(chosen.title),
        author="Coalition",
        creator="Coalition",
        lang=chosen.language,
    )
    story: list[Any] = [
        Paragraph(_pdf_text(chosen.title), styles["title"]),
        Paragraph(_pdf_text(_kind_line(statement)), styles["small"]),
        Paragraph(_pdf_text(f"{_('Published')}: {_when(statement.published_at)}"), styles["small"]),
        Spacer(1, 12),
    ]
    story += [Paragraph(_pdf_text(paragraph), styles["body"]) for paragraph in paragraphs_of(chosen.text)]
    named = signatories(statement)
    story.append(Paragraph(_pdf_text(f"{_('Signatories')} ({len(named)})"), styles["h2"]))
    if _procedure_note(statement):
        story.append(Paragraph(_pdf_text(_procedure_note(statement)), styles["body"]))
    for signatory in named:
        line = _pdf_text(signatory.member)
        if signatory.late:
            line += " " + _pdf_text(f"({_('joined after publication on')} {_when(signatory.signed_at)})")
        if signatory.reservation:
            line += f"<br/><i>{_pdf_text(_('Reservation'))}:</i> {_pdf_text(signatory.reservation)}"
        story.append(Paragraph(line, styles["item"]))
    story += [
        Spacer(1, 12),
        Paragraph(
            _pdf_text(f"{_('Content hash of the signed text (SHA-256)')}: {freeze.content_hash}"), styles["small"]
        ),
        Paragraph(_pdf_text(f"{_('Verification')}: {_url(request, 'statements:verify', statement)}"), styles["small"]),
    ]
    if not chosen.original:
        story.append(
            Paragraph(
                _pdf_text(_("This is a translation; the text signed is the original, whose hash is above.")),
                styles["small"],
            )
        )
    document.build(story)
    return buffer.getvalue()


@access("statements.view")
def pdf(request: HttpRequest, slug: str) -> HttpResponse:
    statement = published_statement(request, slug)
    chosen = _chosen_version(request, statement)
    response = HttpResponse(render_pdf(request, statement, chosen), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.slug}.pdf"'
    response["Content-Language"] = chosen.language
    return _private(response)


def statement_json(request: HttpRequest, statement: Statement) -> dict[str, Any]:
    """Everything public about a published statement, for machines: the signed text, its language versions,
    signatories, and where to verify them."""
    freeze = statement.published_freeze
    assert freeze is not None
    original = original_version(statement)
    text_url = _url(request, "statements:text", statement)
    return {
        "slug": statement.slug,
        "title": statement.title,
        "kind": statement.kind,
        "country": (
            {"code": statement.about_country.code, "name": statement.about_country.name}
            if statement.about_country
            else None
        ),
        "published_at": _utc(statement.published_at),
        "procedure": freeze.mode,
        "outcome": freeze.outcome,
        "content_hash": freeze.content_hash,
        "language": original.language,
        "text": original.text,
        "language_versions": [
            {
                "language": version.language,
                "title": version.title,
                "text": version.text,
                "original": version.original,
                "url": text_url if version.original else f"{text_url}?lang={version.language}",
            }
            for version in language_versions(statement)
        ],
        "signatories": [
            {
                "member": signatory.member,
                "signed_at": _utc(signatory.signed_at),
                "reservation": signatory.reservation,
                "late": signatory.late,
            }
            for signatory in signatories(statement)
        ],
        "permalink": _url(request, "statements:statement", statement),
        "verification_url": _url(request, "statements:verify", statement),
        "verification_api_url": request.build_absolute_uri(
            reverse("statement-verification-list", kwargs={"slug": statement.slug})
        ),
    }


@access("statements.view")
def json(request: HttpRequest, slug: str) -> HttpResponse:
    statement = published_statement(request, slug)
    response = JsonResponse(statement_json(request, statement), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'inline; filename="{statement.slug}.json"'
    return _private(response)


# --- Verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicVerification:
    """What the public sees of `services.verify`: the signatures (and any response whose record no longer matches
    the ledger), while a member's objection or withdrawn signature is counted, not named."""

    result: services.Verification
    shown: list[services.VerifiedResponse]
    others_checked: int

    @property
    def ok(self) -> bool:
        return self.result.ok


def public_verification(statement: Statement) -> PublicVerification:
    result = services.verify(statement)
    shown = [r for r in result.responses if r.kind == Response.Kind.SIGNED or not r.matches]
    return PublicVerification(result, shown, len(result.responses) - len(shown))


def _checkpoint_json(request: HttpRequest, checkpoint: LedgerCheckpoint | None) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    return {
        "note": checkpoint.note,
        "size": checkpoint.size,
        "issued_at": _utc(checkpoint.issued_at),
        "verifier_key": checkpoints.verifier_key(),
        "url": request.build_absolute_uri(reverse("core:checkpoint")),
    }


def verification_json(request: HttpRequest, statement: Statement, verification: PublicVerification) -> dict[str, Any]:
    result = verification.result
    return {
        "slug": statement.slug,
        "title": statement.title,
        "verified": result.ok,
        "checked_at": _utc(timezone.now()),
        "content_hash": result.content_hash,
        "chain_intact": result.chain_ok,
        "chain_problem": result.chain_reason,
        "problems": result.problems,
        "signatories": [
            {
                "member": response.organisation,
                "response": response.kind,
                "late": response.late,
                "reservation": response.reservation,
                "at": _utc(response.at),
                "ledger_event": response.ledger_seq,
                "ledger_hash": response.ledger_hash,
                "record_matches_ledger": response.matches,
                "inclusion": response.inclusion.as_json() if response.inclusion else None,
            }
            for response in verification.shown
        ],
        "checkpoint": _checkpoint_json(request, result.checkpoint),
        "publication": result.publication.as_json() if result.publication else None,
        "events_after_checkpoint": result.pending,
        "other_responses_checked": verification.others_checked,
        "verification_url": _url(request, "statements:verify", statement),
    }


@access("statements.verify")
def verify(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone may check a published statement's signatory list against the audit ledger and its signed checkpoint."""
    statement = published_statement(request, slug)
    verification = public_verification(statement)
    context = {
        "statement": statement,
        "verification": verification,
        "result": verification.result,
        "checked_at": timezone.now(),
    }
    return _private(render(request, "statements/public/verify.html", context))
