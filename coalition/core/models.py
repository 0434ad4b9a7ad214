"""Core rows: classified records and their audiences, and the append-only audit ledger."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coalition.core.policy import Classification


class Audience(models.Model):
    """A named audience for restricted records: principals such as "org:12", "body:3" or "person:7"."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    def __str__(self) -> str:
        return self.name


class AudienceMember(models.Model):
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="members")
    principal = models.CharField(max_length=64, help_text=_('"org:ID", "body:ID", "person:ID" or "role:NAME"'))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audience", "principal"], name="audience_member_unique")]
        indexes = [models.Index(fields=["principal", "audience"])]

    def __str__(self) -> str:
        return f"{self.audience}: {self.principal}"


def classification_field(default: str = Classification.COALITION) -> models.CharField:
    return models.CharField(_("classification"), max_length=16, choices=Classification.choices, default=default)


class Classified(models.Model):
    """A record the access policy filters by classification (and audience, when restricted)."""

    classification = classification_field()
    audience = models.ForeignKey(
        Audience,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("audience"),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~Q(classification=Classification.RESTRICTED) | Q(audience__isnull=False),
                name="%(app_label)s_%(class)s_restricted_has_audience",
            )
        ]


class LedgerAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise LedgerAppendOnly("The audit ledger is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerAppendOnly("The audit ledger is append-only")


class AuditEvent(models.Model):
    """One link of the hash chain. Actor and subject are copied as values, not foreign keys, so that no later
    change or deletion elsewhere can alter a recorded event."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=300, blank=True)
    on_behalf_of = models.CharField(max_length=300, blank=True)
    subject_type = models.CharField(max_length=100, blank=True, db_index=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        # A statement's verification looks up its own events among millions (bench/ledger.py).
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="core_audit_subject")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerAppendOnly("The audit ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerAppendOnly("The audit ledger is append-only")


class LedgerHead(models.Model):
    """The single row that serialises appends: locked with SELECT … FOR UPDATE while a link is added."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"ledger head #{self.seq}"


class LedgerTreeNode(models.Model):
    """A perfect subtree of the RFC 6962 Merkle tree over the ledger (`coalition.core.merkle`): level 0 holds each
    event's leaf hash, level k the hash of 2^k leaves starting at index·2^k. Appended as checkpoints are issued, never
    changed (database triggers refuse it), so any proof is read from O(log n) rows."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="core_ledger_tree_node_unique")]

    def __str__(self) -> str:
        return f"ledger tree node {self.level}/{self.index}"


class LedgerCheckpoint(models.Model):
    """A signed tree head: the C2SP checkpoint (signed note) for the first `size` events, as published. The key
    that signed it lives outside the database, so no one who can only write to the database can make one."""

    size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"ledger checkpoint at {self.size} events"


class SearchEntry(models.Model):
    """One record's text in the platform's search index (`core.search`): what it says (`text`, for snippets) and
    its words as the engine reads them (`words`: lower case, split on anything not a letter or digit). Kept in step
    by signals; `manage.py search_index --rebuild` makes it again and `search.check_drift` finds what drifted."""

    kind = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    text = models.TextField()
    words = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="core_search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
