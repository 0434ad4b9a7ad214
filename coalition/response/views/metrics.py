"""The rapid-response metrics over time: each situation's times to act and each year's medians, as a page or CSV."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coalition.core.access import access, personal
from coalition.core.exports import safe_cell
from coalition.response import queries
from coalition.response.views.display import duration, shown_metrics


def _minutes(value: dt.timedelta | None) -> str:
    return "" if value is None else str(int(value.total_seconds() // 60))


def _metrics_csv(each: list[queries.Metrics], summaries: dict[str, queries.Summary]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rapid-response-metrics.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "row",
            "year",
            "situation",
            "country",
            "situations",
            "first_signal_at",
            "opened_at",
            "minutes_to_opened",
            "minutes_to_first_pledge",
            "minutes_to_statement",
            "situations_to_opened",
            "situations_to_first_pledge",
            "situations_to_statement",
        ]
    )
    for m in each:
        s = m.situation
        writer.writerow(
            [
                "situation",
                str(s.opened_at.year),
                safe_cell(s.title),
                safe_cell(s.country.name),
                "1",
                s.first_signal_at.astimezone(dt.UTC).isoformat() if s.first_signal_at else "",
                s.opened_at.astimezone(dt.UTC).isoformat(),
                _minutes(m.to_opened),
                _minutes(m.to_first_pledge),
                _minutes(m.to_statement),
                "",
                "",
                "",
            ]
        )
    for year, summary in sorted(summaries.items()):
        writer.writerow(
            [
                "median",
                year,
                "",
                "",
                str(summary.count),
                "",
                "",
                _minutes(summary.median_to_opened),
                _minutes(summary.median_to_first_pledge),
                _minutes(summary.median_to_statement),
                str(summary.counted_to_opened),
                str(summary.counted_to_first_pledge),
                str(summary.counted_to_statement),
            ]
        )
    return response


@personal
@access("response.view")
def metrics(request: HttpRequest) -> HttpResponse:
    each, summaries = queries.metrics(request.user)
    if request.GET.get("format") == "csv":
        return _metrics_csv(each, summaries)
    years = [
        (
            year,
            summary.count,
            [  # each median with the number of situations it is over
                (duration(summary.median_to_opened), summary.counted_to_opened),
                (duration(summary.median_to_first_pledge), summary.counted_to_first_pledge),
                (duration(summary.median_to_statement), summary.counted_to_statement),
            ],
        )
        for year, summary in sorted(summaries.items(), reverse=True)
    ]
    return render(
        request,
        "response/metrics.html",
        {"rows": [shown_metrics(m) for m in each], "years": years},
    )
