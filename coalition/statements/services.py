"""Every write to statements: drafting, freezing, sign-on under a deadline, the decision, publication.

Sign-on is serialised per statement: each response locks the statement's current freeze row, so two focal points
signing at once are both recorded, one after the other, and a member's second signature finds the first (the
unique constraint on (freeze, member) stands behind the check). Every response is appended to the audit ledger in
the same transaction, and the response keeps the ledger sequence that recorded it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from coalition.core import checkpoints, ledger, policy
from coalition.core import tasks as core_tasks
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent, LedgerCheckpoint
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation, Participation, Position, zone_names
from coalition.directory.queries import with_status_on
from coalition.documents import services as documents
from coalition.documents.models import Document, text_hash
from coalition.statements import notices
from coalition.statements.models import Freeze, Response, Statement, Translation

FAST_TRACK_MIN_WINDOW = dt.timedelta(minutes=15)
MIN_WINDOW = dt.timedelta(hours=1)


def create_statement(
    *,
    by: Any,
    title: str,
    text: str,
    kind: str = Statement.Kind.JOINT,
    about_country: Country | None = None,
    situation: str = "",
    activities: Iterable[Any] = (),
    fast_track: bool = False,
) -> Statement:
    """Draft a statement: its document (members-only while drafted) and the statement around it."""
    policy.require(by, "statements.manage")
    if kind not in Statement.Kind.values:
        raise InvalidInput("Choose a kind of statement.", field="kind")
    if kind == Statement.Kind.COUNTRY_SPECIFIC and about_country is None:
        raise InvalidInput("A country-specific statement names the country.", field="about_country")
    if fast_track and kind != Statement.Kind.COUNTRY_SPECIFIC:
        raise InvalidInput("Fast track is for country-specific statements.", field="fast_track")
    with transaction.atomic():
        document = documents.create_document(
            by=by,
            title=title,
            text=text,
            kind=Document.Kind.STATEMENT,
            classification=Classification.MEMBERS,
            activities=activities,
        )
        slug = f"{slugify(title)[:80] or 'statement'}-{uuid.uuid4().hex[:6]}"
        statement = Statement.objects.create(
            document=document,
            kind=kind,
            slug=slug,
            about_country=about_country,
            situation=situation.strip()[:200],
            fast_track=fast_track,
            created_by=by,
        )
        ledger.record("statements.drafted", actor=by, subject=statement, data={"kind": kind, "fast_track": fast_track})
    return statement


def _locked_current_freeze(statement: Statement) -> Freeze | None:
    return (
        Freeze.objects.select_for_update()
        .filter(statement=statement, superseded_at__isnull=True)
        .order_by("-number")
        .first()
    )


def freeze(
    *,
    statement: Statement,
    by: Any,
    deadline: dt.datetime,
    deadline_time_zone: str,
    mode: str = Freeze.Mode.SIGN_ON,
) -> Freeze:
    """Freeze the document's current version for sign-on. A changed text re-frozen supersedes the earlier freeze:
    its signatures no longer count and every member is asked again."""
    policy.require(by, "statements.freeze")
    if not policy.is_visible(by, statement):
        raise AccessDenied("You do not have access to this statement.")
    if mode not in Freeze.Mode.values:
        raise InvalidInput("Choose sign-on or silence procedure.", field="mode")
    if deadline_time_zone not in zone_names():
        raise InvalidInput(f"{deadline_time_zone!r} is not a time zone.", field="deadline_time_zone")
    if deadline.tzinfo is None:
        raise InvalidInput("The deadline must name its time zone.", field="deadline")
    now = timezone.now()
    window = FAST_TRACK_MIN_WINDOW if statement.fast_track else MIN_WINDOW
    if deadline < now + window:
        raise InvalidInput(
            f"The deadline must leave members at least {int(window.total_seconds() // 60)} minutes to respond.",
            field="deadline",
        )
    with transaction.atomic():
        # The statement's row serialises freezes (and publication): two Chairs freezing at once, or freezing while
        # publishing, would otherwise both find no current freeze and the second fail on the unique constraint.
        statement = Statement.objects.select_for_update().select_related("document").get(pk=statement.pk)
        if statement.published_at is not None:
            raise InvalidInput("The statement is published: its text no longer changes.", field="deadline")
        version = statement.document.current_version()
        assert version is not None  # a statement's document always has its first version
        current = _locked_current_freeze(statement)
        if current is not None:
            current = decide(current, now=now)  # a round past its deadline keeps its outcome, not "superseded"
        if (
            current is not None
            and current.content_hash == version.content_hash
            and current.outcome == Freeze.Outcome.OPEN
        ):
            raise InvalidInput("This text is already frozen and open for responses.", field="deadline")
        number = 1
        if current is not None:
            current.superseded_at = now
            if current.outcome == Freeze.Outcome.OPEN:
                current.outcome = Freeze.Outcome.SUPERSEDED
            current.save(update_fields=["superseded_at", "outcome"])
            number = current.number + 1
        made = Freeze.objects.create(
            statement=statement,
            number=number,
            version=version,
            content_hash=version.content_hash,
            mode=mode,
            deadline=deadline.astimezone(dt.UTC),
            deadline_time_zone=deadline_time_zone,
            frozen_by=by,
            frozen_at=now,
        )
        if statement.document.phase in (Document.Phase.DRAFTING, Document.Phase.CONSULTATION):
            documents.set_phase(document=statement.document, by=by, phase=Document.Phase.MEMBER_REVIEW)
        ledger.record(
            "statements.frozen",
            actor=by,
            subject=statement,
            data={
                "freeze": made.number,
                "version": version.number,
                "hash": made.content_hash,
                "mode": mode,
                "deadline": made.deadline,
                "deadline_time_zone": deadline_time_zone,
                "supersedes": current.number if current else None,
            },
        )
        notices.round_opened(made, expected_members(made))
    return made


def expected_members(freeze: Freeze) -> list[Organisation]:
    """The member governments asked to respond: members on the day the text was frozen."""
    on = freeze.frozen_at.date()
    return list(
        with_status_on(Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT), on)
        .filter(status=Participation.Status.MEMBER)  # type: ignore[misc]
        .order_by("name")
    )


def _person_of(by: Any, organisation: Organisation) -> Any:
    person = getattr(by, "person", None)
    on = timezone.now().date()
    if (
        person is None
        or not Position.objects.filter(
            Position.current_q(on), person=person, organisation=organisation, kind=Position.Kind.FOCAL_POINT
        ).exists()
    ):
        raise AccessDenied(f"Only a focal point of {organisation} may respond on its behalf.")
    return person


ALREADY: dict[str, str] = {
    Response.Kind.SIGNED: "signed",
    Response.Kind.OBJECTED: "objected to",
    Response.Kind.WITHDRAWN: "withdrawn its signature from",
}


def respond(
    *,
    freeze: Freeze,
    by: Any,
    organisation: Organisation,
    kind: str,
    reservation: str = "",
    reason: str = "",
) -> Response:
    """A member's focal point signs (with an optional reservation), objects (with a reason) or withdraws a
    signature, on exactly the frozen text. Refused after the deadline, on a superseded text, or twice. Once the
    text is published a member may still join it (a late signature, dated); nothing else changes."""
    _check_may_respond(by=by, organisation=organisation, statement=freeze.statement)
    reservation, reason = _checked_words(kind=kind, reservation=reservation.strip(), reason=reason.strip())
    person = _person_of(by, organisation)
    with transaction.atomic():
        current = _locked_current_freeze(freeze.statement)
        now = timezone.now()  # after the lock: the deadline is judged when the response is recorded
        statement, late = _check_round_takes(freeze=freeze, current=current, kind=kind, now=now)
        assert current is not None  # _check_round_takes refuses a superseded round
        existing = _check_change(current=current, organisation=organisation, kind=kind, late=late)
        response = _save_response(
            existing,
            freeze=current,
            organisation=organisation,
            kind=kind,
            reservation=reservation,
            reason=reason,
            person=person,
            account=by,
            at=now,
            late=late,
        )
        _record_response(response, statement=statement, freeze=current, by=by)
    return response


def _check_may_respond(*, by: Any, organisation: Organisation, statement: Statement) -> None:
    if not policy.can(by, "statements.sign", organisation):
        raise AccessDenied(f"Only a focal point of {organisation} may sign, object or withdraw on its behalf.")
    if not policy.is_visible(by, statement):
        raise AccessDenied("You do not have access to this statement.")


def _checked_words(*, kind: str, reservation: str, reason: str) -> tuple[str, str]:
    """A response's kind with the words it may carry: a reservation with a signature, a reason with an objection."""
    if kind not in Response.Kind.values:
        raise InvalidInput("Sign, object or withdraw.", field="kind")
    if kind == Response.Kind.OBJECTED and not reason:
        raise InvalidInput("An objection gives its reason.", field="reason")
    if kind != Response.Kind.SIGNED and reservation:
        raise InvalidInput("A reservation accompanies a signature.", field="reservation")
    if kind != Response.Kind.OBJECTED and reason:
        raise InvalidInput("A reason accompanies an objection.", field="reason")
    return reservation, reason


def _check_round_takes(
    *, freeze: Freeze, current: Freeze | None, kind: str, now: dt.datetime
) -> tuple[Statement, bool]:
    """The round responded to is the current one and still takes this response: the statement as saved now, and
    whether the response is a late signature (the statement is published on this round)."""
    if current is None or current.pk != freeze.pk:
        raise InvalidInput(
            "This version has been superseded by a new text: respond to the current version.", field="kind"
        )
    statement = Statement.objects.get(pk=freeze.statement_id)
    if statement.published_at is not None and statement.published_freeze_id == current.pk:
        if kind != Response.Kind.SIGNED:
            raise InvalidInput("The statement is published: a member may still join it, nothing else.", field="kind")
        return statement, True
    if current.outcome != Freeze.Outcome.OPEN or current.deadline <= now:
        deadline = current.deadline.astimezone(ZoneInfo(current.deadline_time_zone))
        raise InvalidInput(
            f"The deadline passed at {deadline:%d %B %Y, %H:%M} ({current.deadline_time_zone}): responses are closed.",
            field="kind",
        )
    return statement, False


def _check_change(*, current: Freeze, organisation: Organisation, kind: str, late: bool) -> Response | None:
    """The member may give this response now: its earlier response on the round (None: its first)."""
    # Before publication only the members asked (members on the day of the freeze) respond; afterwards any
    # current member may join (the policy has checked that the organisation is a member today).
    if not late and organisation.pk not in {member.pk for member in expected_members(current)}:
        raise InvalidInput(f"{organisation} is not a member asked to respond.", field="organisation")
    existing = Response.objects.filter(freeze=current, organisation=organisation).first()
    if existing is not None and existing.kind == kind:
        raise InvalidInput(
            f"{organisation} has already {ALREADY[kind]} this text ({existing.at:%d %B %Y, %H:%M} UTC).",
            field="kind",
        )
    if kind == Response.Kind.WITHDRAWN and (existing is None or existing.kind != Response.Kind.SIGNED):
        raise InvalidInput(f"{organisation} has not signed this text: there is no signature to withdraw.", field="kind")
    return existing


def _save_response(existing: Response | None, **fields: Any) -> Response:
    """The member's response on the round: a new row, or its earlier response changed."""
    try:
        with transaction.atomic():
            if existing is None:
                return Response.objects.create(**fields)
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            return existing
    except IntegrityError:  # a concurrent first response of the same member got there first
        raise InvalidInput(f"{fields['organisation']} has already responded to this text.", field="kind") from None


def _record_response(response: Response, *, statement: Statement, freeze: Freeze, by: Any) -> None:
    event = ledger.record(
        f"statements.{response.kind}",
        actor=by,
        subject=statement,
        on_behalf_of=response.organisation,
        data={
            "freeze": freeze.number,
            "hash": freeze.content_hash,
            "organisation": response.organisation.pk,
            "kind": response.kind,
            "late": response.late,
            "reservation": response.reservation,
            "reason": response.reason,
            "person": response.person.pk,
            "at": response.at.isoformat(),
        },
    )
    Response.objects.filter(pk=response.pk).update(ledger_seq=event.seq)
    response.ledger_seq = event.seq


def decide(freeze: Freeze, *, now: dt.datetime | None = None) -> Freeze:
    """At the deadline, the outcome: under silence, adopted unless someone objected; under sign-on, closed with
    its signatories (not adopted when nobody signed). Runs once; later calls return the decided freeze."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Freeze.objects.select_for_update().get(pk=freeze.pk)
        if locked.outcome != Freeze.Outcome.OPEN or locked.superseded_at is not None or locked.deadline > now:
            return locked
        kinds = list(locked.responses.values_list("kind", flat=True))
        signed = kinds.count(Response.Kind.SIGNED)
        objected = kinds.count(Response.Kind.OBJECTED)
        if locked.mode == Freeze.Mode.SILENCE:
            locked.outcome = Freeze.Outcome.SILENCE_BROKEN if objected else Freeze.Outcome.ADOPTED
        else:
            locked.outcome = Freeze.Outcome.CLOSED if signed else Freeze.Outcome.NOT_ADOPTED
        locked.decided_at = now
        locked.save(update_fields=["outcome", "decided_at"])
        ledger.record(
            "statements.decided",
            subject=locked.statement,
            data={"freeze": locked.number, "outcome": locked.outcome, "signed": signed, "objected": objected},
        )
        notices.round_decided(locked, expected_members(locked))
    return locked


def decide_due(now: dt.datetime | None = None) -> int:
    """Decide every open round whose deadline has passed: the scheduler's job (ops/schedule.py); no page calls it."""
    now = now or timezone.now()
    due = Freeze.objects.filter(outcome=Freeze.Outcome.OPEN, superseded_at__isnull=True, deadline__lte=now)
    return sum(1 for freeze in due if decide(freeze, now=now).outcome != Freeze.Outcome.OPEN)


PUBLISHABLE = {Freeze.Outcome.ADOPTED, Freeze.Outcome.CLOSED, Freeze.Outcome.SILENCE_BROKEN}


def publish(*, statement: Statement, by: Any, embargo_until: dt.datetime | None = None) -> Statement:
    """Publish the decided text: public from the embargo time (now when none), with its signatories. Under a
    broken silence it is published as the statement of the members that signed."""
    policy.require(by, "statements.manage")
    if not policy.is_visible(by, statement):
        raise AccessDenied("You do not have access to this statement.")
    now = timezone.now()
    if embargo_until is not None and embargo_until.tzinfo is None:
        raise InvalidInput("The embargo must name its time zone.", field="embargo_until")
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.published_at is not None:
            raise InvalidInput("The statement is already published.", field="embargo_until")
        current = _locked_current_freeze(statement)
        if current is None:
            raise InvalidInput("Freeze the text and let members respond before publishing.", field="embargo_until")
        current = decide(current, now=now)
        if current.outcome == Freeze.Outcome.OPEN:
            deadline = current.deadline.astimezone(ZoneInfo(current.deadline_time_zone))
            raise InvalidInput(
                f"Members may respond until {deadline:%d %B %Y, %H:%M} ({current.deadline_time_zone}): "
                "publish after the deadline.",
                field="embargo_until",
            )
        if current.outcome not in PUBLISHABLE:
            raise InvalidInput(
                f"The text cannot be published: {current.get_outcome_display().lower()}.", field="embargo_until"
            )
        signed = current.responses.filter(kind=Response.Kind.SIGNED).exists()
        if current.outcome != Freeze.Outcome.ADOPTED and not signed:
            raise InvalidInput("No member signed the text.", field="embargo_until")
        statement.classification = Classification.PUBLIC
        statement.published_at = max(embargo_until, now) if embargo_until else now
        statement.published_freeze = current
        statement.save(update_fields=["classification", "published_at", "published_freeze"])
        # The document becomes final but keeps its classification: the public reads the published text through
        # the statement, which honours the embargo, and never the document's draft versions and comments.
        document = statement.document
        document.phase = Document.Phase.FINAL
        document.save(update_fields=["phase"])
        ledger.record(
            "statements.published",
            actor=by,
            subject=statement,
            data={"freeze": current.number, "hash": current.content_hash, "public_from": statement.published_at},
        )
        # A signed checkpoint covering the signatures and the publication, so readers can check them from outside.
        transaction.on_commit(core_tasks.issue_checkpoint.enqueue)
    return statement


def add_translation(*, statement: Statement, by: Any, language: str, title: str, text: str) -> Translation:
    """A language version of the statement's text (PoA 1A.10), shown beside the published original."""
    policy.require(by, "statements.manage")
    if not policy.is_visible(by, statement):
        raise AccessDenied("You do not have access to this statement.")
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput("Choose a language the platform offers.", field="language")
    if not title.strip() or not text.strip():
        raise InvalidInput("Give the translated title and text.", field="text")
    if len(text) > documents.MAX_TEXT or "\x00" in text:
        raise InvalidInput(f"The text is at most {documents.MAX_TEXT:,} characters, with no NUL.", field="text")
    with transaction.atomic():
        translation, _ = Translation.objects.update_or_create(
            statement=statement,
            language=language,
            defaults={"title": title.strip()[:300], "text": text.strip(), "added_by": by},
        )
        ledger.record("statements.translation", actor=by, subject=statement, data={"language": language})
    return translation


# --- Verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedResponse:
    organisation: str
    kind: str
    late: bool
    at: dt.datetime
    ledger_seq: int
    ledger_hash: str
    matches: bool  # the recorded response equals what the ledger says
    reservation: str = ""
    inclusion: checkpoints.Inclusion | None = None  # None: recorded after the latest checkpoint


@dataclass(frozen=True)
class Verification:
    ok: bool
    chain_ok: bool  # every event checked leads to the root of the latest signed checkpoint
    chain_reason: str
    content_hash: str
    responses: list[VerifiedResponse]
    problems: list[str]
    checkpoint: LedgerCheckpoint | None = None
    publication: checkpoints.Inclusion | None = None
    pending: int = 0  # events recorded after the latest checkpoint: the next one covers them


def _against_checkpoint(
    events: list[AuditEvent], cited: set[int]
) -> tuple[LedgerCheckpoint | None, dict[int, checkpoints.Inclusion], str]:
    """Each event's inclusion proof in the latest signed checkpoint, and what is wrong, if anything: a checkpoint
    whose signature does not verify, an event (as stored now) that does not lead to its signed root, or an event a
    response cites (`cited`) that the checkpoint covers but the ledger no longer holds. Reads O(log n) tree nodes
    per event in one query; nothing is cached, so an edit shows on the next request."""
    checkpoint = checkpoints.latest()
    if checkpoint is None:
        return None, {}, ""
    try:
        signed = checkpoints.open_checkpoint(checkpoint.note, checkpoints.verifier_key())
    except checkpoints.CheckpointRefused as error:
        return checkpoint, {}, f"the latest checkpoint is not the ledger's: {str(error).rstrip('.')}"
    if signed.size != checkpoint.size or signed.root != bytes(checkpoint.root_hash):
        return checkpoint, {}, "the latest checkpoint's stored root differs from the one signed"
    proofs = checkpoints.inclusion_proofs(events, checkpoint)
    broken = [f"event #{seq} no longer matches it" for seq, proof in sorted(proofs.items()) if not proof.matches]
    unseen = {seq for seq in cited if seq <= checkpoint.size} - {event.seq for event in events}
    if unseen:
        unseen -= set(AuditEvent.objects.filter(seq__in=unseen).values_list("seq", flat=True))
    broken += [f"event #{seq}, which it covers, is missing" for seq in sorted(unseen)]
    return checkpoint, proofs, "; ".join(broken)


def verify(statement: Statement) -> Verification:
    """Check a published statement's signatory list against the ledger: replay the sign-on events of its
    published text in order, compare with the responses on record, and verify the whole chain."""
    freeze = statement.published_freeze
    if freeze is None:
        return Verification(False, False, "not published", "", [], ["The statement is not published."])
    events = AuditEvent.objects.filter(
        subject_type="statements.statement",
        subject_id=str(statement.pk),
        action__in=[f"statements.{kind}" for kind in Response.Kind.values],
    ).order_by("seq")
    replayed: dict[int, AuditEvent] = {}
    problems: list[str] = []
    for event in events:
        if event.data.get("freeze") == freeze.number and event.data.get("hash") == freeze.content_hash:
            try:
                replayed[int(event.data["organisation"])] = event  # the latest event per member is its position
            except (KeyError, TypeError, ValueError):
                problems.append(f"Ledger event #{event.seq} names no member.")
    verified = []
    recorded = {r.organisation_id: r for r in freeze.responses.select_related("organisation")}
    for organisation_id, event in replayed.items():
        response = recorded.get(organisation_id)
        matches = (
            response is not None
            and response.kind == event.data.get("kind")
            and response.late == bool(event.data.get("late"))
            and response.reservation == event.data.get("reservation", "")
            and response.reason == event.data.get("reason", "")
            and response.ledger_seq == event.seq
            # Who signed for the member, and when, are part of the record the public reads.
            and response.person_id == event.data.get("person")
            and response.account_id == event.actor_id
            and response.at.isoformat() == event.data.get("at")
        )
        if response is None:
            problems.append(
                f"{event.on_behalf_of or organisation_id}: ledger event #{event.seq} records a response "
                "that is no longer on record."
            )
        elif not matches:
            problems.append(
                f"{event.on_behalf_of or organisation_id}: the record differs from ledger event #{event.seq}."
            )
        verified.append(
            VerifiedResponse(
                organisation=event.on_behalf_of,
                kind=str(event.data.get("kind")),
                late=bool(event.data.get("late")),
                at=event.at,
                ledger_seq=event.seq,
                ledger_hash=event.hash,
                matches=matches,
                reservation=str(event.data.get("reservation", "")),
            )
        )
    for organisation_id, response in recorded.items():
        if organisation_id not in replayed:
            problems.append(f"{response.organisation}: recorded as {response.kind} with no ledger event.")
    if text_hash(freeze.version.text) != freeze.content_hash:
        problems.append("The published text no longer matches the hash of the text that was signed.")
    published = (
        AuditEvent.objects.filter(
            subject_type="statements.statement", subject_id=str(statement.pk), action="statements.published"
        )
        .order_by("-seq")
        .first()
    )
    if published is None or published.data.get("hash") != freeze.content_hash:
        problems.append("The ledger does not record the publication of this text.")
    checked = list(replayed.values()) + ([published] if published is not None else [])
    cited = {response.ledger_seq for response in recorded.values() if response.ledger_seq}
    checkpoint, proofs, reason = _against_checkpoint(checked, cited)
    if reason:
        problems.append(f"The ledger contradicts its signed checkpoint: {reason}.")
    verified = [replace(response, inclusion=proofs.get(response.ledger_seq)) for response in verified]
    return Verification(
        ok=not problems,
        chain_ok=not reason,
        chain_reason=reason,
        content_hash=freeze.content_hash,
        responses=sorted(verified, key=lambda r: r.organisation),
        problems=problems,
        checkpoint=checkpoint,
        publication=proofs.get(published.seq) if published is not None else None,
        pending=sum(1 for event in checked if event.seq not in proofs),
    )
