"""The documents' sections of the home page (`coalition.core.workplace`): comments that answer a person's own (a
later comment by someone else on a paragraph they commented on) and documents open for comment in a consultation
phase."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.documents.models import Comment, Document

REPLIES_WITHIN = dt.timedelta(days=30)
REPLIES_SHOWN = 20
CONSULTED = (Document.Phase.CONSULTATION, Document.Phase.MEMBER_REVIEW)


def register() -> None:
    """Called from DocumentsConfig.ready()."""
    workplace.register_section(
        "documents.replies",
        gettext_lazy("Replies to your comments"),
        gettext_lazy(
            "Comments others make, in the last 30 days, on a paragraph after you commented on it will appear here."
        ),
        replies,
        order=60,
    )
    workplace.register_section(
        "documents.consultation",
        gettext_lazy("Documents open for your comments"),
        gettext_lazy("Documents in consultation or member review that you may comment on will appear here."),
        open_for_comment,
        order=70,
    )


def replies(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The comments the viewer may read, by someone else, made after one of the viewer's own on the same paragraph
    of the same document (comments have no threads: a later comment on the paragraph is the answer), newest first."""
    if actor.user is None:
        return []
    earlier_own = Comment.objects.filter(
        author=user,
        document=OuterRef("document"),
        paragraph=OuterRef("paragraph"),
        created_at__lt=OuterRef("created_at"),
    )
    comments = (
        policy.visible_to(user, Comment)
        .filter(document__in=policy.visible_to(user, Document), created_at__gte=now - REPLIES_WITHIN)
        .exclude(author=user)
        .filter(Exists(earlier_own))
        .select_related("document", "author__person")
        .order_by("-created_at", "-pk")[:REPLIES_SHOWN]
    )
    items = []
    for comment in comments:
        person = getattr(comment.author, "person", None)
        items.append(
            Item(
                text=_("%(who)s on paragraph %(n)d of “%(title)s”")
                % {
                    "who": person.full_name if person else _("Someone"),
                    "n": comment.paragraph,
                    "title": comment.document.title,
                },
                path=reverse("documents:document", args=[comment.document_id]) + f"#p{comment.paragraph}",
                detail=comment.text[:200],
                subject=comment,
            )
        )
    return items


def open_for_comment(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item] | workplace.Listing:
    """The documents in consultation or member review that the viewer may read and comment on, saying whether they
    have commented yet (the home reads the first few and the count)."""
    if actor.user is None or not policy.can(user, "documents.comment"):
        return []
    mine = Comment.objects.filter(author=user, document=OuterRef("pk"))
    documents = (
        policy.visible_to(user, Document)
        .filter(phase__in=CONSULTED)
        .only("pk", "title", "phase")
        .annotate(commented=Exists(mine))
        .order_by("title", "pk")
    )

    def items(rows: list[Document]) -> list[Item]:
        commented, not_yet = _("you have commented on it."), _("you have not commented yet.")
        return [
            Item(
                text=document.title,
                path=reverse("documents:document", args=[document.pk]),
                detail=f"{document.get_phase_display()} — " + (commented if document.commented else not_yet),  # type: ignore[attr-defined]
                subject=document,
            )
            for document in rows
        ]

    return workplace.Listing(rows=documents, items=items)
