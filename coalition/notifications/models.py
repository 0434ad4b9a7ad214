"""Notifications, each person's choice per kind, each email attempt, and the unsubscribe links already used."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class Mode(models.TextChoices):
    """How a person receives a kind of notification."""

    IMMEDIATE = "immediate", _("By email at once")
    DIGEST = "digest", _("In the weekly digest")
    OFF = "off", _("Not at all")


class Notification(models.Model):
    """Something one person is told: a kind, the record it is about (rendered when shown, never stored as text),
    why they are told, and whether they have read it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=100)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    reason = models.TextField(_("why you are told"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    mode = models.CharField(_("delivery"), max_length=10, choices=Mode.choices, default=Mode.DIGEST)
    key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One notification per (kind, subject, recipient, key); a subject-less kind has its own index, since
            # NULLs are distinct in a unique index on both databases.
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient", "key"],
                condition=Q(subject_type__isnull=False),
                name="notification_once_per_subject",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "key"],
                condition=Q(subject_type__isnull=True),
                name="notification_once_without_subject",
            ),
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="notification_subject_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["mode", "created_at"], name="notification_by_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class Preference(models.Model):
    """A person's choice for one kind; without a row the kind's default applies (urgent: at once, else digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=100)
    mode = models.CharField(_("delivery"), max_length=10, choices=Mode.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


class Delivery(models.Model):
    """One email: of a notification, or of other mail the platform sends (the weekly digest, a calendar invitation),
    with each attempt's outcome."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        DROPPED = "dropped", _("Dropped")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=100, blank=True)  # a notification's kind, or "digest", …
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    to = models.CharField(_("to"), max_length=254)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a queued delivery is due (its next try), or when a claimed one's lease ends.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # An email to a person without an account (`service.notify_address`): what it is about, who (their Person),
    # why and its dedupe key; one per (kind, subject, address, key).
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    person_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person_id = models.PositiveBigIntegerField(null=True, blank=True)
    person = GenericForeignKey("person_type", "person_id")
    reason = models.TextField(blank=True)
    key = models.CharField(_("dedupe key"), max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(notification__isnull=False),
                name="delivery_once_per_notification",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "to", "key"],
                condition=Q(notification__isnull=True, person_type__isnull=False),
                name="delivery_once_per_address",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.status}"


class UsedUnsubscribe(models.Model):
    """An unsubscribe link that was used: its nonce is kept so the same link cannot act twice (a replay)."""

    nonce = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=100)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.used_at:%Y-%m-%d}"
