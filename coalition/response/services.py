"""Every write to rapid response: alerts from corroborating signals, situations, their playbook, pledges, notes,
civil-society reports, the fast-tracked statement, widening, closure with an after-action review, and the toolkit.

Each function checks the policy, keeps its invariants, writes in one transaction and leaves a ledger record; what
happens in a situation also lands on its timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.programme import services as programme
from coalition.programme.models import Activity
from coalition.response import notices, timeline
from coalition.response.detection import Evidence, corroborate
from coalition.response.models import (
    Alert,
    CivilSocietyReport,
    PlaybookStep,
    Pledge,
    Signal,
    SignalKind,
    Situation,
    Source,
    TimelineEntry,
    Tool,
)
from coalition.statements import services as statements

RESPONSE_ACTIVITY = "1B.3"
# How a pledge may move: delivered, or withdrawn; a delivery found not to have happened goes back to pledged; a
# withdrawn pledge comes back only by pledging again (`pledge`), which records who renewed it.
PLEDGE_MOVES: dict[str, set[str]] = {
    Pledge.Status.PLEDGED: {Pledge.Status.DELIVERED, Pledge.Status.WITHDRAWN},
    Pledge.Status.DELIVERED: {Pledge.Status.PLEDGED},
}
STATEMENT_ACTIVITY = "1A.5"


def _require_open(situation: Situation, field: str = "situation") -> None:
    if situation.status != Situation.Status.OPEN:
        raise InvalidInput("This situation is closed.", field=field)


# --- Alerts -------------------------------------------------------------------------------------------------------


# Signals live this long before a replay take part in corroboration: recent ones, and older ones still under way.
CORROBORATION_LOOKBACK = dt.timedelta(days=30)
# How STOP (and a Radar scope) names the whole country: "Nationwide", "nationwide (except Kurdistan)", "National
# except Kurdish areas", "Nation wide", "Nationwde", "Entire country", "Countrywide shutdown", "Near country-wide".
NATIONWIDE = re.compile(r"\s*(near\s+)?(nation\s*-?\s*wi?de|national\b|entire country|country\s*-?\s*wide)", re.I)


def raise_alerts(*, now: dt.datetime | None = None) -> list[Alert]:
    """Corroboration (`detection.corroborate`): an episode of one country's disruption that two sources agree on —
    the same kind of disruption (connectivity or a blocked platform), in a compatible region and network, within
    the corroboration window — raises one alert. A nationwide shutdown in Access Now's curated STOP record raises
    one alone, as a single-source alert for review. Signals live in the last 30 days take part, among them a
    shutdown its source says is ongoing however long ago it began (a regional shutdown running for years confirms
    a new national outage there), except signals of alerts that became a situation or were dismissed. An open alert
    takes a new episode that shares a signal with it instead of a second alert."""
    now = now or timezone.now()
    window = dt.timedelta(hours=settings.RESPONSE_CORROBORATION_HOURS)
    since = now - CORROBORATION_LOOKBACK
    # An open alert's own signals take part again, so that new evidence of its episode joins it.
    live = (
        Signal.objects.exclude(alerts__status__in=[Alert.Status.SITUATION, Alert.Status.DISMISSED])
        .filter(Q(starts_at__gte=since) | Q(ends_at__gte=since) | Q(ends_at__isnull=True))
        .distinct()
    )
    signals: dict[Hashable, Signal] = {
        s.pk: s for s in live if s.starts_at >= since or s.ends_at is not None or _said_ongoing(s)
    }
    raised = []
    with transaction.atomic():
        for found in corroborate([_evidence(s, now) for s in signals.values()], window=window):
            members = [signals[pk] for pk in found.members]
            # A day-dated first start (or last end) is shown as its day; an instant of another source is not.
            first_day = any(s.whole_days and s.starts_at == found.first_seen for s in members)
            last_day = any(s.whole_days and s.ends_at == found.last_seen for s in members)
            alert = Alert.objects.filter(status=Alert.Status.OPEN, signals__in=members).order_by("pk").first()
            if alert is None:
                alert = Alert.objects.create(
                    country_id=int(found.country),
                    first_signal_at=found.first_seen,
                    last_signal_at=found.last_seen,
                    first_signal_whole_day=first_day,
                    last_signal_whole_day=last_day,
                    sources=list(found.sources),
                )
                raised.append(alert)
                ledger.record("response.alert_raised", subject=alert, data={"sources": list(found.sources)})
            else:
                if found.first_seen <= alert.first_signal_at:
                    alert.first_signal_whole_day = first_day or (
                        found.first_seen == alert.first_signal_at and alert.first_signal_whole_day
                    )
                if found.last_seen >= alert.last_signal_at:
                    alert.last_signal_whole_day = last_day or (
                        found.last_seen == alert.last_signal_at and alert.last_signal_whole_day
                    )
                alert.first_signal_at = min(alert.first_signal_at, found.first_seen)
                alert.last_signal_at = max(alert.last_signal_at, found.last_seen)
                alert.sources = sorted(set(alert.sources) | set(found.sources))
                alert.save(
                    update_fields=[
                        "first_signal_at",
                        "last_signal_at",
                        "first_signal_whole_day",
                        "last_signal_whole_day",
                        "sources",
                    ]
                )
            alert.signals.add(*members, *(signals[pk] for pk in found.supporters))
        notices.alerts_raised(raised)
    return raised


def _said_ongoing(signal: Signal) -> bool:
    """An empty end is an ongoing event for a measurement source; a STOP row's empty end is often an end never
    recorded (140 rows of the 2016–2018 sheet), so only a row that says "ongoing" is."""
    if signal.source != Source.STOP:
        return True
    said = f"{signal.details.get('shutdown_status', '')} {signal.details.get('end_note', '')}"
    return "ongoing" in said.casefold()


def _evidence(signal: Signal, now: dt.datetime) -> Evidence:
    nationwide = bool(NATIONWIDE.match(signal.region)) or (
        not signal.region and signal.details.get("geo_scope", "").strip() == "National"
    )
    return Evidence(
        key=signal.pk,
        source=signal.source,
        country=str(signal.country_id),
        family="content" if signal.kind == SignalKind.PLATFORM_BLOCK else "connectivity",
        began_at=signal.starts_at,
        ended_at=max(signal.ends_at or now, signal.starts_at),
        area="" if nationwide else signal.region,
        network=signal.asn,
        alone=nationwide and signal.source == Source.STOP and signal.kind == SignalKind.FULL_SHUTDOWN,
    )


def dismiss_alert(alert: Alert, *, by: Any, reason: str) -> Alert:
    policy.require(by, "response.manage")
    if alert.status != Alert.Status.OPEN:
        raise InvalidInput("Only an open alert can be dismissed.", field="alert")
    if not reason.strip():
        raise InvalidInput("Say why the alert is dismissed.", field="reason")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != Alert.Status.OPEN:
            raise InvalidInput("Only an open alert can be dismissed.", field="alert")
        alert.status, alert.dismissed_reason = Alert.Status.DISMISSED, reason.strip()[:300]
        alert.save(update_fields=["status", "dismissed_reason"])
        ledger.record("response.alert_dismissed", actor=by, subject=alert, data={"reason": alert.dismissed_reason})
    return alert


# --- Situations ---------------------------------------------------------------------------------------------------


def open_situation(
    *,
    by: Any,
    country: Country,
    title: str = "",
    summary: str = "",
    alert: Alert | None = None,
    first_signal_at: dt.datetime | None = None,
) -> Situation:
    """Open a situation for a country, from an alert or by hand: members-only, with the toolkit's standing actions
    as its playbook, and the first signal and the opening on its timeline."""
    policy.require(by, "response.open_situation")
    try:
        with transaction.atomic():
            return _open_situation(
                by=by, country=country, title=title, summary=summary, alert=alert, first_signal_at=first_signal_at
            )
    except IntegrityError:  # opened a moment ago by someone else, from this alert or for this country
        raise InvalidInput("A situation for this country was opened a moment ago.", field="country") from None


def _open_situation(
    *,
    by: Any,
    country: Country,
    title: str,
    summary: str,
    alert: Alert | None,
    first_signal_at: dt.datetime | None,
) -> Situation:
    if alert is not None:
        alert = Alert.objects.select_for_update().get(pk=alert.pk)  # one opening (or dismissal) at a time
        if alert.status != Alert.Status.OPEN:
            raise InvalidInput("This alert already has a situation or was dismissed.", field="alert")
        country = alert.country
        first_signal_at = alert.first_signal_at
    if first_signal_at is not None and first_signal_at > timezone.now():
        raise InvalidInput("The first signal cannot be in the future.", field="first_signal_at")
    if Situation.objects.filter(country=country, status=Situation.Status.OPEN).exists():
        raise InvalidInput(f"A situation for {country.name} is already open.", field="country")
    with transaction.atomic():
        situation = Situation.objects.create(
            country=country,
            title=(title.strip() or f"{country.name}: network disruption")[:200],
            summary=summary.strip(),
            alert=alert,
            first_signal_at=first_signal_at,
            first_signal_whole_day=alert is not None and alert.first_signal_whole_day,
            opened_by=by,
            classification=Classification.MEMBERS,
        )
        if alert is not None:
            alert.status = Alert.Status.SITUATION
            alert.save(update_fields=["status"])
            sources = alert.get_sources_display()
            timeline.add(situation, "signal", f"First signal ({sources})", at=alert.first_signal_at)
        elif first_signal_at is not None:
            timeline.add(situation, "signal", "First signal", at=first_signal_at)
        for tool in Tool.objects.filter(in_playbook=True):
            PlaybookStep.objects.create(situation=situation, tool=tool, owner=tool.suggested_lead)
        timeline.add(situation, "opened", "Situation opened", by=by)
        ledger.record("response.situation_opened", actor=by, subject=situation, data={"alert": alert and alert.pk})
        notices.situation_opened(situation)
    return situation


def widen(situation: Situation, *, by: Any, classification: str) -> Situation:
    """Only the Support Unit opens a situation room wider than the member governments (to the Advisory Network and
    observers, or to the public); civil-society reports in it stay restricted whatever the room's classification."""
    policy.require(by, "response.widen")
    policy.require(by, "response.view", situation)
    if classification not in (Classification.MEMBERS, Classification.COALITION, Classification.PUBLIC):
        raise InvalidInput("Choose members, coalition or public.", field="classification")
    with transaction.atomic():
        before = situation.classification
        situation.classification, situation.audience = classification, None
        situation.save(update_fields=["classification", "audience"])
        timeline.add(situation, "widened", f"Readers: {situation.get_classification_display()}", by=by)
        ledger.record(
            "response.situation_widened", actor=by, subject=situation, data={"from": before, "to": classification}
        )
    return situation


def set_step(
    step: PlaybookStep, *, by: Any, status: str, owner: str | None = None, note: str | None = None
) -> PlaybookStep:
    policy.require(by, "response.manage")
    policy.require(by, "response.view", step.situation)
    _require_open(step.situation)
    if status not in PlaybookStep.Status.values:
        raise InvalidInput("Choose a status for this action.", field="status")
    with transaction.atomic():
        changed = status != step.status
        step.status = status
        if owner is not None:
            step.owner = owner.strip()[:200]
        if note is not None:
            step.note = note.strip()
        step.save()
        if changed:
            timeline.add(step.situation, "step", f"{step.tool}: {step.get_status_display()}", by=by)
        ledger.record(
            "response.step_updated", actor=by, subject=step.situation, data={"tool": step.tool_id, "status": status}
        )
    return step


def add_note(situation: Situation, *, by: Any, text: str) -> TimelineEntry:
    policy.require(by, "response.open_situation")
    policy.require(by, "response.view", situation)
    _require_open(situation, field="text")
    if not text.strip():
        raise InvalidInput("Write the note.", field="text")
    if len(text) > 500:
        raise InvalidInput(f"A note is at most 500 characters; this one is {len(text)}.", field="text")
    with transaction.atomic():
        entry = TimelineEntry.objects.create(situation=situation, kind="note", text=text.strip(), by=by)
        ledger.record("response.note_added", actor=by, subject=situation)
    return entry


# --- Pledges ------------------------------------------------------------------------------------------------------


def pledge(
    situation: Situation,
    *,
    by: Any,
    organisation: Organisation,
    tool: Tool,
    description: str,
    amount: Decimal | None = None,
    currency: str = "",
) -> Pledge:
    """A member commits an action or a resource. One pledge per member and tool: pledging the same again is refused
    with the existing pledge named; a withdrawn pledge is renewed."""
    policy.require(by, "response.pledge", organisation)
    policy.require(by, "response.view", situation)
    _require_open(situation)
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput("Pledges are made by member governments.", field="organisation")
    if not description.strip():
        raise InvalidInput("Say what the member commits.", field="description")
    if amount is not None and amount <= 0:
        raise InvalidInput("An amount is more than zero.", field="amount")
    if amount is not None and len(currency.strip()) != 3:
        raise InvalidInput("Give the amount's currency as a three-letter code (EUR, USD, …).", field="currency")
    person = getattr(by, "person", None)
    if person is None:
        raise InvalidInput("Your account has no person in the directory to pledge as.", field="organisation")
    with transaction.atomic():
        existing = (
            Pledge.objects.select_for_update().filter(situation=situation, organisation=organisation, tool=tool).first()
        )
        if existing is not None and existing.status != Pledge.Status.WITHDRAWN:
            raise InvalidInput(
                f"{organisation} has already pledged “{tool}” here ({existing.get_status_display().lower()}); "
                "update that pledge instead.",
                field="tool",
            )
        fields = {
            "description": description.strip(),
            "amount": amount,
            "currency": currency.strip().upper() if amount is not None else "",
            "status": Pledge.Status.PLEDGED,
            "person": person,
            "updated_at": timezone.now(),
        }
        try:
            if existing is not None:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save()
                made = existing
            else:
                made = Pledge.objects.create(situation=situation, organisation=organisation, tool=tool, **fields)
        except IntegrityError:  # a pledge made at the same moment by a colleague
            raise InvalidInput(f"{organisation} has already pledged “{tool}” here.", field="tool") from None
        timeline.add(situation, "pledge", f"{organisation} pledged: {tool}", by=by)
        ledger.record(
            "response.pledged", actor=by, subject=situation, on_behalf_of=organisation, data={"tool": tool.pk}
        )
        _step_underway(situation, tool, by=by, owner=str(organisation))
    return made


def _step_underway(situation: Situation, tool: Tool, *, by: Any, owner: str) -> None:
    """A pledge means a member is taking the action, so its playbook step moves from proposed to underway (not to
    done: that is for the delivery, and a joint action may need more members). A step the Support Unit or the Chair
    already moved (underway, done, not taken) stays as they decided; an action pledged from outside the playbook
    joins it, underway, with the pledging member as its owner."""
    step, created = PlaybookStep.objects.select_for_update().get_or_create(
        situation=situation, tool=tool, defaults={"status": PlaybookStep.Status.UNDERWAY, "owner": owner[:200]}
    )
    if not created and step.status != PlaybookStep.Status.PROPOSED:
        return
    if not created:
        step.status = PlaybookStep.Status.UNDERWAY
        step.save(update_fields=["status"])
    timeline.add(situation, "step", f"{tool}: {step.get_status_display()}", by=by)
    ledger.record("response.step_updated", actor=by, subject=situation, data={"tool": tool.pk, "status": step.status})


def set_pledge_status(item: Pledge, *, by: Any, status: str) -> Pledge:
    """The member (or the Support Unit) marks its pledge delivered or withdraws it."""
    policy.require(by, "response.pledge", item.organisation)
    policy.require(by, "response.view", item.situation)
    allowed = PLEDGE_MOVES.get(item.status, set())
    if status not in allowed:
        raise InvalidInput(
            f"A pledge that is {item.get_status_display().lower()} cannot become {status}"
            + ("; pledge it again instead." if item.status == Pledge.Status.WITHDRAWN else "."),
            field="status",
        )
    with transaction.atomic():
        item.status, item.updated_at = status, timezone.now()
        item.save(update_fields=["status", "updated_at"])
        timeline.add(
            item.situation, "pledge", f"{item.organisation}: {item.tool} {item.get_status_display().lower()}", by=by
        )
        ledger.record(
            "response.pledge_updated", actor=by, subject=item.situation, data={"pledge": item.pk, "status": status}
        )
    return item


# --- Civil-society reports ----------------------------------------------------------------------------------------


def add_report(situation: Situation, *, by: Any, text: str) -> CivilSocietyReport:
    """A report from civil society (or a government) reaches the Support Unit and the reporter only; the Support
    Unit shares it with whoever needs it (`share_report`)."""
    policy.require(by, "response.report")
    policy.require(by, "response.view", situation)
    _require_open(situation)
    if not text.strip():
        raise InvalidInput("Write the report.", field="text")
    person_id = getattr(by, "person_id", None)
    with transaction.atomic():
        audience = Audience.objects.create(name=f"Report in {situation.title}"[:200])
        if person_id:
            AudienceMember.objects.create(audience=audience, principal=f"person:{person_id}")
        report = CivilSocietyReport.objects.create(
            situation=situation,
            text=text.strip(),
            submitted_by=by,
            classification=Classification.RESTRICTED,
            audience=audience,
        )
        ledger.record("response.report_added", actor=by, subject=situation, data={"report": report.pk})
    return report


def share_report(report: CivilSocietyReport, *, by: Any, person_ids: Iterable[int]) -> CivilSocietyReport:
    policy.require(by, "response.manage")
    if not policy.is_visible(by, report):  # the Chair manages situations but reads a report only once shared with it
        raise AccessDenied("You do not have access to this.")
    if report.audience_id is None:
        raise InvalidInput("This report has no audience to add to.", field="report")
    with transaction.atomic():
        for person_id in person_ids:
            AudienceMember.objects.get_or_create(audience_id=report.audience_id, principal=f"person:{person_id}")
        ledger.record("response.report_shared", actor=by, subject=report.situation, data={"report": report.pk})
    return report


# --- Statements ---------------------------------------------------------------------------------------------------


def fast_track_statement(situation: Situation, *, by: Any, title: str, text: str) -> Any:
    """Draft the country-specific statement for this situation on the fast track (1A.5) and link it."""
    policy.require(by, "response.view", situation)
    _require_open(situation)
    if situation.statement_id:
        raise InvalidInput("This situation already has its statement.", field="title")
    with transaction.atomic():
        statement = statements.create_statement(
            by=by,
            title=title,
            text=text,
            kind="country_specific",
            about_country=situation.country,
            situation=situation.title,
            fast_track=True,
        )
        situation.statement = statement
        situation.save(update_fields=["statement"])
        timeline.add(situation, "statement", "Country statement drafted on the fast track", by=by)
        ledger.record("response.statement_linked", actor=by, subject=situation, data={"statement": statement.pk})
    return statement


# --- Closing ------------------------------------------------------------------------------------------------------


def close(situation: Situation, *, by: Any, review: str) -> Situation:
    """Close with an after-action review; the situation becomes evidence for 1B.3, and for 1A.5 when its statement
    was published."""
    policy.require(by, "response.manage")
    policy.require(by, "response.view", situation)
    _require_open(situation)
    if not review.strip():
        raise InvalidInput("Write the after-action review: what worked, what did not, what to change.", field="review")
    with transaction.atomic():
        situation.status, situation.review = Situation.Status.CLOSED, review.strip()
        situation.closed_at, situation.closed_by = timezone.now(), by
        situation.save(update_fields=["status", "review", "closed_at", "closed_by"])
        timeline.add(situation, "closed", "Situation closed with an after-action review", by=by)
        ledger.record("response.situation_closed", actor=by, subject=situation)
        codes = [RESPONSE_ACTIVITY]
        if situation.statement_id and situation.statement and situation.statement.published_at:
            codes.append(STATEMENT_ACTIVITY)
        if policy.can(by, "programme.link_evidence"):
            for activity in policy.visible_to(by, Activity).filter(code__in=codes).order_by("pk"):
                programme.link_evidence_if_new(
                    activity=activity,
                    record_type="response.situation",
                    record_id=str(situation.pk),
                    by=by,
                    note="Closed with an after-action review",
                )
    return situation


# --- Toolkit ------------------------------------------------------------------------------------------------------


def save_tool(*, by: Any, tool: Tool | None = None, **fields: Any) -> Tool:
    policy.require(by, "response.toolkit")
    for name in ("name", "when_to_use", "who_can_use"):
        if not str(fields.get(name, getattr(tool, name, "")) or "").strip():
            raise InvalidInput("This is needed.", field=name)
    if fields.get("kind", getattr(tool, "kind", None)) not in Tool.Kind.values:
        raise InvalidInput("Choose the kind of action.", field="kind")
    with transaction.atomic():
        tool = tool or Tool()
        for name, value in fields.items():
            setattr(tool, name, value.strip() if isinstance(value, str) else value)
        try:
            with transaction.atomic():
                tool.save()
        except IntegrityError:
            raise InvalidInput("The toolkit already has an action of that name.", field="name") from None
        ledger.record("response.tool_saved", actor=by, subject=tool)
    return tool
