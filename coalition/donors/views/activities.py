"""The funding activities (PoA 2A.2): the list with its search, filters and CSV export, and one activity with its
money as reported and converted, its place in a hierarchy, its overlaps and (for its reporter) its sharing."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.exports import safe_cell
from coalition.core.forms import submit
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.donors import amounts, queries, services
from coalition.donors.forms import ActivityFilterForm, TierForm
from coalition.donors.models import Allocation, DonorGroup, ExchangeRate, FundingActivity, FundingLine, Overlap
from coalition.donors.money import counted_lines
from coalition.donors.templatetags.donors import money, topic_label
from coalition.donors.views import common
from coalition.donors.views.common import failed, governments, is_reporters_people
from coalition.donors.views.overlaps import OverlapRow, names, reason_countries, reasons

ACTIVITIES_PER_PAGE = 50


def _reporters_shown(user: Any) -> QuerySet[Organisation]:
    """The members whose records the viewer can read (the reporter filter offers no other)."""
    return Organisation.objects.filter(pk__in=policy.visible_to(user, FundingActivity).values("reporter_id")).order_by(
        "name"
    )


def reported_amounts(lines: Iterable[FundingLine]) -> list[tuple[str, Decimal]]:
    """The counted amounts as reported, one sum per currency."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in counted_lines(lines)[1]:
        sums[line.currency] += line.value
    return sorted(sums.items())


def _codes(items: list[dict[str, Any]], *, key: str = "code") -> str:
    return "; ".join(
        f"{item.get(key, '')} ({item['percentage']}%)" if item.get("percentage") else str(item.get(key, ""))
        for item in items
    )


def _activities_csv(rows: QuerySet[FundingActivity]) -> HttpResponse:
    currency = settings.DONORS_CURRENCY
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="funding-activities.csv"'
    response.write("\ufeff")  # spreadsheets read UTF-8 by its byte-order mark
    writer = csv.writer(response)
    writer.writerow(
        [
            "identifier",
            "reporter",
            "title",
            "tier",
            "status",
            "start",
            "end",
            "countries",
            "sectors",
            "topics",
            f"total_{currency.lower()}",
            "total_basis",
            "as_reported",
        ]
    )
    for activity in rows.prefetch_related("lines").iterator(chunk_size=500):
        sectors = "; ".join(
            f"{s['vocabulary']}:{s['code']}" + (f" ({s['percentage']}%)" if s.get("percentage") else "")
            for s in activity.sectors
        )
        reported = "; ".join(f"{code} {amount}" for code, amount in reported_amounts(activity.lines.all()))
        writer.writerow(
            [
                safe_cell(activity.identifier),
                safe_cell(activity.reporter.name),
                safe_cell(activity.title),
                safe_cell(activity.get_tier_display()),
                safe_cell(activity.get_status_display() if activity.status else ""),
                activity.starts_on.isoformat() if activity.starts_on else "",
                activity.ends_on.isoformat() if activity.ends_on else "",
                safe_cell(_codes(activity.countries)),
                safe_cell(sectors),
                safe_cell("; ".join(topic_label(t) for t in activity.topics)),
                safe_cell(activity.total),
                safe_cell(activity.total_basis),
                safe_cell(reported),
            ]
        )
    return response


@personal
@access("donors.view")
def activities(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ActivityFilterForm(request.GET or None, reporters=_reporters_shown(user))
    found = queries.activities(user, **form.filters()).order_by("-starts_on", "title", "pk")
    if request.GET.get("format") == "csv":
        return _activities_csv(found)
    page = Paginator(found, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return render(
        request,
        "donors/activities.html",
        {
            "form": form,
            "page": page,
            "csv_query": query.urlencode(),
            "currency": settings.DONORS_CURRENCY,
        },
    )


@dataclass(frozen=True)
class LineRow:
    line: FundingLine
    conversion: str  # how the amount reads in the mechanism's currency, naming the rate, its source and date
    note: str = ""  # how a negative amount counts


def negative_note(line: FundingLine) -> str:
    """Why a negative line does not count as written (`amounts`: IATI reversals and budgets)."""
    if line.value >= 0 or line.kind == FundingLine.Kind.OTHER:
        return ""
    if amounts.is_negative_forecast(line):
        return _("Not counted: a budget or forecast is never negative in IATI (a lower budget is a revised one).")
    return _("A reversal: netted against the activity’s other %(kind)s.") % {"kind": amounts.plural(line.kind, 2)}


def conversion_of(line: FundingLine) -> str:
    """“≈ USD 1,085,000 at 1 EUR = 1.085 USD, ECB reference rate, 2024-03-28”; “no rate recorded for XOF”."""
    currency = settings.DONORS_CURRENCY
    if line.currency == currency:
        return ""
    rate: ExchangeRate | None = line.rate
    if rate is None or line.converted is None:
        return _("no rate recorded for %(currency)s") % {"currency": line.currency}
    return _("≈ %(to)s %(amount)s at 1 %(from)s = %(rate)s %(to)s, %(source)s, %(on)s") % {
        "to": currency,
        "amount": money(line.converted),
        "from": line.currency,
        "rate": f"{rate.rate.normalize():f}",
        "source": rate.source,
        "on": rate.on.isoformat(),
    }


@dataclass(frozen=True)
class Sharing:
    """The sharing panel: shown to the reporter's people only, who alone read whom a bilateral record names."""

    mine: bool
    partners: Sequence[Organisation]
    form: TierForm | None


def _sharing(user: Any, activity: FundingActivity, tier_form: TierForm | None) -> Sharing:
    if not is_reporters_people(user, activity):
        return Sharing(False, [], None)
    # One query gives the members the record may be shared with and which of them it names.
    named = FundingActivity.bilateral_with.through.objects.filter(
        fundingactivity_id=activity.pk, organisation_id=OuterRef("pk")
    )
    others = list(governments(user).exclude(pk=activity.reporter_id).annotate(named=Exists(named)))
    partners = [organisation for organisation in others if organisation.named]
    if tier_form is None:
        initial = {"tier": activity.tier, "group": activity.group_id, "bilateral_with": [o.pk for o in partners]}
        tier_form = _tier_form(user, activity, governments=others, initial=initial)
    return Sharing(True, partners, tier_form)


def _family(user: Any, activity: FundingActivity) -> dict[str, Any]:
    """The hierarchy (IATI related-activity type 1 = parent): the parent and the parts, among what the viewer
    reads."""
    family = list(
        policy.visible_to(user, FundingActivity)
        .filter(reporter_id=activity.reporter_id)
        .filter(Q(identifier=activity.parent_identifier) | Q(parent_identifier=activity.identifier))
        .exclude(pk=activity.pk)
        .only("pk", "identifier", "title", "parent_identifier")
    )
    return {
        "parent": next((a for a in family if a.identifier == activity.parent_identifier), None),
        "parts": [a for a in family if a.parent_identifier == activity.identifier],
    }


def _money(user: Any, activity: FundingActivity, lines: list[FundingLine]) -> dict[str, Any]:
    """The lines as reported and converted, what counts of them, and at which level of the hierarchy."""
    basis, _counted = counted_lines(lines)
    level, level_others = queries.counted_level(user, activity)
    return {
        "currency": settings.DONORS_CURRENCY,
        "lines": [LineRow(line, conversion_of(line), negative_note(line)) for line in lines],
        "negatives": amounts.negative_notes(lines),
        "level": level,
        "level_others": level_others,
        "reported": reported_amounts(lines),
        "basis": basis,
    }


def _where_and_what(
    activity: FundingActivity, allocations: list[Allocation], overlaps: list[Overlap]
) -> dict[str, Any]:
    """Countries, topics, the allocation by both, and the overlaps with the reasons for each."""
    countries = names(
        [c["code"] for c in activity.countries] + [a.country for a in allocations] + list(reason_countries(overlaps))
    )
    return {
        "allocations": [(a, countries.get(a.country, a.country), topic_label(a.topic)) for a in allocations],
        "countries": [(c, countries.get(c["code"], c["code"])) for c in activity.countries],
        "topics": [topic_label(t) for t in activity.topics],
        "overlaps": [
            OverlapRow(o, reasons(o, countries), other=o.second if o.first_id == activity.pk else o.first)
            for o in overlaps
        ],
    }


def _activity_page(
    request: HttpRequest, activity: FundingActivity, *, status: int = 200, tier_form: TierForm | None = None
) -> HttpResponse:
    user = request.user
    lines = list(activity.lines.select_related("rate").order_by("period_start", "kind", "pk"))
    allocations = list(activity.allocations.order_by("-amount", "country", "topic"))
    overlaps = list(queries.overlaps(user, activity=activity))
    sharing = _sharing(user, activity, tier_form)
    return render(
        request,
        "donors/activity.html",
        {
            "activity": activity,
            **_family(user, activity),
            **_money(user, activity, lines),
            **_where_and_what(activity, allocations, overlaps),
            "mine": sharing.mine,
            "bilateral_with": sharing.partners,
            "tier_form": sharing.form,
        },
        status=status,
    )


def _tier_form(
    user: Any,
    activity: FundingActivity,
    data: Any = None,
    *,
    governments: Sequence[Organisation] | None = None,
    **kwargs: Any,
) -> TierForm:
    if governments is None:
        governments = list(common.governments(user).exclude(pk=activity.reporter_id))
    return TierForm(
        data,
        groups=list(policy.visible_to(user, DonorGroup).filter(members=activity.reporter).order_by("name")),
        governments=governments,
        **kwargs,
    )


def _activity(request: HttpRequest, pk: int) -> FundingActivity:
    return get_object_or_404(queries.activities(request.user), pk=pk)


@personal
@access("donors.view")
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_page(request, _activity(request, pk))


def _shared(request: HttpRequest, form: TierForm, found: FundingActivity) -> Callable[[Any], HttpResponse]:
    def done(_result: Any) -> HttpResponse:
        messages.success(
            request,
            _("Sharing changed: the record is now shared with %(tier)s.")
            % {"tier": Tier(form.cleaned_data["tier"]).label.lower()},
        )
        return redirect(reverse("donors:activity", args=[found.pk]) + "#sharing")

    return done


@require_POST
@access("donors.share")
def tier(request: HttpRequest, pk: int) -> HttpResponse:
    found = _activity(request, pk)
    form = _tier_form(request.user, found, request.POST)
    return submit(
        request,
        form,
        lambda: services.set_tier(
            found,
            by=request.user,
            tier=form.cleaned_data["tier"],
            group=form.chosen_group(),
            bilateral_with=form.chosen_members(),
        ),
        done=_shared(request, form, found),
        page=lambda status: failed(_activity_page(request, _activity(request, pk), status=status, tier_form=form)),
        catching=InvalidInput,
    )
