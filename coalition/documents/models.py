"""Documents drafted together (PoA 1A.3, 1B.1, 2A.3, 3B.4 and every statement): versioned Markdown, comments
anchored to paragraphs with their own visibility, and the status of each clause.

A version is never changed once saved. Paragraphs are the blocks of a version's text separated by blank lines,
numbered from 1; a comment or clause status names the version and the paragraph number, and keeps the paragraph's
hash so that it can follow the same text into later versions.
"""

from __future__ import annotations

import hashlib
import re
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of a Markdown text: blocks separated by blank lines, stripped, empty ones dropped."""
    return [block.strip() for block in _BLANK_LINES.split(text.replace("\r\n", "\n").strip()) if block.strip()]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class VersionImmutable(Exception):
    """A saved version never changes: what a sign-on's content hash names must stay the text that was signed."""


class Document(Classified):
    """A text drafted in versions, through phases: drafting → consultation with the Advisory Network → member
    review → final."""

    classification = classification_field(Classification.MEMBERS)

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        CONCEPT_NOTE = "concept_note", _("Concept note")
        TERMS_OF_REFERENCE = "terms_of_reference", _("Terms of Reference")
        PRINCIPLES = "principles", _("Principles")
        TOOLKIT = "toolkit", _("Toolkit")
        OTHER = "other", _("Other")

    class Phase(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        CONSULTATION = "consultation", _("Consultation with the Advisory Network")
        MEMBER_REVIEW = "member_review", _("Member review")
        FINAL = "final", _("Final")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.DRAFTING)
    base_text = models.TextField(
        _("base text"), blank=True, help_text=_("An earlier agreed text the drafts are compared against.")
    )
    activities = models.ManyToManyField(
        "programme.Activity", blank=True, related_name="+", verbose_name=_("programme activities")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["-created_at"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> Version | None:
        return self.versions.order_by("-number").first()


class Version(models.Model):
    """One saved text of a document; never changed afterwards."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text (Markdown)"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    content_hash = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise VersionImmutable(f"{self} is saved already: a change is a new version.")
        self.content_hash = text_hash(self.text)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs_of(self.text)


class Comment(Classified):
    """A comment on one paragraph of one version. Its visibility is its own: Support Unit only (restricted, read by
    the Support Unit alone), members (governments) or Advisory Network (the whole coalition)."""

    classification = classification_field(Classification.MEMBERS)
    # A comment is read only with its document: a document reclassified later hides its comments too.
    visible_with: ClassVar[tuple[str, ...]] = ("document",)

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="comments")
    paragraph = models.PositiveIntegerField(_("paragraph"))
    paragraph_hash = models.CharField(max_length=64)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta(Classified.Meta):
        ordering = ["document", "paragraph", "created_at"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return f"comment on ¶{self.paragraph} of {self.version}"


class ClauseStatus(models.Model):
    """Where negotiation stands on one paragraph of one version: agreed, open or bracketed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        BRACKETED = "bracketed", _("Bracketed")
        AGREED = "agreed", _("Agreed")

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="clause_statuses")
    paragraph = models.PositiveIntegerField()
    paragraph_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "paragraph"]
        constraints = [
            models.UniqueConstraint(fields=["version", "paragraph"], name="one_status_per_clause"),
            models.CheckConstraint(condition=Q(paragraph__gte=1), name="clause_paragraph_from_one"),
        ]

    def __str__(self) -> str:
        return f"¶{self.paragraph} of {self.version}: {self.status}"
