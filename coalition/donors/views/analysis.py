"""The alignment views (PoA 2A.4): the heatmap of funding by country and topic (with its CSV), the gaps, and the
timeline."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coalition.core.access import access, personal
from coalition.core.exports import safe_cell
from coalition.donors import queries
from coalition.donors.forms import HeatmapFilterForm, TimelineFilterForm
from coalition.donors.models import FundingActivity
from coalition.donors.templatetags.donors import money, topic_label


def _heatmap_csv(heatmap: queries.Heatmap) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="funding-heatmap.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["country", "country_name", *[label for _code, label in heatmap.topics], f"total_{heatmap.currency.lower()}"]
    )
    for row in heatmap.rows:
        writer.writerow(
            [
                safe_cell(row.country),
                safe_cell(row.name),
                *[safe_cell(row.cells.get(code, Decimal(0))) for code, _label in heatmap.topics],
                safe_cell(row.total),
            ]
        )
    writer.writerow(
        [
            "",
            "total",
            *[safe_cell(heatmap.totals.get(code, Decimal(0))) for code, _label in heatmap.topics],
            safe_cell(heatmap.total),
        ]
    )
    return response


@dataclass(frozen=True)
class Cell:
    amount: Decimal
    shade: int


@dataclass
class ShownRow:
    row: queries.HeatmapRow
    cells: list[Cell] = field(default_factory=list)


def _legend(heatmap: queries.Heatmap) -> list[tuple[int, str]]:
    top = heatmap.max_cell
    if not top:
        return [(0, _("no funding"))]
    quarter = top / 4
    return [
        (0, _("no funding")),
        (1, _("under %(to)s") % {"to": money(quarter)}),
        (2, _("%(from)s to under %(to)s") % {"from": money(quarter), "to": money(2 * quarter)}),
        (3, _("%(from)s to under %(to)s") % {"from": money(2 * quarter), "to": money(3 * quarter)}),
        (4, _("%(from)s to under %(to)s") % {"from": money(3 * quarter), "to": money(top)}),
        (5, _("the largest: %(amount)s") % {"amount": money(top)}),
    ]


@personal
@access("donors.align")
def heatmap(request: HttpRequest) -> HttpResponse:
    form = HeatmapFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = queries.heatmap(request.user, stage=data.get("stage", ""), year=data.get("year"))
    if request.GET.get("format") == "csv":
        return _heatmap_csv(found)
    rows = [
        ShownRow(
            row,
            [
                Cell(row.cells.get(code, Decimal(0)), found.shade(row.cells.get(code, Decimal(0))))
                for code, _label in found.topics
            ],
        )
        for row in found.rows
    ]
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "donors/heatmap.html",
        {
            "form": form,
            "heatmap": found,
            "rows": rows,
            "totals": [found.totals.get(code, Decimal(0)) for code, _label in found.topics],
            "legend": _legend(found),
            "csv_query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@personal
@access("donors.align")
def gaps(request: HttpRequest) -> HttpResponse:
    found = queries.gaps(request.user)
    rows = [(gap, [(topic_label(code), amount) for code, amount in sorted(gap.funding.items())]) for gap in found]
    return render(request, "donors/gaps.html", {"rows": rows, "currency": settings.DONORS_CURRENCY})


@dataclass(frozen=True)
class Bar:
    activity: FundingActivity
    left: int  # whole percent of the timeline's width (the stylesheet has a class for each)
    width: int


@personal
@access("donors.align")
def timeline(request: HttpRequest) -> HttpResponse:
    form = TimelineFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    country = data.get("country")
    found = queries.timeline(request.user, country=country.code if country else "", topic=data.get("topic", ""))
    bars = []
    for bar in found.bars:
        left = min(99, max(0, round(bar.left)))
        bars.append(Bar(bar.activity, left, min(100 - left, max(1, round(bar.width)))))
    stages = found.stages
    years = [(year, [amounts.get(code) for code, _label in stages]) for year, amounts in found.by_year.items()]
    return render(
        request,
        "donors/timeline.html",
        {"form": form, "timeline": found, "bars": bars, "years": years, "stages": stages},
        status=400 if form.errors else 200,
    )


# --- Reference data kept by the Support Unit ----------------------------------------------------------------------
