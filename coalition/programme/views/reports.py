"""The Chair's annual report of a programme: a page with a status chart per goal, a PDF, and CSV and JSON exports.
Every format is drawn from reports.annual_report, so each shows the same rows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from coalition.core.access import access
from coalition.directory.queries import today
from coalition.programme import queries, reports

# The page's chart: one row per status, its label right-aligned before the bar, the count after it.
ROW, LABEL_WIDTH, BAR_WIDTH, PADDING = 24, 120, 300, 8


@dataclass(frozen=True)
class SvgBar:
    label: str
    count: int
    fill: str
    y: int  # top of the bar
    text_y: int  # baseline of its label and count
    width: int
    value_x: int


@dataclass(frozen=True)
class SvgChart:
    bars: list[SvgBar]
    width: int
    height: int
    label_x: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH + PADDING
    bar_height: int = ROW - 8

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.count}" for bar in self.bars)


def status_chart(counts: dict[str, int]) -> SvgChart:
    """Geometry of a horizontal bar chart of activities by status (drawn by the template with presentation
    attributes only: the CSP allows no inline style)."""
    top = max(counts.values(), default=0) or 1
    bars = []
    for index, (status, label, n) in enumerate(reports.labelled(counts)):
        y = PADDING + index * ROW
        width = round(BAR_WIDTH * n / top)
        bars.append(
            SvgBar(
                label=label,
                count=n,
                fill=reports.STATUS_COLOURS[reports.Status(status)],
                y=y,
                text_y=y + (ROW - 8) // 2 + 5,
                width=width,
                value_x=LABEL_WIDTH + PADDING + width + 6,
            )
        )
    return SvgChart(bars=bars, width=LABEL_WIDTH + PADDING + BAR_WIDTH + 40, height=2 * PADDING + len(bars) * ROW)


def _report(request: HttpRequest, year: int) -> reports.Report:
    programme = get_object_or_404(queries.programmes(request.user), year=year)
    return reports.annual_report(request.user, programme, on=today())


def _private(response: HttpResponse) -> HttpResponse:
    """What a report holds depends on who asks: no shared cache may keep it, no browser cache store it."""
    patch_cache_control(response, private=True, no_store=True)
    return response


@access("programme.view")
def report(request: HttpRequest, year: int) -> HttpResponse:
    found = _report(request, year)
    sections = [(goal, status_chart(goal.counts)) for goal in found.goals]
    return _private(render(request, "programme/report.html", {"report": found, "sections": sections}))


@access("programme.view")
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    found = _report(request, year)
    response = HttpResponse(reports.render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="programme-{found.programme.year}-report.pdf"'
    return _private(response)


@access("programme.view")
def export_csv(request: HttpRequest, year: int) -> HttpResponse:
    found = _report(request, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{found.programme.year}-activities.csv"'
    response.write("\ufeff")  # so that spreadsheets read the file as UTF-8
    reports.write_csv(found, response)
    return _private(response)


@access("programme.view")
def export_json(request: HttpRequest, year: int) -> HttpResponse:
    found = _report(request, year)
    body = json.dumps(reports.as_json(found), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="programme-{found.programme.year}.json"'
    return _private(response)
