"""The monitoring signals and the import of a monitoring file."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit
from coalition.response import tasks
from coalition.response.forms import ImportForm, SignalFilterForm
from coalition.response.models import ImportBatch, Signal

SIGNALS_PER_PAGE = 50
BATCHES_SHOWN = 20


@personal
@access("response.view_signals")
def signals(request: HttpRequest) -> HttpResponse:
    form = SignalFilterForm(request.GET or None)
    found = form.apply(policy.visible_to(request.user, Signal)).select_related("country").order_by("-starts_at", "pk")
    page = Paginator(found, SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    can_import = policy.can(request.user, "response.import")
    batches = list(policy.visible_to(request.user, ImportBatch).order_by("-at")[:BATCHES_SHOWN]) if can_import else []
    return render(
        request,
        "response/signals.html",
        {"form": form, "page": page, "batches": batches, "can_import": can_import},
    )


def _report_url(batch: ImportBatch) -> str:
    return f"{reverse('response:import')}?batch={batch.pk}#report"


@personal
@access("response.import")
def import_signals(request: HttpRequest) -> HttpResponse:
    """Upload a monitoring file: the task worker imports it, whole or not at all, under its time and memory limits
    (issue 16 item 7: no web worker reads an uploaded file), then raises alerts from what it brought; the page shows
    how far the import has got until its report is there."""
    form = ImportForm(request.POST or None, request.FILES or None)

    def act() -> ImportBatch:
        file_name, data = form.cleaned_data["file"]
        country = form.cleaned_data["country"]
        return tasks.queue_import(
            by=request.user,
            source=form.cleaned_data["source"],  # "auto": the importer reads it from the content
            file_name=file_name,
            data=data,
            dataset_year=form.cleaned_data["dataset_year"],
            country=country.code if country else None,
        )

    def queued(batch: ImportBatch) -> HttpResponse:
        messages.info(request, _("The file is being imported: this page shows how far it has got."))
        return redirect(_report_url(batch))

    def page(status: int) -> HttpResponse:
        batch = None
        if request.method == "GET" and request.GET.get("batch", "").isdigit():
            batch = policy.visible_to(request.user, ImportBatch).filter(pk=int(request.GET["batch"])).first()
        context = {"form": form, "batch": batch, "batch_url": batch and _report_url(batch)}
        # An empty POST leaves the form unbound: no error to show, so the empty form again.
        return render(request, "response/import.html", context, status=status if form.errors else 200)

    return submit(request, form, act, done=queued, page=page, catching=InvalidInput)
