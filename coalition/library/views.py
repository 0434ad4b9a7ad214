"""The agreed-language library's pages (PoA 1A.6, 1A.10): search with provenance, the sources, importing a text,
a paragraph's lineage across the library, and the drafting assistant.

Each view declares its rule; sources and paragraphs are read through `visibility.visible_sources` /
`visible_paragraphs` (404 when hidden), and everything else through `queries`, which filter by the same policy. Every
write is one service, whose error comes back on the form field it names, with nothing saved.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from coalition.core import policy, throttle
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import ServiceForm, submit, then_redirect
from coalition.directory.models import Organisation
from coalition.library import extract, queries, rows, services, tasks
from coalition.library.forms import AssistForm, ImportForm, SearchForm, SourcesFilterForm
from coalition.library.models import Paragraph, QueuedImport, ReuseRecord, Source
from coalition.library.visibility import visible_paragraphs, visible_sources, visible_sources_compiled

MAX_PAGE = 1000  # deeper than anyone reads; keeps the index's collector small
SOURCES_PER_PAGE = 50
PARAGRAPHS_PER_PAGE = 200
REUSE_SHOWN = 100

RELATIONS = {
    "earlier": gettext_lazy("Earlier"),
    "later": gettext_lazy("Later"),
    "same day": gettext_lazy("Same day"),
    "undated": gettext_lazy("Undated"),
    "this": gettext_lazy("This paragraph"),
}
REUSE_KINDS: dict[str, Any] = {"identical": gettext_lazy("Identical text"), **dict(ReuseRecord.Kind.choices)}
STATUSES = {
    "agreed": gettext_lazy("Agreed language"),
    "close": gettext_lazy("Close to agreed language"),
    "new": gettext_lazy("New"),
}


@dataclass(frozen=True)
class Provenance:
    """A source with the members that signed, sponsored or delivered it, as far as the viewer may see them."""

    source: Source
    signers: list[Organisation]


def _provenance(user: Any, source: Source) -> Provenance:
    signers = [org for org in source.endorsed_by.all() if policy.is_visible(user, org)]  # prefetched
    return Provenance(source, sorted(signers, key=lambda org: org.name))


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


# --- Search -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    result: queries.Result
    provenance: Provenance


@personal
@access("library.view")
def search(request: HttpRequest) -> HttpResponse:
    """A bad query or filter is a message at its field (the page still answers 200: it is a search, not a write)."""
    readable = visible_sources_compiled(request.user)  # the choices and the search: one filter, built once
    form = SearchForm(request.GET or None, user=request.user, sources=readable)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        try:
            query = form.cleaned_data["q"]
            results = queries.search(request.user, query, form.filters(), _page_number(request), readable)
        except InvalidInput as error:
            form.add_service_error(error)
        else:
            context["results"] = results
            context["first_number"] = (results.page - 1) * queries.PER_PAGE + 1
            if results.suggestion:  # the same search, filters kept, with the words corrected, from page one
                corrected = request.GET.copy()
                corrected["q"] = results.suggestion
                corrected.pop("page", None)
                context["suggestion_url"] = f"?{corrected.urlencode()}"
            provenances: dict[int, Provenance] = {}  # once per source: the results of a page often share one
            for result in results.results:
                if result.source.pk not in provenances:
                    provenances[result.source.pk] = _provenance(request.user, result.source)
            context["hits"] = [Hit(r, provenances[r.source.pk]) for r in results.results]
            context["hit_items"] = rows.hit_items(context["hits"], PARAGRAPHS_PER_PAGE)
    if "results" not in context and not form.errors:
        context["stats"] = {
            "sources": readable.count(),
            "paragraphs": visible_paragraphs(request.user).count(),
        }
    context["can_import"] = policy.can(request.user, "library.import")
    context["can_assist"] = policy.can(request.user, "library.assist")
    return render(request, "library/search.html", context)


# --- Sources ----------------------------------------------------------------------------------------------------


def _with_counts(user: Any, sources: QuerySet[Source]) -> QuerySet[Source]:
    """Each source with its paragraphs and the reuse the viewer may see (both paragraphs readable to them)."""
    visible = visible_paragraphs(user).values("pk")

    def count(qs: QuerySet[Any], group: str) -> Any:
        return Coalesce(Subquery(qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]), 0)

    return sources.annotate(
        paragraph_count=count(Paragraph.objects.filter(source=OuterRef("pk")), "source"),
        taken_up_count=count(
            ReuseRecord.objects.filter(origin__source=OuterRef("pk"), target__in=visible), "origin__source"
        ),
        takes_up_count=count(
            ReuseRecord.objects.filter(target__source=OuterRef("pk"), origin__in=visible), "target__source"
        ),
    )


@personal
@access("library.view")
def sources(request: HttpRequest) -> HttpResponse:
    form = SourcesFilterForm(request.GET or None)
    found = visible_sources(request.user)
    if form.is_bound and form.is_valid() and form.cleaned_data["kind"]:
        found = found.filter(kind=form.cleaned_data["kind"])
    page = Paginator(_with_counts(request.user, found.order_by("-date", "title", "pk")), SOURCES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "library/sources.html",
        {"form": form, "page": page, "can_import": policy.can(request.user, "library.import")},
    )


@access("library.import")
def import_source(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)

    def act() -> Source | QueuedImport:
        data = form.cleaned_data
        upload = data["file"]
        fields: dict[str, Any] = {
            "by": request.user,
            "file_name": upload[0] if upload else "",
            "kind": data["kind"],
            "title": data["title"],
            "forum": data["forum"],
            "symbol": data["symbol"],
            "date": data["date"],
            "author": data["author"],
            "author_country": data["author_country"],
            "endorsed_by": data["endorsed_by"],
            "classification": data["classification"],
        }
        if upload:  # issue 16 item 7: the worker reads every uploaded file, under its time and memory limits
            return tasks.queue_import(data=upload[1], **fields)
        return services.import_text(text=data["text"], data=None, **fields)  # pasted text: split, not parsed

    def page(status: int) -> HttpResponse:
        context = {"form": form, "max_mb": settings.LIBRARY_MAX_FILE_BYTES // (1024 * 1024)}
        # An empty POST leaves the form unbound: no error to show, so the empty form again.
        return render(request, "library/import.html", context, status=status if form.errors else 200)

    return submit(request, form, act, done=lambda made: _imported(request, made), page=page, catching=InvalidInput)


def _imported(request: HttpRequest, made: Source | QueuedImport) -> HttpResponse:
    """A file waits for the task worker: its import's page; pasted text is in: its source, paragraphs counted."""
    if isinstance(made, QueuedImport):
        messages.info(request, _("The file is being read and added: this page shows how the import stands."))
        return redirect("library:queued_import", pk=made.pk)
    n = made.paragraphs.count()
    messages.success(
        request,
        ngettext("Imported %(n)d paragraph; checking for reuse…", "Imported %(n)d paragraphs; checking for reuse…", n)
        % {"n": n},
    )
    return redirect("library:source", pk=made.pk)


@personal
@access("library.import")
def queued_import(request: HttpRequest, pk: int) -> HttpResponse:
    """How an upload kept for the task worker stands: waiting, being read, added, or refused naming the field."""
    found = get_object_or_404(policy.visible_to(request.user, QueuedImport).select_related("source", "by"), pk=pk)
    field = ImportForm.base_fields.get(found.error_field)
    return render(
        request,
        "library/queued_import.html",
        {
            "queued": found,
            "error_label": field.label if field else "",
            "source_visible": found.source is not None and policy.is_visible(request.user, found.source),
        },
    )


@dataclass(frozen=True)
class ReuseRow:
    record: ReuseRecord
    mine: Paragraph  # the paragraph of this source
    other: Paragraph
    taken_up: bool  # True: `other` takes up `mine`; False: `mine` takes up `other`

    @property
    def kind(self) -> Any:
        return REUSE_KINDS.get(self.record.kind, self.record.kind)


def _source(request: HttpRequest, pk: int) -> Source:
    return get_object_or_404(visible_sources(request.user), pk=pk)


@personal
@access("library.view")
def source(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        visible_sources(request.user).select_related("author_country", "statement").prefetch_related("endorsed_by"),
        pk=pk,
    )
    paragraphs = Paginator(found.paragraphs.order_by("position"), PARAGRAPHS_PER_PAGE).get_page(request.GET.get("page"))
    visible = visible_paragraphs(request.user).values("pk")
    records = (
        ReuseRecord.objects.filter(Q(origin__source=found) | Q(target__source=found))
        .filter(origin__in=visible, target__in=visible)
        .select_related("origin__source", "target__source")
        .order_by("-similarity", "pk")
    )
    reuse = [
        ReuseRow(r, r.origin, r.target, True)
        if r.origin.source_id == found.pk
        else ReuseRow(r, r.target, r.origin, False)
        for r in records[:REUSE_SHOWN]
    ]
    statement_url = reverse("statements:statement", args=[found.statement.slug]) if found.statement else ""
    response = render(
        request,
        "library/source.html",
        {
            "source": found,
            "provenance": _provenance(request.user, found),
            "paragraphs": paragraphs,
            "reuse": reuse,
            "statement_url": statement_url,
            "can_detect": policy.can(request.user, "library.detect"),
            "can_manage": policy.can(request.user, "library.manage") and not found.statement_id,
        },
    )
    return response


@require_POST
@access("library.detect")
def detect(request: HttpRequest, pk: int) -> HttpResponse:
    found = _source(request, pk)
    form = ServiceForm(request.POST)  # nothing to fill in: the button is the whole submission
    back = reverse("library:source", args=[found.pk]) + "#reuse"
    return submit(
        request,
        form,
        lambda: services.detect_reuse(found, by=request.user),
        done=lambda records: _reuse_found(request, records, back),
        # The scan refuses only by the policy (a 403, not caught here): nothing else is asked of the form.
        page=lambda status: redirect(back),
        catching=InvalidInput,
    )


def _reuse_found(request: HttpRequest, records: list[ReuseRecord], back: str) -> HttpResponse:
    # Count only what the viewer may read: the scan reads the whole library.
    involved = {r.origin_id for r in records} | {r.target_id for r in records}
    readable = set(visible_paragraphs(request.user).filter(pk__in=involved).values_list("pk", flat=True))
    n = sum(1 for r in records if r.origin_id in readable and r.target_id in readable)
    message = ngettext("%(n)d passage of reused language found.", "%(n)d passages of reused language found.", n)
    return then_redirect(request, message % {"n": n}, back)(records)


@access("library.manage")
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the source, its paragraphs and the reuse found in them."""
    found = _source(request, pk)
    form = ServiceForm(request.POST)  # nothing to fill in: a refusal is told at the top of the page

    def page(status: int) -> HttpResponse:
        problem = " ".join(str(e) for e in form.non_field_errors()) if request.method == "POST" else ""
        context = {"source": found, "problem": problem, "paragraph_count": found.paragraphs.count()}
        return render(request, "library/delete.html", context, status=status)

    removed = _("“%(title)s” was removed from the library.") % {"title": found.title}
    return submit(
        request,
        form,
        lambda: services.delete_source(found, by=request.user),
        done=then_redirect(request, removed, "library:sources"),
        page=page,
        catching=InvalidInput,
    )


# --- Lineage ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One occurrence on the timeline, with the words to say what it is."""

    occurrence: queries.Occurrence
    provenance: Provenance

    @property
    def is_this(self) -> bool:
        return self.occurrence.relation == "this"

    @property
    def relation(self) -> Any:
        return RELATIONS.get(self.occurrence.relation, self.occurrence.relation)

    @property
    def kind(self) -> Any:
        return REUSE_KINDS.get(self.occurrence.kind, self.occurrence.kind)


@personal
@access("library.view")
def lineage(request: HttpRequest, pk: int) -> HttpResponse:
    paragraph = get_object_or_404(
        visible_paragraphs(request.user)
        .select_related("source", "source__author_country")
        .prefetch_related("source__endorsed_by"),
        pk=pk,
    )
    occurrences = queries.lineage(request.user, paragraph)
    years = [
        (year, [Shown(o, _provenance(request.user, o.source)) for o in group])
        for year, group in itertools.groupby(occurrences, key=lambda o: o.source.year)
    ]
    response = render(
        request,
        "library/lineage.html",
        {
            "paragraph": paragraph,
            "provenance": _provenance(request.user, paragraph.source),
            "years": years,
            "others": len(occurrences) - 1,
        },
    )
    return response


# --- Drafting assistant -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    suggestion: queries.Suggestion
    provenance: Provenance | None

    @property
    def status(self) -> Any:
        return STATUSES.get(self.suggestion.status, self.suggestion.status)

    @property
    def kind(self) -> Any:
        return REUSE_KINDS.get(self.suggestion.kind, self.suggestion.kind) if self.suggestion.kind else ""


@access("library.assist")
def assistant(request: HttpRequest) -> HttpResponse:
    """The draft is read, compared and forgotten: nothing of it is stored, and the page is not cached."""
    form = AssistForm(request.POST or None, request.FILES or None)

    def act() -> list[queries.Suggestion]:
        per_minute = settings.LIBRARY_ASSIST_PER_MINUTE
        if not throttle.allow(f"library.assist:{request.user.pk}", per_minute, 60):
            raise InvalidInput(
                f"You have checked {per_minute} drafts in the last minute; wait a minute and check again.",
                field="text",
            )
        upload = form.cleaned_data["file"]
        text = extract.read_file(*upload) if upload else form.cleaned_data["text"]
        return queries.assist(request.user, text)

    def checked(suggestions: list[queries.Suggestion]) -> HttpResponse:
        shown = [Checked(s, _provenance(request.user, s.match.source) if s.match else None) for s in suggestions]
        return _assistant_page(request, form, shown, 200)

    # An empty POST leaves the form unbound: no error to show, so the empty form again.
    return submit(
        request,
        form,
        act,
        done=checked,
        page=lambda status: _assistant_page(request, form, None, status if form.errors else 200),
        catching=InvalidInput,
    )


def _assistant_page(request: HttpRequest, form: AssistForm, checked: list[Checked] | None, status: int) -> HttpResponse:
    summary = None
    if checked is not None:
        summary = {kind: sum(1 for c in checked if c.suggestion.status == kind) for kind in STATUSES}
        summary["total"] = len(checked)
    response = render(
        request,
        "library/assistant.html",
        {"form": form, "checked": checked, "summary": summary},
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
