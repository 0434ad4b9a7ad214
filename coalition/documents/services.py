"""Every write to documents, and the two pure pieces every page uses: Markdown rendered inert, and redlines.

Rendering: markdown-it (CommonMark, raw HTML off) then nh3 (the Rust `ammonia` sanitiser) with an allow-list;
images only from our own origin (a relative path), links only http(s)/mailto and never `javascript:`.
Redlines: a word-level diff (difflib) of two texts, escaped, with <del> and <ins>.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nh3
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience
from coalition.core.policy import READERS, Classification
from coalition.documents import notices
from coalition.documents.models import ClauseStatus, Comment, Document, Version, paragraphs_of, text_hash

MAX_TEXT = 200_000  # characters in one version

# --- Rendering ---------------------------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "ins",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def _same_origin_images(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image only from our own origin: a path starting with a single "/" (not "//host")."""
    if tag == "img" and attribute == "src":
        return value if value.startswith("/") and not value.startswith("//") else None
    return value


def render(text: str) -> SafeString:
    """Markdown as sanitised HTML: raw HTML is shown as text, scripts, handlers and foreign images are removed."""
    raw = _MARKDOWN.render(text)
    cleaned = nh3.clean(
        raw,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_same_origin_images,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 — nh3 has just sanitised it


# --- Redlines ----------------------------------------------------------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Redline:
    html: SafeString
    inserted: int  # words
    deleted: int


def redline(old: str, new: str) -> Redline:
    """A word-level redline from `old` to `new`: deletions struck through, insertions underlined, all escaped."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
            deleted += sum(1 for token in a[i1:i2] if not token.isspace())
        if op in ("insert", "replace"):
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
            inserted += sum(1 for token in b[j1:j2] if not token.isspace())
    return Redline(mark_safe("".join(out)), inserted, deleted)  # noqa: S308 — every piece escaped above


# --- Documents and versions --------------------------------------------------------------------------------------


def _check_classification(by: Any, classification: str) -> None:
    # A document starts in drafting, and drafts never reach the public: it is published when final (set_phase).
    if classification not in (Classification.COALITION, Classification.MEMBERS):
        raise InvalidInput(
            "Choose coalition or members: a draft is never public; a final document can be published.",
            field="classification",
        )
    if classification not in policy.actor_for(by).readable_classifications():
        raise InvalidInput("Choose a classification you can read yourself.", field="classification")


def _check_text(text: str, field: str = "text") -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("The text is empty.", field=field)
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"The text is longer than {MAX_TEXT:,} characters.", field=field)
    if "\x00" in text:
        raise InvalidInput("The text contains a NUL character.", field=field)
    return text


def create_document(
    *,
    by: Any,
    title: str,
    text: str,
    kind: str = Document.Kind.OTHER,
    classification: str = Classification.MEMBERS,
    base_text: str = "",
    activities: Iterable[Any] = (),
) -> Document:
    policy.require(by, "documents.manage")
    title = " ".join(title.split())  # one line: titles go into email subjects and headings
    if not title:
        raise InvalidInput("Give the document a title.", field="title")
    if kind not in Document.Kind.values:
        raise InvalidInput("Choose a kind of document.", field="kind")
    text = _check_text(text)
    _check_classification(by, classification)
    activities = list(activities)
    for activity in activities:
        if not policy.is_visible(by, activity):
            raise InvalidInput("No such activity that you can see.", field="activities")
    with transaction.atomic():
        document = Document.objects.create(
            title=title[:300],
            kind=kind,
            classification=classification,
            base_text=base_text.strip(),
            created_by=by,
        )
        document.activities.set(activities)
        version = Version.objects.create(document=document, number=1, text=text, author=by, note="First draft")
        ledger.record(
            "documents.created", actor=by, subject=document, data={"version": 1, "hash": version.content_hash}
        )
    return document


def _require_manage(by: Any, document: Document) -> None:
    policy.require(by, "documents.manage")
    if not policy.is_visible(by, document):
        raise AccessDenied("You do not have access to this document.")


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().get(pk=document.pk)


def save_version(*, document: Document, by: Any, text: str, note: str = "") -> Version | None:
    """Save a new version (None when the text is unchanged). Clause statuses follow unchanged paragraphs."""
    _require_manage(by, document)
    text = _check_text(text)
    with transaction.atomic():
        document = _locked(document)
        if document.phase == Document.Phase.FINAL:
            raise InvalidInput("The document is final: its text no longer changes.", field="text")
        current = document.current_version()
        if current is not None and current.text == text:
            return None
        version = Version.objects.create(
            document=document, number=(current.number + 1) if current else 1, text=text, author=by, note=note.strip()
        )
        if current is not None:
            _carry_statuses(current, version, by)
        ledger.record(
            "documents.version_saved",
            actor=by,
            subject=document,
            data={"version": version.number, "hash": version.content_hash},
        )
    return version


def _carry_statuses(old: Version, new: Version, by: Any) -> None:
    """A paragraph whose text is unchanged keeps its status; a changed or new one starts open."""
    by_hash = {status.paragraph_hash: status.status for status in old.clause_statuses.all()}
    ClauseStatus.objects.bulk_create(
        ClauseStatus(version=new, paragraph=n, paragraph_hash=h, status=by_hash[h], set_by=by)
        for n, h in ((n, text_hash(p)) for n, p in enumerate(new.paragraphs, start=1))
        if h in by_hash
    )


# Each phase reads as: who may see the document while it is in that phase.
PHASE_CLASSIFICATION: dict[str, str] = {
    Document.Phase.CONSULTATION: Classification.COALITION,  # the Advisory Network reads and comments
    Document.Phase.MEMBER_REVIEW: Classification.MEMBERS,
}
PHASE_ORDER = [Document.Phase.DRAFTING, Document.Phase.CONSULTATION, Document.Phase.MEMBER_REVIEW, Document.Phase.FINAL]


def set_phase(*, document: Document, by: Any, phase: str, publish: bool = False) -> Document:
    """Move a document to another phase; consultation opens it to the Advisory Network, member review closes it
    to governments again. A final document does not go back; `publish` makes it public as it becomes final (never
    before: drafts do not reach the public)."""
    _require_manage(by, document)
    if phase not in Document.Phase.values:
        raise InvalidInput("Choose a phase.", field="phase")
    if publish and phase != Document.Phase.FINAL:
        raise InvalidInput("Only a final document is published.", field="publish")
    if publish and document.kind == Document.Kind.STATEMENT:
        # A statement reaches the public only through sign-on and its embargo, never from its drafting document.
        raise InvalidInput("A statement is published from its statement page, after sign-on.", field="publish")
    with transaction.atomic():
        document = _locked(document)
        if document.phase == Document.Phase.FINAL:
            raise InvalidInput("The document is final.", field="phase")
        before = document.phase
        document.phase = phase
        if phase in PHASE_CLASSIFICATION and document.classification != Classification.PUBLIC:
            document.classification = PHASE_CLASSIFICATION[phase]
        if publish:
            document.classification = Classification.PUBLIC
        document.save(update_fields=["phase", "classification"])
        data = {"from": before, "to": phase, **({"published": True} if publish else {})}
        ledger.record("documents.phase", actor=by, subject=document, data=data)
    return document


# --- Comments ----------------------------------------------------------------------------------------------------


class Visibility:
    SUPPORT_UNIT = "support_unit"
    MEMBERS = "members"
    ADVISORY_NETWORK = "advisory_network"
    CHOICES = [
        (SUPPORT_UNIT, "Support Unit only"),
        (MEMBERS, "Members"),
        (ADVISORY_NETWORK, "Members and the Advisory Network"),
    ]
    CLASSIFICATION = {
        SUPPORT_UNIT: Classification.RESTRICTED,
        MEMBERS: Classification.MEMBERS,
        ADVISORY_NETWORK: Classification.COALITION,
    }


def support_unit_only() -> Audience:
    """The audience of "Support Unit only" comments: no principal, so the Support Unit alone reads them."""
    audience, _ = Audience.objects.get_or_create(name="Support Unit only")
    return audience


def add_comment(
    *,
    document: Document,
    by: Any,
    paragraph: int,
    text: str,
    visibility: str,
    version: Version | None = None,
    on_behalf_of: Any = None,
) -> Comment:
    """Comment on one paragraph of a version, for the readers `visibility` names — never more than the document's
    own readers, nor readers the author could not be among."""
    policy.require(by, "documents.comment")
    if not policy.is_visible(by, document):
        raise AccessDenied("You do not have access to this document.")
    if document.phase == Document.Phase.FINAL:
        raise InvalidInput("The document is final: comments are closed.", field="text")
    if visibility not in Visibility.CLASSIFICATION:
        raise InvalidInput("Choose who may read the comment.", field="visibility")
    classification = Visibility.CLASSIFICATION[visibility]
    actor = policy.actor_for(by)
    if classification == Classification.RESTRICTED:
        if not actor.has(policy.Role.SUPPORT_UNIT) and not actor.has(*policy.GOVERNMENTS):
            raise InvalidInput("Choose who may read the comment.", field="visibility")
    elif classification not in actor.readable_classifications():
        raise InvalidInput("Choose readers you are among yourself.", field="visibility")
    document_readers = READERS[document.classification]
    if classification != Classification.RESTRICTED and not READERS[classification] <= document_readers:
        raise InvalidInput(
            "A comment cannot reach people who cannot read the document: choose fewer readers.", field="visibility"
        )
    text = text.strip()
    if not text:
        raise InvalidInput("Write the comment.", field="text")
    if len(text) > 10_000:
        raise InvalidInput("A comment is at most 10,000 characters.", field="text")
    version = version or document.current_version()
    if version is None or version.document_id != document.pk:
        raise InvalidInput("No such version of this document.", field="version")
    paragraphs = version.paragraphs
    if not 1 <= paragraph <= len(paragraphs):
        raise InvalidInput(f"Choose a paragraph from 1 to {len(paragraphs)}.", field="paragraph")
    if on_behalf_of is not None and on_behalf_of.pk not in actor.acts_for:
        raise InvalidInput(f"You do not hold a position on behalf of {on_behalf_of}.", field="on_behalf_of")
    with transaction.atomic():
        comment = Comment.objects.create(
            document=document,
            version=version,
            paragraph=paragraph,
            paragraph_hash=text_hash(paragraphs[paragraph - 1]),
            text=text,
            author=by,
            on_behalf_of=on_behalf_of,
            classification=classification,
            audience=support_unit_only() if classification == Classification.RESTRICTED else None,
        )
        ledger.record(
            "documents.commented",
            actor=by,
            subject=document,
            on_behalf_of=on_behalf_of,
            data={"comment": comment.pk, "version": version.number, "paragraph": paragraph, "visibility": visibility},
        )
        notices.comment_added(comment)
    return comment


# --- Clauses -----------------------------------------------------------------------------------------------------


def set_clause_status(*, version: Version, by: Any, paragraph: int, status: str) -> ClauseStatus:
    _require_manage(by, version.document)
    if status not in ClauseStatus.Status.values:
        raise InvalidInput("Choose agreed, open or bracketed.", field="status")
    paragraphs = version.paragraphs
    if not 1 <= paragraph <= len(paragraphs):
        raise InvalidInput(f"Choose a paragraph from 1 to {len(paragraphs)}.", field="paragraph")
    if version.document.phase == Document.Phase.FINAL:
        raise InvalidInput("The document is final.", field="status")
    with transaction.atomic():
        clause, _ = ClauseStatus.objects.update_or_create(
            version=version,
            paragraph=paragraph,
            defaults={"status": status, "paragraph_hash": text_hash(paragraphs[paragraph - 1]), "set_by": by},
        )
        ledger.record(
            "documents.clause_status",
            actor=by,
            subject=version.document,
            data={"version": version.number, "paragraph": paragraph, "status": status},
        )
    return clause


@dataclass(frozen=True)
class Clause:
    number: int
    text: str
    status: str


def clauses(version: Version) -> list[Clause]:
    """Every paragraph of a version with its status (open unless set)."""
    statuses = dict(version.clause_statuses.values_list("paragraph", "status"))
    return [
        Clause(n, text, statuses.get(n, ClauseStatus.Status.OPEN))
        for n, text in enumerate(paragraphs_of(version.text), start=1)
    ]


def open_clauses(version: Version) -> list[Clause]:
    """The clauses still to negotiate: open or bracketed (the export for a meeting)."""
    return [clause for clause in clauses(version) if clause.status != ClauseStatus.Status.AGREED]
