"""Documents pages: the list, a document rendered paragraph by paragraph with its comments and clause statuses, its
versions and redlines, and the export of open clauses for a meeting."""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.exports import safe_cell
from coalition.core.forms import submit, then_redirect
from coalition.documents import queries, services
from coalition.documents.forms import (
    ClauseForm,
    CommentForm,
    DocumentForm,
    EditForm,
    OpenClausesForm,
    PhaseForm,
    RedlineForm,
)
from coalition.documents.models import Document, Version
from coalition.documents.rows import DOCUMENTS_PER_PAGE, index_rows


def url_of(document: Document) -> str:
    return reverse("documents:document", args=[document.pk])


def _document(request: HttpRequest, pk: int) -> Document:
    return get_object_or_404(queries.documents(request.user), pk=pk)


def _version(document: Document, number: int) -> Version:
    found = document.versions.filter(number=number).first()
    if found is None:
        raise InvalidInput(_("No such version of this document."), field="version")
    return found


def _next(request: HttpRequest) -> str | None:
    """The page a paragraph form was posted from (`next`), if it is a path on this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return None


def _back(request: HttpRequest, document: Document, anchor: str = "") -> HttpResponse:
    """Back to the page the form was on (a statement's page includes the same paragraphs), else the document's."""
    target = _next(request) or url_of(document)
    return redirect(f"{target}#{anchor}" if anchor else target)


def _posted(request: HttpRequest) -> Any:
    """What a form of a GET-and-POST page is bound to: the submission, or nothing (the empty form) on a GET."""
    return request.POST if request.method == "POST" else None


def _paragraph_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("paragraph", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else None


# --- The list and a new document --------------------------------------------------------------------------------


@access("documents.view")
def index(request: HttpRequest) -> HttpResponse:
    """The documents the reader may see, newest first, a page at a time (the list only grows)."""
    page = Paginator(queries.index(request.user), DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/index.html",
        {
            "documents": page.object_list,
            "rows": index_rows(page.object_list, getattr(request, "viewer_tz", "UTC")),
            "page": page,
            "can_manage": policy.can(request.user, "documents.manage"),
        },
    )


@access("documents.manage")
def new(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(_posted(request), user=request.user)

    def act() -> Document:
        data = form.cleaned_data
        return services.create_document(
            by=request.user,
            title=data["title"],
            text=data["text"],
            kind=data["kind"],
            classification=data["classification"],
            base_text=data["base_text"],
            activities=data["activity_codes"],
        )

    return submit(
        request,
        form,
        act,
        done=lambda created: then_redirect(
            request, _("Document created as version 1."), "documents:document", pk=created.pk
        )(created),
        page=lambda status: render(request, "documents/new.html", {"form": form}, status=status),
    )


# --- A document -------------------------------------------------------------------------------------------------


def _redline_defaults(document: Document, numbers: list[int]) -> dict[str, str]:
    """The previous version against the current one; the base text against a first version."""
    if not numbers:
        return {}
    current = max(numbers)
    earlier = [n for n in numbers if n < current]
    start = str(max(earlier)) if earlier else ("base" if document.base_text else str(current))
    return {"from": start, "to": str(current)}


def _document_page(
    request: HttpRequest, document: Document, *, status: int = 200, posted_from: str | None = None, **forms: Any
) -> HttpResponse:
    """The document's page. A form that failed comes in `forms`, with its errors, in place of a fresh one, and
    `posted_from` is the page it was posted from."""
    user = request.user
    version = document.current_version()
    versions = queries.versions(user, document)
    numbers = [v.number for v in versions]
    is_final = document.phase == Document.Phase.FINAL
    may = queries.DocumentPowers.of(user)
    comment_form = forms.get("comment_form")
    if comment_form is None and version is not None and not is_final and may.comment:
        comment_form = CommentForm(
            user=user, document=document, version=version, initial={"paragraph": _paragraph_number(request)}
        )
    if comment_form is not None and not comment_form.fields["visibility"].choices:
        comment_form = None  # nobody this person could address on this document
    context: dict[str, Any] = {
        "document": document,
        "version": version,
        "versions": versions,
        "paragraphs": queries.paragraph_view(user, document, version) if version else [],
        "activities": queries.activities(user, document),
        "comment_form": comment_form,
        "redline_form": RedlineForm(document=document, numbers=numbers, initial=_redline_defaults(document, numbers)),
        "is_final": is_final,
        "can_manage": may.manage,
        "manage_clauses": may.manage and not is_final,
        "clause_form": forms.get("clause_form"),
        # where the paragraph forms come back to: this page, or after a refused write the page it was posted from
        "return_to": posted_from or url_of(document),
    }
    if may.manage:
        context["phase_form"] = forms.get("phase_form") or PhaseForm(document=document)
    return render(request, "documents/document.html", context, status=status)


@access("documents.view")
def document(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_page(request, _document(request, pk))


@access("documents.manage")
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the current text to edit. POST: save it as a new version (nothing when unchanged)."""
    found = _document(request, pk)
    current = found.current_version()
    form = EditForm(_posted(request), initial={"text": current.text if current else ""})

    def done(saved: Version | None) -> HttpResponse:
        if saved is None:
            messages.info(request, _("No change: the text is the same as the current version."))
        else:
            messages.success(request, _("Saved as version %(n)d.") % {"n": saved.number})
        return redirect("documents:document", pk=found.pk)

    return submit(
        request,
        form,
        lambda: services.save_version(document=found, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: render(
            request,
            "documents/edit.html",
            {"document": found, "version": current, "form": form, "is_final": found.phase == Document.Phase.FINAL},
            status=status,
        ),
    )


@access("documents.view")
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    found = _document(request, pk)
    shown = get_object_or_404(found.versions.select_related("author__person"), number=number)
    current = found.current_version()
    if shown != current and not policy.can(request.user, "documents.view_history", found):
        raise Http404("No such version")
    return render(
        request,
        "documents/version.html",
        {
            "document": found,
            "version": shown,
            "current": current,
            "paragraphs": queries.paragraph_view(request.user, found, shown),
        },
    )


@require_GET
@access("documents.view")
def redline(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?from=N&to=M, or ?from=base&to=M: a word-level redline of two texts of the document."""
    found = _document(request, pk)
    versions = queries.versions(request.user, found)
    if not policy.can(request.user, "documents.view_history", found):
        raise Http404("No drafting history here")
    numbers = [v.number for v in versions]
    texts = {str(v.number): v.text for v in versions}
    if found.base_text:
        texts["base"] = found.base_text
    given = "from" in request.GET or "to" in request.GET
    form = RedlineForm(request.GET if given else _redline_defaults(found, numbers), document=found, numbers=numbers)
    result = None
    if form.is_valid():
        result = services.redline(texts[form.cleaned_data["from"]], texts[form.cleaned_data["to"]])
    return render(
        request,
        "documents/redline.html",
        {
            "document": found,
            "form": form,
            "redline": result,
            "from_label": dict(form.fields["from"].choices).get(form.data.get("from")),  # type: ignore[attr-defined]
            "to_label": dict(form.fields["to"].choices).get(form.data.get("to")),  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


# --- Writes on a document ---------------------------------------------------------------------------------------


@require_POST
@access("documents.comment")
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    found = _document(request, pk)
    form = CommentForm(request.POST, user=request.user, document=found)

    def act() -> Any:
        data = form.cleaned_data
        return services.add_comment(
            document=found,
            by=request.user,
            paragraph=data["paragraph"],
            text=data["text"],
            visibility=data["visibility"],
            version=_version(found, data["version"]) if data["version"] else None,
            on_behalf_of=data.get("on_behalf_of"),
        )

    def done(added: Any) -> HttpResponse:
        numbered = {"n": added.paragraph}
        if form.cleaned_data["visibility"] == services.Visibility.SUPPORT_UNIT and not policy.is_visible(
            request.user, added
        ):
            message = _("Comment sent to the Support Unit on paragraph %(n)d; only they read it.") % numbered
        else:
            message = _("Comment added to paragraph %(n)d.") % numbered
        messages.success(request, message)
        return _back(request, found, f"p{added.paragraph}")

    return submit(
        request,
        form,
        act,
        done=done,
        page=lambda status: _document_page(
            request, found, status=status, posted_from=_next(request), comment_form=form
        ),
    )


@require_POST
@access("documents.manage")
def phase(request: HttpRequest, pk: int) -> HttpResponse:
    found = _document(request, pk)
    form = PhaseForm(request.POST, document=found)

    def done(changed: Document) -> HttpResponse:
        messages.success(
            request,
            _("The document is now in the phase “%(phase)s”, readable by: %(readers)s.")
            % {"phase": changed.get_phase_display(), "readers": changed.get_classification_display()},
        )
        return redirect("documents:document", pk=found.pk)

    return submit(
        request,
        form,
        lambda: services.set_phase(document=found, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _document_page(request, found, status=status, posted_from=_next(request), phase_form=form),
    )


@require_POST
@access("documents.manage")
def clause(request: HttpRequest, pk: int) -> HttpResponse:
    found = _document(request, pk)
    form = ClauseForm(request.POST)

    def act() -> Any:
        data = form.cleaned_data
        return services.set_clause_status(
            version=_version(found, data["version"]),
            by=request.user,
            paragraph=data["paragraph"],
            status=data["status"],
        )

    def done(changed: Any) -> HttpResponse:
        messages.success(
            request,
            _("Paragraph %(n)d is now %(status)s.")
            % {"n": changed.paragraph, "status": changed.get_status_display().lower()},
        )
        return _back(request, found, f"p{changed.paragraph}")

    return submit(
        request,
        form,
        act,
        done=done,
        page=lambda status: _document_page(request, found, status=status, posted_from=_next(request), clause_form=form),
    )


# --- The export of open clauses ---------------------------------------------------------------------------------


def _comment_line(comment: queries.CommentView) -> str:
    who = comment.author_name + (
        _(" on behalf of %(member)s") % {"member": comment.on_behalf_of_name} if comment.on_behalf_of_name else ""
    )
    when = comment.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d")
    return f"{who} ({comment.visibility_label}, {when}): {comment.text}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+\-.!<>|~])")


def _markdown_literal(text: str) -> str:
    """Text that a Markdown reader shows as written: no links, images, headings or HTML from a comment."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


@require_GET
@access("documents.view")
def open_clauses(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?format=md (default) or ?format=csv: the clauses still open or bracketed in the current version, with the
    comments the viewer may read, for a meeting's papers."""
    found = _document(request, pk)
    form = OpenClausesForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(str(m) for m in messages_)}" for name, messages_ in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    current = found.current_version()
    if current is None:
        return HttpResponse(_("version: this document has no text yet."), status=400, content_type="text/plain")
    clauses = queries.open_clauses(request.user, found, current)
    stem = f"{slugify(found.title)[:60] or 'document'}-v{current.number}-open-clauses"
    if form.cleaned_data["format"] == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        response.write("\ufeff")  # spreadsheets read UTF-8 by its byte-order mark
        writer = csv.writer(response)
        writer.writerow([_("Paragraph"), _("Status"), _("Text"), _("Comments")])
        for clause in clauses:
            comments = "\n".join(_comment_line(comment) for comment in clause.comments)
            writer.writerow(
                [clause.number, safe_cell(clause.status_label), safe_cell(clause.text), safe_cell(comments)]
            )
        return response
    exported = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    saved = current.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d")
    title = " ".join(found.title.split())
    lines = [
        f"# {_('Open clauses')}: {title}",
        "",
        _("Version %(n)d of %(saved)s, exported %(exported)s: %(count)d clauses open or bracketed.")
        % {"n": current.number, "saved": saved, "exported": exported, "count": len(clauses)},
    ]
    for clause in clauses:
        quoted = "\n".join(f"> {line}".rstrip() for line in clause.text.splitlines())  # its headings stay inside
        lines += ["", f"## {_('Paragraph')} {clause.number} — {clause.status_label}", "", quoted]
        if clause.comments:
            lines += ["", f"### {_('Comments')}", ""]
            lines += [
                "- " + _markdown_literal(_comment_line(comment)).replace("\n", "\n  ") for comment in clause.comments
            ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.md"'
    return response
