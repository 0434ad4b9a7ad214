"""Imports (PoA 2A.2): uploading a member's IATI file or spreadsheet, the batch's progress and report, and the
spreadsheet template."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit
from coalition.donors import queries, tasks
from coalition.donors.forms import ImportForm, upload_data
from coalition.donors.ingest import spreadsheet
from coalition.donors.models import DonorGroup, ImportBatch
from coalition.donors.views.common import governments, own_members

TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _import_form(request: HttpRequest) -> ImportForm:
    user = request.user
    return ImportForm(
        request.POST or None,
        request.FILES or None,
        reporters=own_members(user),  # a member reports its own funding (not even the Support Unit for it)
        groups=list(policy.visible_to(user, DonorGroup).order_by("name")),
        governments=list(governments(user)),
    )


def _queue(request: HttpRequest, form: ImportForm) -> ImportBatch:
    data = form.cleaned_data
    upload = data["file"]
    return tasks.queue_import(
        upload_data(upload),
        file_name=upload.name or "",
        reporter=data["reporter"],
        by=request.user,
        tier=data["tier"],
        group=form.chosen_group(),
        bilateral_with=form.chosen_members(),
    )


def _queued(request: HttpRequest) -> Callable[[ImportBatch], HttpResponse]:
    def done(batch: ImportBatch) -> HttpResponse:
        messages.info(request, _("The file is being imported: this page shows how far it has got."))
        return redirect("donors:batch", pk=batch.pk)

    return done


def _import_page(request: HttpRequest, form: ImportForm, status: int) -> HttpResponse:
    context = {"form": form, "max_mb": settings.DONORS_MAX_FILE_BYTES / 1048576}
    return render(request, "donors/import.html", context, status=status)


@personal
@access("donors.report")
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload a file for a member: the task worker imports it, whole or not at all, under its time and memory limits
    (issue 16 item 7: no web worker reads an uploaded file), and the batch's page shows how far the import has got
    until the per-file report is there."""
    form = _import_form(request)
    return submit(
        request,
        form,
        lambda: _queue(request, form),
        done=_queued(request),
        page=lambda status: _import_page(request, form, 400 if form.errors else 200),
        catching=InvalidInput,
    )


@personal
@access("donors.view")
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(queries.batches(request.user), pk=pk)
    return render(request, "donors/batch.html", {"batch": found})


@access("donors.report")
def template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TEMPLATE_TYPES:
        raise Http404
    content = spreadsheet.template_xlsx() if fmt == "xlsx" else spreadsheet.template_csv()
    response = HttpResponse(content, content_type=TEMPLATE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="donor-funding-template.{fmt}"'
    return response
