"""Reads of documents worth a name, already access-filtered: every document, version and comment that reaches a
page or an export starts from `policy.visible_to`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.safestring import SafeString, mark_safe

from coalition.core import policy
from coalition.core.policy import Classification
from coalition.directory.models import Organisation
from coalition.documents import services
from coalition.documents.models import ClauseStatus, Comment, Document, Version, text_hash
from coalition.programme.models import Activity

# A comment's visibility, read back from the classification add_comment gave it.
VISIBILITY_OF = {classification: key for key, classification in services.Visibility.CLASSIFICATION.items()}
VISIBILITY_LABELS = dict(services.Visibility.CHOICES)

_HEADING = re.compile(r"<(/?)h([1-6])>")


def documents(user: Any) -> QuerySet[Document]:
    return policy.visible_to(user, Document).select_related("created_by__person")


def index(user: Any) -> QuerySet[Document]:
    """The documents the user may see, newest first, each with its last version's number and time."""
    return (
        documents(user)
        .annotate(last_number=Max("versions__number"), last_saved_at=Max("versions__created_at"))
        .order_by("-created_at", "-pk")
    )


def versions(user: Any, document: Document) -> list[Version]:
    """A document's versions, newest first; only the current one for a reader of a published document who may not
    see its drafting history (policy rule "documents.view_history")."""
    found = list(document.versions.select_related("author__person").order_by("-number"))
    return found if policy.can(user, "documents.view_history", document) else found[:1]


def activities(user: Any, document: Document) -> list[Any]:
    """The programme activities a document serves, those the user may see."""
    return list(policy.visible_to(user, Activity).filter(pk__in=document.activities.values("pk")).order_by("code"))


def acting_for(user: Any) -> list[Any]:
    """The organisations on whose behalf the user holds a position (a comment may be made on their behalf)."""
    acts_for = policy.actor_for(user).acts_for
    if not acts_for:
        return []
    return list(policy.visible_to(user, Organisation).filter(pk__in=acts_for).order_by("name"))


@dataclass(frozen=True)
class CommentView:
    pk: int
    text: str
    author_name: str
    on_behalf_of_name: str
    created_at: dt.datetime
    visibility: str
    visibility_label: str
    version_number: int
    carried: bool  # made on an earlier version, on the same paragraph text
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class ParagraphView:
    number: int
    text: str  # the Markdown
    html: SafeString  # rendered through services.render
    status: str
    status_label: str
    comments: list[CommentView]

    @property
    def anchor(self) -> str:
        return f"p{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status != ClauseStatus.Status.AGREED


def _name_if_visible(user: Any, record: Any) -> str:
    """A person's or organisation's name, only if the user may see that record (as the `name_if_visible` tag)."""
    return policy.name_if_visible(user, record) or "—"


def _heading_levels(rendered: list[str], top: int) -> dict[int, int]:
    """The level each heading level of a text takes on the page: the text's highest heading becomes `top` and the
    levels it uses follow on without a gap (a text that goes from `##` to `####` reads as h3 then h4), so the
    text's headings sit below the page's own in an order a screen reader can follow."""
    used = sorted({int(match.group(2)) for html in rendered for match in _HEADING.finditer(html)})
    return {level: min(top + rank, 6) for rank, level in enumerate(used)}


def _place_headings(html: str, levels: dict[int, int]) -> SafeString:
    """Headings inside the text at their level on the page (nh3 leaves them bare: `<h1>`, no attributes)."""
    placed = _HEADING.sub(lambda m: f"<{m.group(1)}h{levels.get(int(m.group(2)), int(m.group(2)))}>", html)
    return mark_safe(placed)  # noqa: S308 — only tag names changed in sanitised HTML


def _anchor(comment: Comment, version: Version, hashes: list[str]) -> int | None:
    """The paragraph of `version` a comment belongs to: its own on the version it was made on; on a later version,
    the paragraph with the same text (the nearest to its number, should the text repeat); none if it changed."""
    if comment.version_id == version.pk:
        return comment.paragraph if 1 <= comment.paragraph <= len(hashes) else None
    same = [n for n, h in enumerate(hashes, start=1) if h == comment.paragraph_hash]
    return min(same, key=lambda n: abs(n - comment.paragraph)) if same else None


def comments(user: Any, document: Document, version: Version) -> QuerySet[Comment]:
    """The comments the user may read on a version and on the versions before it."""
    return (
        policy.visible_to(user, Comment)
        .filter(document=document, version__number__lte=version.number)
        .select_related("author__person", "on_behalf_of", "version")
        .order_by("created_at", "pk")
    )


def paragraph_view(user: Any, document: Document, version: Version, *, top_heading: int = 3) -> list[ParagraphView]:
    """A version's paragraphs, each rendered, with its clause status and the comments `user` may read on it. The
    text's headings start at `top_heading` (the paragraphs sit under a page's <h2>)."""
    texts = version.paragraphs
    hashes = [text_hash(text) for text in texts]
    statuses = dict(version.clause_statuses.values_list("paragraph", "status"))
    by_number: dict[int, list[CommentView]] = {n: [] for n in range(1, len(texts) + 1)}
    for comment in comments(user, document, version):
        number = _anchor(comment, version, hashes)
        if number is None:
            continue
        visibility = VISIBILITY_OF.get(comment.classification, services.Visibility.MEMBERS)
        by_number[number].append(
            CommentView(
                pk=comment.pk,
                text=comment.text,
                author_name=_name_if_visible(user, comment.author),
                on_behalf_of_name=_name_if_visible(user, comment.on_behalf_of) if comment.on_behalf_of else "",
                created_at=comment.created_at,
                visibility=visibility,
                visibility_label=VISIBILITY_LABELS[visibility],
                version_number=comment.version.number,
                carried=comment.version_id != version.pk,
                resolved_at=comment.resolved_at,
            )
        )
    rendered = [str(services.render(text)) for text in texts]
    levels = _heading_levels(rendered, top_heading)
    views = []
    for number, (text, html) in enumerate(zip(texts, rendered, strict=True), start=1):
        status = statuses.get(number, ClauseStatus.Status.OPEN)
        views.append(
            ParagraphView(
                number=number,
                text=text,
                html=_place_headings(html, levels),
                status=status,
                status_label=str(ClauseStatus.Status(status).label),
                comments=by_number[number],
            )
        )
    return views


def open_clauses(user: Any, document: Document, version: Version) -> list[ParagraphView]:
    """The clauses still to negotiate (open or bracketed), with the comments the user may read: the export for a
    meeting."""
    return [paragraph for paragraph in paragraph_view(user, document, version) if paragraph.is_open]


def comment_visibilities(user: Any, document: Document) -> list[str]:
    """The visibilities services.add_comment accepts from `user` on `document`: "Support Unit only" for the
    governments and the Support Unit; otherwise readers the author is among and who can read the document."""
    actor = policy.actor_for(user)
    readable = actor.readable_classifications()
    document_readers = policy.READERS[document.classification]
    allowed = []
    for key, classification in services.Visibility.CLASSIFICATION.items():
        if classification == Classification.RESTRICTED:
            if actor.has(*policy.GOVERNMENTS):
                allowed.append(key)
        elif classification in readable and policy.READERS[classification] <= document_readers:
            allowed.append(key)
    return allowed


@dataclass(frozen=True)
class DocumentPowers:
    """What the viewer of a document's page may do there (the policy's answers, asked once)."""

    comment: bool  # comment on a paragraph
    manage: bool  # edit the text, set clause statuses, move the document between phases

    @classmethod
    def of(cls, user: Any) -> DocumentPowers:
        return cls(comment=policy.can(user, "documents.comment"), manage=policy.can(user, "documents.manage"))
