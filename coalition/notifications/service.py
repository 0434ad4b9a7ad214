"""The one way to tell people things: `notify` writes notifications in the caller's transaction, and the task
worker emails the immediate ones after the commit, rendering each for its recipient under the policy at sending
time. See docs/architecture.md, "The notification service"."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.errors import InvalidInput
from coalition.notifications import email, kinds
from coalition.notifications.models import Delivery, Mode, Notification, Preference, Urgency

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# The wait before each retry (after the 1st, 2nd, … failed attempt); a claimed delivery's lease.
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
LEASE = dt.timedelta(minutes=10)


# --- Telling people ---------------------------------------------------------------------------------------------


def may_receive(user: Any) -> bool:
    """Active people only: a disabled or service account is told nothing."""
    return bool(user.is_active) and not getattr(user, "is_service_account", False)


def _default(kind: kinds.Kind, urgency: str | None = None) -> str:
    if kind.security:
        return Mode.IMMEDIATE
    urgent = kind.urgent if urgency is None else urgency == Urgency.URGENT
    return Mode.IMMEDIATE if urgent else Mode.DIGEST


def _mode(kind: kinds.Kind, user: Any, chosen: str | None, urgency: str | None = None) -> str:
    if kind.security:
        return Mode.IMMEDIATE
    if chosen is None:
        return _default(kind, urgency)
    if chosen == Mode.OFF and kind.obliged(user):
        return _default(kind, urgency)
    return chosen


def effective_delivery(user: Any, kind: str) -> str:
    """How `user` receives `kind` now: their choice, the kind's default without one; never "off" where their
    position obliges them, and always "immediate" for security notices."""
    spec = kinds.get(kind)
    chosen = Preference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()
    return _mode(spec, user, chosen)


def notify(
    *,
    kind: str,
    subject: Any = None,
    recipients: Iterable[Any],
    reason: str,
    urgency: str | None = None,
    key: str = "",
) -> list[Notification]:
    """Tell each of `recipients` about `subject`, for `reason`; returns the notifications written (not those
    already there for the same kind, subject, recipient and key). Skips inactive and service accounts, whoever may
    not see `subject`, and whoever switched the kind off. Immediate ones are emailed after the caller's commit."""
    spec = kinds.get(kind)
    if (spec.model is None) != (subject is None) or (spec.model is not None and not isinstance(subject, spec.model)):
        raise TypeError(f"A {kind!r} notification is about a {spec.model!r}, not {type(subject).__name__}")
    if urgency is not None and urgency not in Urgency.values:
        raise ValueError(f"urgency is 'urgent' or 'normal', not {urgency!r}")
    if not str(reason).strip():
        raise ValueError("A notification says why the person gets it: give a reason")
    level = urgency or (Urgency.URGENT if spec.urgent or spec.security else Urgency.NORMAL)
    people = {user.pk: user for user in recipients if user is not None and may_receive(user)}
    chosen = dict(Preference.objects.filter(user_id__in=list(people), kind=kind).values_list("user_id", "mode"))
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    written: list[Notification] = []
    queued: list[int] = []
    for user in people.values():
        if subject is not None and not policy.is_visible(user, subject):
            continue
        mode = _mode(spec, user, chosen.get(user.pk), level)
        if mode == Mode.OFF:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    subject_type=subject_type,
                    subject_id=subject.pk if subject is not None else None,
                    reason=str(reason),
                    urgency=level,
                    mode=mode,
                    key=key,
                )
        except IntegrityError:
            continue  # told already (the same kind, subject, person and key)
        written.append(notification)
        if mode == Mode.IMMEDIATE and user.email:
            delivery = Delivery.objects.create(
                notification=notification, recipient=user, kind=kind, to=user.email, next_attempt_at=timezone.now()
            )
            queued.append(delivery.pk)
    if queued:
        transaction.on_commit(lambda: _enqueue(queued))
    return written


def notify_address(
    *, kind: str, subject: Any, address: str, person: Any, reason: str, key: str = ""
) -> Delivery | None:
    """Email `person`, who has no account, at `address` about `subject`, for `reason`: a kind that says who without
    an account may receive it (`Kind.addressable`, asked now and again at sending time) is rendered for a stand-in
    recipient (`kinds.Addressee`: their name and time zone) and sent after the caller's commit, with retries. No
    centre entry, no preferences, no unsubscribe link. Returns the Delivery written; None when the person may not
    receive it or was already sent it (one per kind, subject, address and key)."""
    spec = kinds.get(kind)
    record: Any = subject  # (kept Any: the isinstance check below would narrow `subject` to object)
    if spec.addressable is None:
        raise TypeError(f"A {kind!r} notification is for accounts only (its kind has no `addressable` rule)")
    if spec.model is None or not isinstance(subject, spec.model):
        raise TypeError(f"A {kind!r} notification is about a {spec.model!r}, not {type(subject).__name__}")
    if not str(reason).strip():
        raise ValueError("A notification says why the person gets it: give a reason")
    if getattr(person, "account", None) is not None:
        raise ValueError("This person has an account: tell them with notify(), under the policy")
    address = (address or "").strip()
    if not address or not spec.addressable(subject, person):
        return None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                kind=kind,
                to=address,
                subject_type=ContentType.objects.get_for_model(record),
                subject_id=record.pk,
                person_type=ContentType.objects.get_for_model(person),
                person_id=person.pk,
                reason=str(reason),
                key=key,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None  # sent already (the same kind, subject, address and key)
    queued = [delivery.pk]
    transaction.on_commit(lambda: _enqueue(queued))
    return delivery


def _enqueue(ids: list[int]) -> None:
    from coalition.notifications import tasks  # tasks imports this module

    tasks.send_deliveries.enqueue(ids)


# --- Preferences and reading ------------------------------------------------------------------------------------


def set_preference(*, user: Any, kind: str, delivery: str) -> Preference:
    """Record how `user` receives `kind`. Security notices are always sent at once, and what a person's position
    obliges them to answer cannot be switched off: both refusals say why."""
    try:
        spec = kinds.get(kind)
    except LookupError:
        raise InvalidInput(_("There is no such kind of notification."), field="kind") from None
    if delivery not in Mode.values:
        raise InvalidInput(_("Choose at once, in the digest or not at all."), field=kind)
    if spec.security and delivery != Mode.IMMEDIATE:
        raise InvalidInput(spec.obliged(user), field=kind)
    if delivery == Mode.OFF and (why := spec.obliged(user)):
        raise InvalidInput(_("This cannot be turned off: %(why)s") % {"why": why}, field=kind)
    preference, _created = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"mode": delivery, "updated_at": timezone.now()}
    )
    return preference


def set_preferences(*, user: Any, choices: dict[str, str]) -> int:
    """Record several choices at once (the preferences page): all or none. Returns how many changed."""
    now = preferences_of(user)
    changed = 0
    with transaction.atomic():
        for kind, delivery in choices.items():
            if now.get(kind) != delivery:
                set_preference(user=user, kind=kind, delivery=delivery)
                changed += 1
    return changed


def preferences_of(user: Any) -> dict[str, str]:
    """How `user` receives each registered kind now."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {key: _mode(spec, user, chosen.get(key)) for key, spec in kinds.registered().items()}


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """`user`'s notifications about what they may see now (a record reclassified since is hidden), newest first.
    One query, whatever the number of kinds: each subject model's visible rows are a subquery."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).filter(_shown(user, types=None))


@dataclass(frozen=True)
class Listing:
    """`user`'s notifications as the centre lists them: those `visible_notifications` shows, and how many they are
    and how many of them are unread (the header's count)."""

    notifications: QuerySet[Notification]
    total: int
    unread: int


def listing(user: Any) -> Listing:
    """What the centre shows `user`, in two small queries and one with the policy's subqueries: the subject types of
    their own notifications first, so that a subquery is built only for those (each cost milliseconds to build, for
    models the person was never told about: issue 20, page cost), then the visible ones counted, all and unread, at
    once. No notification at all: no further query. A row of a new type written after the first query is left out,
    as if it had come a moment later; every row kept and counted passes `policy.visible_to`."""
    if not getattr(user, "is_authenticated", False):
        return Listing(Notification.objects.none(), 0, 0)
    mine = Notification.objects.filter(recipient=user)
    present = set(mine.order_by().values_list("subject_type_id", flat=True).distinct())
    if not present:
        return Listing(Notification.objects.none(), 0, 0)
    shown = mine.filter(_shown(user, types=frozenset(pk for pk in present if pk is not None)))
    counts = shown.aggregate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    return Listing(shown, counts["total"], counts["unread"])


def _shown(user: Any, *, types: frozenset[int] | None) -> Q:
    """The notifications `user` may see: those without a subject, and for each subject model (only those whose
    content type is in `types`, when given) those whose subject the policy lets them see."""
    shown = Q(subject_type__isnull=True, kind__in=list(kinds.registered()))
    for model in {spec.model for spec in kinds.registered().values() if spec.model is not None}:
        content_type = ContentType.objects.get_for_model(model)
        if types is not None and content_type.pk not in types:
            continue
        ids: QuerySet[Any] = policy.visible_to(user, model).values("pk")
        keys = [key for key, spec in kinds.registered().items() if spec.model is model]
        shown |= Q(subject_type=content_type, subject_id__in=ids, kind__in=keys)
    return shown


# Per process, per person (and sign-in): the content types of the subjects of their unread notifications when last
# counted. Only a hint of which policy subqueries to build: `unread_count` checks it in the same query and counts
# afresh whenever the person has an unread notification of another type, so a stale hint never changes a count.
_UNREAD_TYPES: dict[tuple[Any, ...], frozenset[int]] = {}
_UNREAD_TYPES_MAX = 4096


def _hint_key(user: Any) -> tuple[Any, ...]:
    """Where `user`'s hint is kept in `_UNREAD_TYPES`: per person and sign-in."""
    return (user.pk, getattr(user, "last_login", None))


def unread_count(user: Any) -> int:
    """How many of `user`'s notifications are unread, of those `visible_notifications` shows them: one query.

    The header shows it on every page, and a policy subquery per subject model cost ≈ 5 ms to build (issue 20, page
    cost), so the query builds only the subqueries of the subject types the person's unread notifications had when
    last counted (`_UNREAD_TYPES`), and reports, per type, every unread row besides the visible ones: should any be
    of a type left out, it counts again with those types (a second query, once, when a new type arrives). Whether
    a notification is counted is decided by `policy.visible_to` as in `visible_notifications`, never by the hint."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = _hint_key(user)
    types = _UNREAD_TYPES.get(key)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by()
    for attempt in range(3):
        rows = list(unread.values("subject_type_id").annotate(shown=Count("pk", filter=_shown(user, types=types))))
        present = frozenset(row["subject_type_id"] for row in rows if row["subject_type_id"] is not None)
        if types is None or present <= types:
            break
        types = present if attempt == 0 else None  # types arriving as it counts: at worst, every subquery
    if len(_UNREAD_TYPES) >= _UNREAD_TYPES_MAX:
        _UNREAD_TYPES.clear()
    _UNREAD_TYPES[key] = present
    return sum(row["shown"] for row in rows)


def latest_unread(user: Any, *, limit: int) -> list[Notification]:
    """The `limit` newest unread notifications of `user`, of those `visible_notifications` shows them (the home's
    section), their subjects prefetched: one query for the page in the steady state, plus the prefetch.

    Like `unread_count`, it builds the policy subqueries only for the subject types in the person's hint
    (`_UNREAD_TYPES`), and lets every unread row of another type through unchecked: should one of those be among the
    `limit` newest, it asks again with every subquery. The rows kept are therefore always those the full filter
    keeps, and each was let through by `policy.visible_to`, never by the hint."""
    if not getattr(user, "is_authenticated", False):
        return []
    types = _UNREAD_TYPES.get(_hint_key(user))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-pk")
    found: list[Notification] | None = None
    if types is not None:
        unchecked = Q(subject_type__isnull=False) & ~Q(subject_type__in=sorted(types))
        found = list(unread.filter(_shown(user, types=types) | unchecked)[:limit])
        if any(row.subject_type_id is not None and row.subject_type_id not in types for row in found):
            found = None
    if found is None:
        found = list(unread.filter(_shown(user, types=None))[:limit])
    prefetch_related_objects(found, "subject")
    return found


@dataclass(frozen=True)
class Shown:
    notification: Notification
    message: kinds.Message


def rendered(notifications: Sequence[Notification], user: Any, *, filtered: bool = False) -> list[Shown]:
    """Each notification as `user` reads it now, in their language (those whose subject is gone, or that the reader
    may no longer see, are left out). `filtered`: they come from `visible_notifications`, already checked."""
    shown = []
    with translation.override(language_of(user)):
        for notification in notifications:
            subject = notification.subject if notification.subject_type_id else None
            if notification.subject_type_id and (subject is None or not (filtered or policy.is_visible(user, subject))):
                continue
            shown.append(Shown(notification, kinds.get(notification.kind).render(subject, user)))
    return shown


def mark_read(*, user: Any, notification_id: int) -> Notification:
    found = visible_notifications(user).filter(pk=notification_id).first()
    if found is None:
        raise InvalidInput(_("That notification is not yours or no longer exists."), field="notification")
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
    return found


def mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def language_of(user: Any) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


# --- Sending ----------------------------------------------------------------------------------------------------


def _claim(pk: int, now: dt.datetime) -> Delivery | None:
    """Take a due delivery for this run (compare and set), so that two workers never send it twice."""
    due = Q(status=Delivery.Status.QUEUED) | Q(status=Delivery.Status.SENDING, next_attempt_at__lte=now)
    taken = Delivery.objects.filter(due, pk=pk).update(status=Delivery.Status.SENDING, next_attempt_at=now + LEASE)
    if not taken:
        return None
    return Delivery.objects.select_related("notification__recipient", "recipient").get(pk=pk)


def _finish(delivery: Delivery, status: str, **fields: Any) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


def deliver(ids: Iterable[int]) -> dict[str, int]:
    """Send the deliveries `ids` that are due; returns how many ended in each status. A notification whose
    recipient may no longer see its subject (or is no longer active, or switched the kind off) is dropped; a mail
    server's refusal is retried later with a growing wait, up to MAX_ATTEMPTS, then the delivery has failed."""
    outcome: dict[str, int] = {}
    for pk in ids:
        now = timezone.now()
        delivery = _claim(pk, now)
        if delivery is None:
            continue
        status = _send_one(delivery, now)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def _still_due(notification: Notification, user: Any) -> tuple[bool, Any]:
    if not may_receive(user):
        return False, None
    try:
        spec = kinds.get(notification.kind)
    except LookupError:
        return False, None
    subject = None
    if notification.subject_type_id:
        subject = notification.subject
        if subject is None or not policy.is_visible(user, subject):
            return False, None
    chosen = Preference.objects.filter(user=user, kind=spec.key).values_list("mode", flat=True).first()
    if _mode(spec, user, chosen, notification.urgency) != Mode.IMMEDIATE:
        return False, None  # switched to the digest (or off) since
    return True, subject


def _addressed(delivery: Delivery) -> tuple[Any, Any]:
    """A delivery to a person without an account: (subject, addressee) when still due, else (None, None)."""
    try:
        spec = kinds.get(delivery.kind)
    except LookupError:
        return None, None
    subject, person = delivery.subject, delivery.person
    if subject is None or person is None or spec.addressable is None:
        return None, None
    if getattr(person, "account", None) is not None or not spec.addressable(subject, person):
        return None, None
    return subject, kinds.Addressee(person=person, email=delivery.to)


def _send_one(delivery: Delivery, now: dt.datetime) -> str:
    notification = delivery.notification
    if notification is None and delivery.person_type_id is not None:
        subject, addressee = _addressed(delivery)
        if addressee is None:
            _finish(delivery, Delivery.Status.DROPPED, next_attempt_at=None)
            return Delivery.Status.DROPPED
        return _attempt(delivery, now, addressee, lambda message: email.send_addressed(delivery, message), subject)
    if notification is None:  # mail sent through send_to is sent at once, never queued
        _finish(delivery, Delivery.Status.DROPPED, last_error="nothing to send")
        return Delivery.Status.DROPPED
    user = notification.recipient
    policy.forget_actor(user)  # positions may have changed since the notification was written
    due, subject = _still_due(notification, user)
    if not due:
        _finish(delivery, Delivery.Status.DROPPED, next_attempt_at=None)
        return Delivery.Status.DROPPED
    return _attempt(
        delivery, now, user, lambda message: email.send_notification(notification, message, to=delivery.to), subject
    )


def _attempt(delivery: Delivery, now: dt.datetime, user: Any, send: Any, subject: Any) -> str:
    """Render the delivery's kind for `user` and `send` it: a refusal is retried later, up to MAX_ATTEMPTS."""
    attempts = delivery.attempts + 1
    try:
        with translation.override(language_of(user)):
            message = kinds.get(delivery.kind).render(subject, user)
            message_id = send(message)
    except Exception as error:  # the mail server's errors are many; any of them means "not sent"
        logger.warning("Delivery %s attempt %s failed: %s", delivery.pk, attempts, error)
        if attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, attempts=attempts, last_error=str(error), next_attempt_at=None)
            return Delivery.Status.FAILED
        wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        _finish(delivery, Delivery.Status.QUEUED, attempts=attempts, last_error=str(error), next_attempt_at=now + wait)
        return Delivery.Status.QUEUED
    _finish(delivery, Delivery.Status.SENT, attempts=attempts, message_id=message_id, sent_at=now, next_attempt_at=None)
    return Delivery.Status.SENT


def due_deliveries(now: dt.datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    due = Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=moment) | Q(
        status=Delivery.Status.SENDING, next_attempt_at__lte=moment
    )
    queued = Q(notification__isnull=False) | Q(person_type__isnull=False)
    return list(Delivery.objects.filter(due, queued).order_by("pk").values_list("pk", flat=True))


def deliver_due() -> dict[str, int]:
    """Send every delivery whose (next) attempt is due, and those a stopped worker left half-sent; the scheduler
    runs it every cycle."""
    return deliver(due_deliveries())


def record_bounce(*, message_id: str, reason: str) -> Delivery | None:
    """The mail system reports that the email `message_id` bounced: its delivery says so (None when unknown)."""
    found = Delivery.objects.filter(message_id=message_id).first()
    if found is None:
        return None
    found.status = Delivery.Status.BOUNCED
    found.last_error = reason
    found.save(update_fields=["status", "last_error"])
    return found
