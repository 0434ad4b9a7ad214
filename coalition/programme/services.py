"""Every write to the Program of Action: one function per use case, access first, one transaction, the ledger."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coalition.core import evidence, ledger, policy, search
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification
from coalition.directory.models import Organisation
from coalition.programme.models import (
    STATUSES_NEEDING_REASON,
    UNFINISHED,
    Activity,
    EvidenceLink,
    Goal,
    Milestone,
    Objective,
    PolicyTopic,
    Programme,
    ProgressUpdate,
    Status,
    StatusChange,
    StatusProposal,
)

DATA = Path(__file__).resolve().parent / "data"


def load_programme(path: Path = DATA / "poa-2023.toml") -> Programme:
    """Load a Program of Action from its structured data file (idempotent: a loaded year is left as it is)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    existing = Programme.objects.filter(year=data["year"]).first()
    if existing:
        return existing
    chair = Organisation.objects.filter(kind="government", country__code=data.get("chair", "")).first()
    with transaction.atomic():
        programme = Programme.objects.create(
            title=data["title"], year=data["year"], chair=chair, starts_on=data["starts_on"], ends_on=data["ends_on"]
        )
        for topic in data.get("topics", []):
            PolicyTopic.objects.create(
                programme=programme, code=topic["code"], title=topic["title"], summary=topic.get("summary", "")
            )
        for goal_data in data["goals"]:
            goal = Goal.objects.create(programme=programme, number=goal_data["number"], title=goal_data["title"])
            for objective_data in goal_data["objectives"]:
                objective = Objective.objects.create(
                    goal=goal, code=objective_data["code"], title=objective_data["title"]
                )
                made = Activity.objects.bulk_create(
                    Activity(
                        objective=objective,
                        number=a["number"],
                        code=f"{objective.code}.{a['number']}",
                        title=a["title"],
                        target_on=programme.ends_on,
                    )
                    for a in objective_data["activities"]
                )
                search.refresh(Activity, [a.pk for a in made])
        ledger.record("programme.loaded", subject=programme, data={"file": path.name})
    return programme


def _require_visible(by: Any, activity: Activity) -> None:
    if not policy.is_visible(by, activity):
        raise AccessDenied("You do not have access to this activity.")


def post_update(
    *,
    activity: Activity,
    by: Any,
    narrative: str,
    reported_on: dt.date | None = None,
    classification: str = Classification.COALITION,
    on_behalf_of: Organisation | None = None,
    proposed_status: str = "",
    reason: str = "",
) -> ProgressUpdate:
    """A member, body or the Support Unit reports progress on an activity (the tedium-free update)."""
    policy.require(by, "programme.post_update")
    _require_visible(by, activity)
    actor = policy.actor_for(by)
    narrative = narrative.strip()
    if not narrative:
        raise InvalidInput("Say what happened.", field="narrative")
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate() + dt.timedelta(days=1):
        raise InvalidInput(
            "An update reports what has happened: the date cannot be in the future.", field="reported_on"
        )
    if classification == Classification.RESTRICTED:
        raise InvalidInput("Choose public, coalition or members for an update.", field="classification")
    if classification not in actor.readable_classifications():
        raise InvalidInput("Choose a classification you can read yourself.", field="classification")
    if on_behalf_of is not None and on_behalf_of.pk not in actor.acts_for and not actor.has(policy.Role.SUPPORT_UNIT):
        raise InvalidInput(f"You do not hold a position on behalf of {on_behalf_of}.", field="on_behalf_of")
    if proposed_status:
        _check_status(proposed_status, reason, field="proposed_status")
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            activity=activity,
            narrative=narrative,
            reported_on=reported_on,
            author=by,
            on_behalf_of=on_behalf_of,
            classification=classification,
        )
        if proposed_status and proposed_status != activity.status:
            StatusProposal.objects.create(
                activity=activity,
                status=proposed_status,
                reason=reason,
                update=update,
                proposed_by=by,
                classification=classification,
            )
        ledger.record(
            "programme.update_posted",
            actor=by,
            subject=update,
            on_behalf_of=on_behalf_of,
            data={"activity": activity.code, "classification": classification, "proposed_status": proposed_status},
        )
    return update


def _check_status(status: str, reason: str, *, field: str) -> None:
    if status not in Status.values:
        raise InvalidInput(f"{status!r} is not a status.", field=field)
    if status in STATUSES_NEEDING_REASON and not reason.strip():
        raise InvalidInput(f"Give the reason the activity is {Status(status).label.lower()}.", field="reason")


def change_status(
    *, activity: Activity, status: str, by: Any, reason: str = "", proposal: StatusProposal | None = None
) -> StatusChange:
    """The Support Unit or the Chair sets an activity's status; blocked and dropped need a reason."""
    policy.require(by, "programme.manage")
    _check_status(status, reason, field="status")
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status == status and not reason:
            raise InvalidInput(f"{activity.code} is already {activity.get_status_display().lower()}.", field="status")
        change = StatusChange.objects.create(
            activity=activity,
            from_status=activity.status,
            to_status=status,
            reason=reason.strip(),
            changed_by=by,
            proposal=proposal,
        )
        activity.status = status
        activity.status_reason = reason.strip() if status in STATUSES_NEEDING_REASON else ""
        activity.save(update_fields=["status", "status_reason"])
        ledger.record(
            "programme.status_changed",
            actor=by,
            subject=activity,
            data={"from": change.from_status, "to": status, "reason": reason},
        )
    return change


WITHHELD_REASON = "The reason is in an update with a narrower readership than this activity."


def open_reason(proposal: StatusProposal, activity: Activity) -> str:
    """The proposal's reason, if everyone who reads the activity may read the proposal; otherwise a pointer, so a
    members-only reason never becomes part of a public activity's status."""
    if proposal.classification == policy.Classification.RESTRICTED:
        return WITHHELD_REASON if proposal.reason else ""
    if policy.READERS[proposal.classification] >= policy.READERS[activity.classification]:
        return proposal.reason
    return WITHHELD_REASON if proposal.reason else ""


def confirm_proposal(*, proposal: StatusProposal, by: Any) -> StatusChange:
    """A person confirms what an update or a piece of evidence suggested."""
    policy.require(by, "programme.manage")
    with transaction.atomic():
        proposal = StatusProposal.objects.select_for_update().select_related("activity").get(pk=proposal.pk)
        if proposal.state != StatusProposal.State.PENDING:
            raise InvalidInput("This proposal has already been decided.", field="proposal")
        change = change_status(
            activity=proposal.activity,
            status=proposal.status,
            by=by,
            reason=open_reason(proposal, proposal.activity),
            proposal=proposal,
        )
        proposal.state, proposal.decided_by, proposal.decided_at = (StatusProposal.State.CONFIRMED, by, timezone.now())
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
    return change


def dismiss_proposal(*, proposal: StatusProposal, by: Any) -> None:
    policy.require(by, "programme.manage")
    with transaction.atomic():
        updated = StatusProposal.objects.filter(pk=proposal.pk, state=StatusProposal.State.PENDING).update(
            state=StatusProposal.State.DISMISSED, decided_by=by, decided_at=timezone.now()
        )
        if not updated:
            raise InvalidInput("This proposal has already been decided.", field="proposal")
        ledger.record(
            "programme.proposal_dismissed", actor=by, subject=proposal.activity, data={"proposal": proposal.pk}
        )


def link_evidence(*, activity: Activity, record_type: str, record_id: str, by: Any, note: str = "") -> EvidenceLink:
    """Link a record from another app to the activity it serves; it may suggest a status change."""
    policy.require(by, "programme.link_evidence")
    _require_visible(by, activity)
    try:
        kind = evidence.kind_of(record_type)
    except LookupError:
        raise InvalidInput(
            f"{record_type!r} is not a kind of record that can be evidence.", field="record_type"
        ) from None
    try:
        record = evidence.find_record(by, record_type, str(record_id))
    except (ValueError, ValidationError):  # not a key the record's model could have ("abc" for a number)
        record = None
    if record is None:
        raise InvalidInput("No such record that you can see.", field="record_id")
    suggestion = kind.suggests(record) if kind.suggests else None
    try:
        with transaction.atomic():
            link = EvidenceLink.objects.create(
                activity=activity, record_type=record_type, record_id=str(record.pk), note=note.strip(), linked_by=by
            )
            if suggestion and suggestion != activity.status:
                StatusProposal.objects.create(
                    activity=activity,
                    status=suggestion,
                    evidence=link,
                    proposed_by=by,
                    # No title in the reason: the record's name must not outlive its own visibility.
                    reason=f"Suggested by a linked {kind.label.lower()}.",
                    classification=getattr(record, "classification", None) or activity.classification,
                    audience_id=getattr(record, "audience_id", None) or activity.audience_id,
                )
            ledger.record(
                "programme.evidence_linked",
                actor=by,
                subject=activity,
                data={"record": f"{record_type}:{record.pk}", "suggests": suggestion},
            )
    except IntegrityError:
        raise InvalidInput("This record is already linked to the activity.", field="record_id") from None
    return link


def link_evidence_if_new(*, activity: Activity, record_type: str, record_id: str, by: Any, note: str = "") -> bool:
    """For apps that link their records as a side effect (approved minutes, reuse found in the library): link if
    this record is not linked yet and `by` may see it, otherwise leave things as they are. True if linked."""
    try:
        with transaction.atomic():
            link_evidence(activity=activity, record_type=record_type, record_id=record_id, by=by, note=note)
    except InvalidInput:
        return False
    return True


def start_next_programme(
    *, previous: Programme, year: int, by: Any, chair: Organisation | None = None, title: str = ""
) -> Programme:
    """PoA 3A.3: the next chair's programme starts from the unfinished activities of the last one, each linked
    to its history; goals, objectives and topics come along, and the chair can then reshape them."""
    policy.require(by, "programme.manage")
    if year <= previous.year:
        raise InvalidInput("The next programme's year must come after the previous one's.", field="year")
    if Programme.objects.filter(year=year).exists():
        raise InvalidInput(f"A programme for {year} exists already.", field="year")
    if Programme.objects.filter(predecessor=previous).exists():
        raise InvalidInput(f"{previous} has already been carried over.", field="year")
    try:
        return _copy_programme(previous=previous, year=year, by=by, chair=chair, title=title)
    except IntegrityError:  # a second request raced this one
        raise InvalidInput(f"{previous} has already been carried over.", field="year") from None


def _copy_programme(*, previous: Programme, year: int, by: Any, chair: Organisation | None, title: str) -> Programme:
    with transaction.atomic():
        programme = Programme.objects.create(
            title=title or f"Program of Action {year}",
            year=year,
            chair=chair,
            predecessor=previous,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            classification=previous.classification,
            audience=previous.audience,
        )
        topics = {
            t.pk: PolicyTopic.objects.create(programme=programme, code=t.code, title=t.title, summary=t.summary)
            for t in previous.topics.all()
        }
        carried = 0
        for goal in previous.goals.prefetch_related("objectives__activities__topics"):
            new_goal = Goal.objects.create(
                programme=programme, number=goal.number, title=goal.title, weight=goal.weight
            )
            for objective in goal.objectives.all():
                new_objective = Objective.objects.create(
                    goal=new_goal, code=objective.code, title=objective.title, weight=objective.weight
                )
                for activity in objective.activities.all():
                    if activity.status not in UNFINISHED:
                        continue
                    copy = Activity.objects.create(
                        objective=new_objective,
                        number=activity.number,
                        code=activity.code,
                        title=activity.title,
                        lead_organisation=activity.lead_organisation,
                        lead_body=activity.lead_body,
                        status=activity.status,
                        status_reason=activity.status_reason,
                        weight=activity.weight,
                        target_on=programme.ends_on,
                        carried_from=activity,
                        classification=activity.classification,
                        audience=activity.audience,
                    )
                    copy.topics.set([topics[t.pk] for t in activity.topics.all()])
                    copy.contributing_organisations.set(activity.contributing_organisations.all())
                    copy.contributing_bodies.set(activity.contributing_bodies.all())
                    copy.thematic_goals.set(activity.thematic_goals.all())  # they span chairs by design
                    Milestone.objects.bulk_create(
                        Milestone(activity=copy, title=m.title, due_on=m.due_on)
                        for m in activity.milestones.all()
                        if m.done_on is None
                    )
                    carried += 1
        ledger.record(
            "programme.carried_over", actor=by, subject=programme, data={"from": previous.year, "activities": carried}
        )
    return programme
