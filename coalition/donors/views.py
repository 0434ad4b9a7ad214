"""Donor-coordination pages (PoA 2A.1–2A.4): the overview with joining and leaving, the funding activities (search,
filters, CSV), one activity with its money as reported and converted and its sharing, imports and their reports,
the spreadsheet template, overlaps and their review, the alignment views (heatmap, gaps, timeline), the reference
data the Support Unit keeps (topic mapping, exchange rates, donor groups) and the donor principles with each
member's self-assessment.

Each view declares its rule. Records are read through `queries` or `policy.visible_to` (a record the viewer may not
read is a 404, never a 403: its existence is not confirmed). Every write is one service, whose error comes back on
the form field it names with a 400 and nothing saved; a refusal by the policy is a 403 page with its message.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.exports import safe_cell
from coalition.core.forms import attempt
from coalition.core.policy import Role, Tier
from coalition.directory.models import Organisation
from coalition.donors import amounts, queries, services, spreadsheet, tasks
from coalition.donors.forms import (
    ActivityFilterForm,
    AssessmentForm,
    GroupForm,
    HeatmapFilterForm,
    ImportForm,
    MappingForm,
    MemberForm,
    OverlapFilterForm,
    RateForm,
    ReviewForm,
    TierForm,
    TimelineFilterForm,
    upload_data,
)
from coalition.donors.models import (
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    FundingLine,
    ImportBatch,
    Overlap,
    Participation,
    SelfAssessment,
    Topic,
    TopicMapping,
)
from coalition.donors.templatetags.donors import money, topic_label

ACTIVITIES_PER_PAGE = 50
OVERLAPS_PER_PAGE = 25
RATES_PER_PAGE = 100
BATCHES_SHOWN = 10
_topic = topic_label


def _failed(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Who the viewer acts for --------------------------------------------------------------------------------------


def _governments(user: Any) -> QuerySet[Organisation]:
    return policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")


def _own_members(user: Any) -> QuerySet[Organisation]:
    """The governments the viewer holds a position for."""
    return _governments(user).filter(pk__in=policy.actor_for(user).acts_for)


def _may_act_for(user: Any) -> QuerySet[Organisation]:
    """The governments the viewer may join, report or assess for: its own; any government for the Support Unit,
    which records what reaches it by other means. (The service asks the policy again for the one chosen.)"""
    if policy.actor_for(user).has(Role.SUPPORT_UNIT):
        return _governments(user)
    return _own_members(user)


def _is_reporters_people(user: Any, activity: FundingActivity) -> bool:
    """Whether the viewer speaks for the member that reported the record (`donors.share`): only they choose who it
    is shared with, and only they read the members a bilateral record names."""
    return policy.can(user, "donors.share", activity.reporter)


# --- Overview -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    organisation: Organisation
    participation: Participation | None
    may_act: bool


@personal
@access("donors.view")
def index(request: HttpRequest) -> HttpResponse:
    return _index_page(request)


def _index_page(request: HttpRequest, *, problem: MemberForm | None = None) -> HttpResponse:
    user = request.user
    actor = policy.actor_for(user)
    open_overlaps = queries.overlaps(user, review=Overlap.Review.OPEN)
    if not actor.has(Role.SUPPORT_UNIT):
        open_overlaps = open_overlaps.filter(
            Q(first__reporter__in=actor.acts_for) | Q(second__reporter__in=actor.acts_for)
        )
    current = {
        p.organisation_id: p
        for p in policy.visible_to(user, Participation).filter(left_on__isnull=True).select_related("organisation")
    }
    mine = [
        MemberRow(org, current.get(org.pk), policy.can(user, "donors.take_part", org)) for org in _own_members(user)
    ]
    is_support = actor.has(Role.SUPPORT_UNIT)
    join_form = None
    if is_support and policy.can(user, "donors.take_part"):
        join_form = MemberForm(members=_governments(user).exclude(pk__in=list(current)))
    can_report = policy.can(user, "donors.report")
    return render(
        request,
        "donors/index.html",
        {
            "mine": mine,
            "participants": sorted(current.values(), key=lambda p: p.organisation.name) if is_support else [],
            "join_form": join_form,
            "activity_count": queries.activities(user).count(),
            "overlap_count": open_overlaps.count(),
            "batches": list(queries.batches(user)[:BATCHES_SHOWN]) if can_report else [],
            "can_report": can_report,
            "can_align": policy.can(user, "donors.align"),
            "can_manage": policy.can(user, "donors.manage"),
            "is_support": is_support,
            "problem": problem,
        },
        status=400 if problem is not None else 200,
    )


def _participation_change(request: HttpRequest, *, joining: bool) -> HttpResponse:
    user = request.user
    form = MemberForm(request.POST, members=_may_act_for(user))

    def act() -> Participation:
        organisation = form.cleaned_data["organisation"]
        if joining:
            return services.join(organisation=organisation, by=user)
        return services.leave(organisation=organisation, by=user)

    done = attempt(form, act, catching=InvalidInput)
    if done is None:
        return _failed(_index_page(request, problem=form))
    name = done.value.organisation.name
    if joining:
        messages.success(request, _("%(member)s takes part in donor coordination from today.") % {"member": name})
    else:
        messages.success(
            request,
            _("%(member)s has left donor coordination: its records are its own again, except public ones.")
            % {"member": name},
        )
    return redirect("donors:index")


@require_POST
@access("donors.take_part")
def join(request: HttpRequest) -> HttpResponse:
    return _participation_change(request, joining=True)


@require_POST
@access("donors.take_part")
def leave(request: HttpRequest) -> HttpResponse:
    return _participation_change(request, joining=False)


# --- Activities ---------------------------------------------------------------------------------------------------


def _reporters_shown(user: Any) -> QuerySet[Organisation]:
    """The members whose records the viewer can read (the reporter filter offers no other)."""
    return Organisation.objects.filter(pk__in=policy.visible_to(user, FundingActivity).values("reporter_id")).order_by(
        "name"
    )


def reported_amounts(lines: Iterable[FundingLine]) -> list[tuple[str, Decimal]]:
    """The counted amounts as reported, one sum per currency."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in services.counted_lines(lines)[1]:
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
                safe_cell("; ".join(_topic(t) for t in activity.topics)),
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


@dataclass
class OverlapRow:
    overlap: Overlap
    reasons: list[tuple[str, float]]
    form: ReviewForm | None = None
    other: FundingActivity | None = None  # on an activity's page: the activity it overlaps with


def _names(codes: Iterable[str]) -> dict[str, str]:
    return queries.country_names(set(codes))


def _percent(value: Any) -> int:
    return round(100 * float(value))


def reason_text(reason: dict[str, Any], countries: dict[str, str]) -> str:
    """A detector's reason in plain words (see `coalition.donors.overlap` for the details each kind carries)."""
    kind, detail = reason.get("kind", ""), reason.get("detail") or {}
    if kind == "country_topic":
        return _("Both fund %(topics)s in %(countries)s.") % {
            "topics": ", ".join(_topic(t) for t in detail.get("topics", [])) or _("the same topic"),
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


def _reasons(overlap: Overlap, countries: dict[str, str]) -> list[tuple[str, float]]:
    return [(reason_text(r, countries), float(r.get("weight", 0))) for r in overlap.reasons or []]


def _reason_countries(overlaps: Iterable[Overlap]) -> set[str]:
    return {
        code
        for o in overlaps
        for r in o.reasons or []
        if r.get("kind") == "country_topic"
        for code in (r.get("detail") or {}).get("countries", [])
    }


def _activity_page(
    request: HttpRequest, activity: FundingActivity, *, status: int = 200, tier_form: TierForm | None = None
) -> HttpResponse:
    user = request.user
    lines = list(activity.lines.select_related("rate").order_by("period_start", "kind", "pk"))
    allocations = list(activity.allocations.order_by("-amount", "country", "topic"))
    overlaps = list(queries.overlaps(user, activity=activity))
    countries = _names(
        [c["code"] for c in activity.countries] + [a.country for a in allocations] + list(_reason_countries(overlaps))
    )
    mine = _is_reporters_people(user, activity)
    partners: list[Organisation] = []
    if mine:
        # One query gives the members the record may be shared with and which of them it names.
        governments = list(
            _governments(user)
            .exclude(pk=activity.reporter_id)
            .annotate(
                named=Exists(
                    FundingActivity.bilateral_with.through.objects.filter(
                        fundingactivity_id=activity.pk, organisation_id=OuterRef("pk")
                    )
                )
            )
        )
        partners = [organisation for organisation in governments if organisation.named]
        if tier_form is None:
            tier_form = _tier_form(
                user,
                activity,
                governments=governments,
                initial={
                    "tier": activity.tier,
                    "group": activity.group_id,
                    "bilateral_with": [organisation.pk for organisation in partners],
                },
            )
    basis, _counted = services.counted_lines(lines)
    # The hierarchy (IATI related-activity type 1 = parent): the parent and the parts, among what the viewer reads.
    family = list(
        policy.visible_to(user, FundingActivity)
        .filter(reporter_id=activity.reporter_id)
        .filter(Q(identifier=activity.parent_identifier) | Q(parent_identifier=activity.identifier))
        .exclude(pk=activity.pk)
        .only("pk", "identifier", "title", "parent_identifier")
    )
    level, level_others = queries.counted_level(user, activity)
    return render(
        request,
        "donors/activity.html",
        {
            "activity": activity,
            "parent": next((a for a in family if a.identifier == activity.parent_identifier), None),
            "parts": [a for a in family if a.parent_identifier == activity.identifier],
            "currency": settings.DONORS_CURRENCY,
            "lines": [LineRow(line, conversion_of(line), negative_note(line)) for line in lines],
            "negatives": amounts.negative_notes(lines),
            "level": level,
            "level_others": level_others,
            "reported": reported_amounts(lines),
            "allocations": [(a, countries.get(a.country, a.country), _topic(a.topic)) for a in allocations],
            "countries": [(c, countries.get(c["code"], c["code"])) for c in activity.countries],
            "topics": [_topic(t) for t in activity.topics],
            "overlaps": [
                OverlapRow(o, _reasons(o, countries), other=o.second if o.first_id == activity.pk else o.first)
                for o in overlaps
            ],
            "mine": mine,
            "bilateral_with": partners,
            "tier_form": tier_form if mine else None,
            "basis": basis,
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
        governments = list(_governments(user).exclude(pk=activity.reporter_id))
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


@require_POST
@access("donors.share")
def tier(request: HttpRequest, pk: int) -> HttpResponse:
    found = _activity(request, pk)
    form = _tier_form(request.user, found, request.POST)

    def act() -> FundingActivity:
        data = form.cleaned_data
        return services.set_tier(
            found, by=request.user, tier=data["tier"], group=form.chosen_group(), bilateral_with=form.chosen_members()
        )

    if attempt(form, act, catching=InvalidInput):
        messages.success(
            request,
            _("Sharing changed: the record is now shared with %(tier)s.")
            % {"tier": Tier(form.cleaned_data["tier"]).label.lower()},
        )
        return redirect(reverse("donors:activity", args=[found.pk]) + "#sharing")
    return _failed(_activity_page(request, _activity(request, pk), status=400, tier_form=form))


# --- Imports ------------------------------------------------------------------------------------------------------


@personal
@access("donors.report")
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload a file for a member: the task worker imports it, whole or not at all, under its time and memory limits
    (issue 16 item 7: no web worker reads an uploaded file), and the batch's page shows how far the import has got
    until the per-file report is there."""
    user = request.user
    reporters = _own_members(user)  # a member reports its own funding (not even the Support Unit for it)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        reporters=reporters,
        groups=list(policy.visible_to(user, DonorGroup).order_by("name")),
        governments=list(_governments(user)),
    )
    if request.method == "POST":

        def act() -> ImportBatch:
            data = form.cleaned_data
            upload = data["file"]
            return tasks.queue_import(
                upload_data(upload),
                file_name=upload.name or "",
                reporter=data["reporter"],
                by=user,
                tier=data["tier"],
                group=form.chosen_group(),
                bilateral_with=form.chosen_members(),
            )

        done = attempt(form, act, catching=InvalidInput)
        if done:
            messages.info(request, _("The file is being imported: this page shows how far it has got."))
            return redirect("donors:batch", pk=done.value.pk)
    return render(
        request,
        "donors/import.html",
        {"form": form, "max_mb": settings.DONORS_MAX_FILE_BYTES / 1048576},
        status=400 if form.errors else 200,
    )


@personal
@access("donors.view")
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(queries.batches(request.user), pk=pk)
    return render(request, "donors/batch.html", {"batch": found})


TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@access("donors.report")
def template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TEMPLATE_TYPES:
        raise Http404
    content = spreadsheet.template_xlsx() if fmt == "xlsx" else spreadsheet.template_csv()
    response = HttpResponse(content, content_type=TEMPLATE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="donor-funding-template.{fmt}"'
    return response


# --- Overlaps -----------------------------------------------------------------------------------------------------


def _overlaps_page(
    request: HttpRequest, *, status: int = 200, failed: ReviewForm | None = None, failed_pk: int | None = None
) -> HttpResponse:
    user = request.user
    form = OverlapFilterForm(request.GET or None)
    review = form.cleaned_data["review"] if form.is_bound and form.is_valid() else ""
    found = queries.overlaps(user, review=review).order_by("-score", "pk")
    page = Paginator(found, OVERLAPS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    countries = _names(_reason_countries(shown))
    rows = []
    for item in shown:
        review_form = None
        if failed is not None and failed_pk == item.pk:
            review_form = failed
        elif policy.can(user, "donors.review", item, from_visible_rows=True):
            review_form = ReviewForm(initial={"review": item.review, "note": item.note}, key=f"overlap{item.pk}")
        rows.append(OverlapRow(item, _reasons(item, countries), review_form))
    return render(
        request,
        "donors/overlaps.html",
        {"form": form, "page": page, "rows": rows, "can_detect": policy.can(user, "donors.manage")},
        status=status,
    )


@personal
@access("donors.view")
def overlaps(request: HttpRequest) -> HttpResponse:
    return _overlaps_page(request)


@require_POST
@access("donors.review")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(queries.overlaps(request.user), pk=pk)
    form = ReviewForm(request.POST, key=f"overlap{found.pk}")

    def act() -> Overlap:
        return services.review_overlap(
            found, by=request.user, review=form.cleaned_data["review"], note=form.cleaned_data["note"]
        )

    if attempt(form, act, catching=InvalidInput):
        messages.success(request, _("Overlap marked “%(review)s”.") % {"review": Overlap.Review(found.review).label})
        query = request.GET.urlencode()  # the list's page and filter, carried by the form's action
        return redirect(reverse("donors:overlaps") + (f"?{query}" if query else "") + f"#overlap-{found.pk}")
    return _failed(_overlaps_page(request, status=400, failed=form, failed_pk=found.pk))


@require_POST
@access("donors.manage")
def detect(request: HttpRequest) -> HttpResponse:
    tasks.detect.enqueue(None)
    messages.success(request, _("Overlap detection runs for every activity; new candidates appear here."))
    return redirect("donors:overlaps")


# --- Alignment ----------------------------------------------------------------------------------------------------


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
    rows = [(gap, [(_topic(code), amount) for code, amount in sorted(gap.funding.items())]) for gap in found]
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


def _taxonomy_page(request: HttpRequest, *, form: MappingForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    can_manage = policy.can(user, "donors.manage")
    if form is None and can_manage:
        form = MappingForm()
    mappings = list(policy.visible_to(user, TopicMapping).order_by("topic", "kind", "code"))
    by_topic = [(label, [m for m in mappings if m.topic == code]) for code, label in Topic.choices]
    return render(
        request,
        "donors/taxonomy.html",
        {"by_topic": by_topic, "form": form, "can_manage": can_manage},
        status=status,
    )


@personal
@access("donors.align")
def taxonomy(request: HttpRequest) -> HttpResponse:
    """The mapping of sectors and policy markers to the programme's topics; the Support Unit adds to it (POST)."""
    if request.method != "POST":
        return _taxonomy_page(request)
    policy.require(request.user, "donors.manage")
    form = MappingForm(request.POST)
    done = attempt(form, lambda: services.set_mapping(by=request.user, **form.cleaned_data), catching=InvalidInput)
    if done:
        messages.success(
            request, _("Mapping saved: %(mapping)s. Every activity is re-mapped.") % {"mapping": done.value}
        )
        return redirect("donors:taxonomy")
    return _failed(_taxonomy_page(request, form=form, status=400))


@require_POST
@access("donors.manage")
def remove_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(policy.visible_to(request.user, TopicMapping), pk=pk)
    name = str(found)
    services.remove_mapping(found, by=request.user)
    messages.success(request, _("Mapping removed: %(mapping)s. Every activity is re-mapped.") % {"mapping": name})
    return redirect("donors:taxonomy")


@personal
@access("donors.align")
def rates(request: HttpRequest) -> HttpResponse:
    """Exchange rates the amounts are converted at; the Support Unit adds one (POST), re-converting its currency."""
    user = request.user
    can_manage = policy.can(user, "donors.manage")
    form = RateForm() if can_manage else None
    if request.method == "POST":
        policy.require(user, "donors.manage")
        form = posted = RateForm(request.POST)
        done = attempt(posted, lambda: services.add_rate(by=user, **posted.cleaned_data), catching=InvalidInput)
        if done:
            messages.success(request, _("Rate recorded: %(rate)s.") % {"rate": done.value})
            return redirect("donors:rates")
    page = Paginator(policy.visible_to(user, ExchangeRate).order_by("currency", "-on"), RATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    response = render(
        request,
        "donors/rates.html",
        {"page": page, "form": form, "currency": settings.DONORS_CURRENCY},
        status=400 if form is not None and form.errors else 200,
    )
    return response


def _group_form(user: Any, data: Any = None, **kwargs: Any) -> GroupForm:
    return GroupForm(data, governments=_governments(user), **kwargs)


def _save_group(request: HttpRequest, form: GroupForm, group: DonorGroup | None) -> DonorGroup | None:
    done = attempt(
        form,
        lambda: services.save_group(
            by=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            members=list(form.cleaned_data["members"]),
            group=group,
        ),
        catching=InvalidInput,
    )
    if done is None:
        return None
    messages.success(request, _("Donor group “%(name)s” saved.") % {"name": done.value.name})
    return done.value


@personal
@access("donors.align")
def groups(request: HttpRequest) -> HttpResponse:
    """Donor groups (a record shared "with a group" reaches its members); the Support Unit creates one (POST)."""
    user = request.user
    form = _group_form(user) if policy.can(user, "donors.manage") else None
    if request.method == "POST":
        policy.require(user, "donors.manage")
        form = _group_form(user, request.POST)
        if _save_group(request, form, None):
            return redirect("donors:groups")
    found = policy.visible_to(user, DonorGroup).prefetch_related(
        Prefetch("members", queryset=Organisation.objects.order_by("name"))
    )
    return render(
        request,
        "donors/groups.html",
        {"groups": list(found.order_by("name")), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@personal
@access("donors.manage")
def group(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = get_object_or_404(policy.visible_to(user, DonorGroup), pk=pk)
    if request.method == "POST":
        form = _group_form(user, request.POST)
        if _save_group(request, form, found):
            return redirect("donors:groups")
    else:
        form = _group_form(
            user,
            initial={"name": found.name, "description": found.description, "members": list(found.members.all())},
        )
    return render(request, "donors/group.html", {"group": found, "form": form}, status=400 if form.errors else 200)


# --- Principles ---------------------------------------------------------------------------------------------------


@dataclass
class Principle:
    paragraph: int  # its paragraph number in the document's latest version
    number: int  # its number among the principles (headings skipped)
    html: SafeString
    form: AssessmentForm | None = None


@dataclass
class PrinciplesShown:
    document: Any
    version: Any
    principles: list[Principle]
    ratings: list[tuple[Organisation, list[SelfAssessment | None]]]


def _principles(document: Any, version: Any) -> list[tuple[int, str]]:
    from coalition.documents.models import paragraphs_of

    texts = paragraphs_of(version.text) if version else []
    return [(n, text) for n, text in enumerate(texts, start=1) if not text.startswith("#")]


def _principles_page(
    request: HttpRequest, *, failed: AssessmentForm | None = None, failed_at: tuple[int, int] | None = None
) -> HttpResponse:
    from coalition.documents.models import Document, Version, text_hash
    from coalition.documents.services import render as render_markdown

    user = request.user
    members = [m for m in _own_members(user) if policy.can(user, "donors.assess", m)]
    documents = (
        policy.visible_to(user, Document)
        .filter(kind=Document.Kind.PRINCIPLES)
        .prefetch_related(Prefetch("versions", queryset=Version.objects.order_by("-number"), to_attr="latest"))
        .order_by("-created_at")
    )
    shown = []
    placed = False
    for document in documents:
        version = document.latest[0] if document.latest else None
        texts = _principles(document, version)
        hashes = {text_hash(text): index for index, (_n, text) in enumerate(texts)}
        by_member: dict[int, tuple[Organisation, list[SelfAssessment | None]]] = {}
        for item in queries.assessments(user, document):
            index = hashes.get(item.paragraph_hash)
            if index is None:
                continue  # a principle that is no longer in the latest version
            row = by_member.setdefault(item.organisation_id, (item.organisation, [None] * len(texts)))
            row[1][index] = item
        own = by_member.get(members[0].pk) if members else None  # the form starts from the member's last answer
        principles = []
        for index, (paragraph, text) in enumerate(texts):
            form = None
            if failed is not None and failed_at == (document.pk, paragraph):
                form, placed = failed, True
            elif members:
                earlier = own[1][index] if own else None
                form = AssessmentForm(
                    initial={"rating": earlier.rating, "evidence": earlier.evidence} if earlier else None,
                    members=members,
                    key=f"assess{document.pk}-{paragraph}",
                )
            principles.append(Principle(paragraph, index + 1, render_markdown(text), form))
        ratings = sorted(by_member.values(), key=lambda row: row[0].name)
        shown.append(PrinciplesShown(document, version, principles, ratings))
    return render(
        request,
        "donors/principles.html",
        {"shown": shown, "members": members, "problem": failed if failed is not None and not placed else None},
        status=400 if failed is not None else 200,
    )


@personal
@access("donors.align")
def principles(request: HttpRequest) -> HttpResponse:
    return _principles_page(request)


@require_POST
@access("donors.assess")
def assess(request: HttpRequest, pk: int, paragraph: int) -> HttpResponse:
    from coalition.documents.models import Document

    user = request.user
    document = get_object_or_404(policy.visible_to(user, Document).filter(kind=Document.Kind.PRINCIPLES), pk=pk)
    members = [m for m in _own_members(user) if policy.can(user, "donors.assess", m)]
    form = AssessmentForm(request.POST, members=members, key=f"assess{document.pk}-{paragraph}")
    by_pk = {m.pk: m for m in members}

    def act() -> SelfAssessment:
        data = form.cleaned_data
        return services.assess(
            organisation=by_pk[data["organisation"]],
            document=document,
            paragraph=paragraph,
            rating=data["rating"],
            evidence=data["evidence"],
            by=user,
        )

    if attempt(form, act, catching=InvalidInput):
        messages.success(request, _("Self-assessment saved."))
        return redirect(reverse("donors:principles") + f"#principle-{document.pk}-{paragraph}")
    return _failed(_principles_page(request, failed=form, failed_at=(document.pk, paragraph)))
