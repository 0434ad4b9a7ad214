"""The documents' notifications, registered from DocumentsConfig.ready() and sent from `services.add_comment`:

- `documents.comment_reply`: someone commented on a paragraph after you did (comments have no threads: a later
  comment on the paragraph is the answer, as on the home page); normal, so gathered into the digest by default;
- `documents.mention`: a comment names you with "@" followed by your full name or the part of your email address
  before the "@"; urgent.

Both are about the new comment, so a person is told only if they may read it — its own classification, which may be
narrower than its document's, and its document (`Comment.visible_with`) — when it is written and again when sent."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy
from coalition.documents.models import Comment
from coalition.notifications import kinds, service

REPLY = "documents.comment_reply"
MENTION = "documents.mention"

# "@" at the start or after a character that is not part of a word or address, then a name's first word.
AT = re.compile(r"(?<![\w.+-])@([\w][\w.+-]*)")
MAX_TOKENS = 20  # a comment naming more people than this is not a list of mentions
EXCERPT = 1000


def _path(comment: Comment) -> str:
    return reverse("documents:document", args=[comment.document_id]) + f"#p{comment.paragraph}"


def _text(comment: Comment) -> str:
    text = comment.text if len(comment.text) <= EXCERPT else comment.text[:EXCERPT].rstrip() + "…"
    return text


def render_reply(comment: Comment, user: Any) -> kinds.Message:
    values = {
        "who": policy.name_if_visible(user, comment.author) or _("Someone"),
        "n": comment.paragraph,
        "title": comment.document.title,
    }
    return kinds.Message(
        subject=_("%(who)s commented after you on paragraph %(n)d of “%(title)s”") % values,
        text=_text(comment),
        path=_path(comment),
    )


def render_mention(comment: Comment, user: Any) -> kinds.Message:
    values = {
        "who": policy.name_if_visible(user, comment.author) or _("Someone"),
        "n": comment.paragraph,
        "title": comment.document.title,
    }
    return kinds.Message(
        subject=_("%(who)s mentioned you on paragraph %(n)d of “%(title)s”") % values,
        text=_text(comment),
        path=_path(comment),
    )


def register() -> None:
    kinds.register(
        kinds.Kind(
            key=REPLY,
            label=gettext_lazy("A comment after yours"),
            description=gettext_lazy(
                "Someone comments on a paragraph of a document after you commented on it. Gathered into the weekly "
                "digest unless you choose otherwise."
            ),
            model=Comment,
            render=render_reply,
        )
    )
    kinds.register(
        kinds.Kind(
            key=MENTION,
            label=gettext_lazy("You are mentioned in a comment"),
            description=gettext_lazy(
                "A comment names you with “@” followed by your full name or the start of your email address (the "
                "part before the “@”). Emailed at once unless you choose otherwise."
            ),
            model=Comment,
            render=render_mention,
            urgent=True,
        )
    )


def _named(text: str, user: Any) -> bool:
    """Whether `text` mentions `user`: "@" then their full name, or their email address's local part, as a whole."""
    names = [user.email.split("@", 1)[0]]
    person = getattr(user, "person", None)
    if person is not None and person.full_name.strip():
        names.append(person.full_name.strip())
    for name in names:
        if re.search(rf"(?<![\w.+-])@{re.escape(name)}(?![\w+-]|\.\w)", text, flags=re.IGNORECASE):
            return True
    return False


def mentioned(comment: Comment) -> list[Any]:
    """The people `comment` mentions who may read it (never its author): found by the first word after each "@",
    then kept only if their whole name or address part follows it."""
    tokens = list(dict.fromkeys(match.rstrip(".") for match in AT.findall(comment.text)))[:MAX_TOKENS]
    if not tokens:
        return []
    wanted = Q()
    for token in tokens:
        wanted |= Q(email__istartswith=f"{token}@") | Q(person__full_name__istartswith=token)
    candidates = (
        get_user_model()
        ._default_manager.filter(wanted, is_active=True, is_service_account=False)
        .exclude(pk=comment.author_id)
        .select_related("person")
        .order_by("pk")
    )
    return [user for user in candidates if _named(comment.text, user) and policy.is_visible(user, comment)]


def comment_added(comment: Comment) -> None:
    """Tell whoever `comment` mentions, and whoever commented on the same paragraph before (unless mentioned), in
    the caller's transaction."""
    named = mentioned(comment)
    if named:
        service.notify(kind=MENTION, subject=comment, recipients=named, reason=_("A comment mentions you by name."))
    earlier = (
        Comment.objects.filter(
            document_id=comment.document_id, paragraph=comment.paragraph, created_at__lte=comment.created_at
        )
        .exclude(pk=comment.pk)
        .exclude(author_id=comment.author_id)
        .exclude(author_id__in=[user.pk for user in named])
        .values("author_id")
    )
    authors = get_user_model()._default_manager.filter(pk__in=earlier).select_related("person")
    service.notify(
        kind=REPLY,
        subject=comment,
        recipients=authors,
        reason=_("You commented on this paragraph before."),
    )
