"""Overlaps between members' funding activities (PoA 2A.3): the list with each candidate's reasons in plain words,
its review, and running the detection again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.donors import overlap_review, queries, tasks
from coalition.donors.forms import ConfirmForm, OverlapFilterForm, ReviewForm
from coalition.donors.models import FundingActivity, Overlap
from coalition.donors.templatetags.donors import topic_label
from coalition.donors.views.common import failed

OVERLAPS_PER_PAGE = 25


@dataclass
class OverlapRow:
    overlap: Overlap
    reasons: list[tuple[str, float]]
    form: ReviewForm | None = None
    other: FundingActivity | None = None  # on an activity's page: the activity it overlaps with


def names(codes: Iterable[str]) -> dict[str, str]:
    return queries.country_names(set(codes))


def _percent(value: Any) -> int:
    return round(100 * float(value))


def reason_text(reason: dict[str, Any], countries: dict[str, str]) -> str:
    """A detector's reason in plain words (see `coalition.donors.overlap` for the details each kind carries)."""
    kind, detail = reason.get("kind", ""), reason.get("detail") or {}
    if kind == "country_topic":
        return _("Both fund %(topics)s in %(countries)s.") % {
            "topics": ", ".join(topic_label(t) for t in detail.get("topics", [])) or _("the same topic"),
            "countries": ", ".join(countries.get(c, c) for c in detail.get("countries", [])) or _("the same country"),
        }
    if kind == "period":
        start, end, months, share = (detail.get(k) for k in ("start", "end", "months", "share_of_shorter"))
        if start and end:
            text = _("Their periods overlap from %(start)s to %(end)s") % {"start": start, "end": end}
            if months:
                text += " " + _("(about %(months)d months)") % {"months": months}
            if share is not None:
                text += ", " + _("%(share)d%% of the shorter one") % {"share": _percent(share)}
            return text + "."
        if start:
            return _("Both run from %(start)s, one of them without an end date.") % {"start": start}
        if end:
            return _("Both run until %(end)s, one of them without a start date.") % {"end": end}
        return _("Their periods overlap (dates left open).")
    if kind == "implementer":
        return _("The same implementer: %(names)s.") % {"names": ", ".join(detail.get("implementers", []))}
    if kind == "description":
        phrases = ", ".join(f"“{p}”" for p in detail.get("shared_phrases", []))
        text = _("Similar descriptions (%(similarity)d%% alike)") % {
            "similarity": _percent(detail.get("similarity", 0))
        }
        return text + (", " + _("sharing %(phrases)s") % {"phrases": phrases} if phrases else "") + "."
    return str(kind)


def reasons(overlap: Overlap, countries: dict[str, str]) -> list[tuple[str, float]]:
    return [(reason_text(r, countries), float(r.get("weight", 0))) for r in overlap.reasons or []]


def reason_countries(overlaps: Iterable[Overlap]) -> set[str]:
    return {
        code
        for o in overlaps
        for r in o.reasons or []
        if r.get("kind") == "country_topic"
        for code in (r.get("detail") or {}).get("countries", [])
    }


def _review_form(user: Any, item: Overlap, refused: ReviewForm | None, refused_pk: int | None) -> ReviewForm | None:
    """The form a row shows: the refused one where it was typed, else a fresh one where the viewer may review."""
    if refused is not None and refused_pk == item.pk:
        return refused
    if policy.can(user, "donors.review", item, from_visible_rows=True):
        return ReviewForm(initial={"review": item.review, "note": item.note}, key=f"overlap{item.pk}")
    return None


def _overlaps_page(
    request: HttpRequest, *, status: int = 200, refused: ReviewForm | None = None, refused_pk: int | None = None
) -> HttpResponse:
    user = request.user
    form = OverlapFilterForm(request.GET or None)
    review = form.cleaned_data["review"] if form.is_bound and form.is_valid() else ""
    found = queries.overlaps(user, review=review).order_by("-score", "pk")
    page = Paginator(found, OVERLAPS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    countries = names(reason_countries(shown))
    rows = [OverlapRow(item, reasons(item, countries), _review_form(user, item, refused, refused_pk)) for item in shown]
    return render(
        request,
        "donors/overlaps.html",
        {"form": form, "page": page, "rows": rows, "can_detect": queries.allowed(user).manage},
        status=status,
    )


@personal
@access("donors.view")
def overlaps(request: HttpRequest) -> HttpResponse:
    return _overlaps_page(request)


def _reviewed(request: HttpRequest, found: Overlap) -> Callable[[Any], HttpResponse]:
    def done(_result: Any) -> HttpResponse:
        messages.success(request, _("Overlap marked “%(review)s”.") % {"review": Overlap.Review(found.review).label})
        query = request.GET.urlencode()  # the list's page and filter, carried by the form's action
        return redirect(reverse("donors:overlaps") + (f"?{query}" if query else "") + f"#overlap-{found.pk}")

    return done


@require_POST
@access("donors.review")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(queries.overlaps(request.user), pk=pk)
    form = ReviewForm(request.POST, key=f"overlap{found.pk}")
    return submit(
        request,
        form,
        lambda: overlap_review.review_overlap(
            found, by=request.user, review=form.cleaned_data["review"], note=form.cleaned_data["note"]
        ),
        done=_reviewed(request, found),
        page=lambda status: failed(_overlaps_page(request, status=status, refused=form, refused_pk=found.pk)),
        catching=InvalidInput,
    )


@require_POST
@access("donors.manage")
def detect(request: HttpRequest) -> HttpResponse:
    return submit(
        request,
        ConfirmForm(request.POST),
        lambda: tasks.detect.enqueue(None),
        done=then_redirect(
            request, _("Overlap detection runs for every activity; new candidates appear here."), "donors:overlaps"
        ),
        page=lambda status: failed(_overlaps_page(request, status=status)),
        catching=InvalidInput,
    )
