"""Comment notifications (issue 19): `documents.comment_reply` to whoever commented on the paragraph before (in the
digest by default) and `documents.mention` to whoever a comment names with "@" (at once) — never to someone who may
not read the comment (its own classification or its document's), including after a reclassification between
queueing and sending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from coalition.core.models import Audience
from coalition.core.policy import Classification, Role
from coalition.documents import notices, services
from coalition.documents.models import Comment, Document
from coalition.documents.services import Visibility
from coalition.notifications import service
from coalition.notifications.models import Delivery, Mode, Notification

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
TEXT = "First clause.\n\nSecond clause.\n\nThird clause."


@pytest.fixture
def document(make_user: MakeUser) -> Document:
    """A document in consultation: members and the Advisory Network may read and comment on it."""
    support = make_user(Role.SUPPORT_UNIT)
    draft = services.create_document(by=support, title="Concept note", text=TEXT)
    return services.set_phase(document=draft, by=support, phase=Document.Phase.CONSULTATION)


def comment(document: Document, by: Any, text: str, *, paragraph: int = 1, visibility: str = Visibility.MEMBERS):
    return services.add_comment(document=document, by=by, paragraph=paragraph, text=text, visibility=visibility)


def named(make_user: MakeUser, role: Role, full_name: str, email: str) -> Any:
    user = make_user(role, email=email)
    user.person.full_name = full_name
    user.person.save(update_fields=["full_name"])
    return user


def told(kind: str) -> set[Any]:
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


# --- Replies ------------------------------------------------------------------------------------------------------


def test_a_later_comment_on_the_paragraph_tells_the_earlier_commenters_in_their_digest(document, make_user, worker):
    first, second, elsewhere = (make_user(Role.MEMBER_OFFICIAL) for _ in range(3))
    comment(document, first, "Too vague.")
    comment(document, elsewhere, "Fine.", paragraph=2)
    with worker():
        reply = comment(document, second, "Agreed, let us tighten it.")

    [notification] = Notification.objects.filter(kind=notices.REPLY)
    assert (notification.recipient, notification.subject, notification.mode) == (first, reply, Mode.DIGEST)
    assert mail.outbox == []  # normal: it waits for the digest
    [shown] = service.rendered([notification], first)
    assert "commented after you on paragraph 1" in shown.message.subject
    assert shown.message.text == "Agreed, let us tighten it."
    assert shown.message.path == f"/documents/{document.pk}/#p1"


def test_a_reply_narrower_than_the_document_is_not_told_to_those_it_excludes(document, make_user, worker):
    advisory, official, member = (make_user(r) for r in (Role.ADVISORY_NETWORK, Role.MEMBER_OFFICIAL, Role.FOCAL_POINT))
    comment(document, advisory, "From civil society.", visibility=Visibility.ADVISORY_NETWORK)
    comment(document, member, "From a member.")
    with worker():
        comment(document, official, "Members only: we disagree.", visibility=Visibility.MEMBERS)

    assert told(notices.REPLY) == {member}  # the Advisory Network member may read the document, not this comment


# --- Mentions -----------------------------------------------------------------------------------------------------


def test_a_mention_by_name_or_address_emails_the_person_at_once(document, make_user, worker):
    author = make_user(Role.MEMBER_OFFICIAL)
    ana = named(make_user, Role.MEMBER_OFFICIAL, "Ana Example", "ana.silva@example.org")
    maria = named(make_user, Role.FOCAL_POINT, "Maria da Costa", "mdc@example.org")
    anabel = named(make_user, Role.MEMBER_OFFICIAL, "Anabel Other", "ana@example.org")
    with worker():
        mention = comment(document, author, "@ana.silva and @Maria da Costa: can you check? Mail ana@ or @anabelle.")

    assert told(notices.MENTION) == {ana, maria}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.email, maria.email])
    message = next(m for m in mail.outbox if m.to == [maria.email])
    assert "mentioned you on paragraph 1 of “Concept note”" in message.subject
    assert "can you check?" in message.body and f"/documents/{document.pk}/#p1" in message.body
    assert anabel not in told(notices.MENTION) and not Notification.objects.filter(recipient=author).exists()
    assert notices.mentioned(mention) == [ana, maria]


def test_a_mentioned_person_is_not_also_told_of_a_reply(document, make_user, worker):
    author = make_user(Role.MEMBER_OFFICIAL)
    ana = named(make_user, Role.MEMBER_OFFICIAL, "Ana Example", "ana.silva@example.org")
    comment(document, ana, "A first thought.")
    with worker():
        comment(document, author, "As @Ana Example says.")
    assert (told(notices.MENTION), told(notices.REPLY)) == ({ana}, set())


def test_nobody_is_mentioned_in_a_comment_they_may_not_read(document, make_user, worker):
    author = make_user(Role.MEMBER_OFFICIAL)
    named(make_user, Role.ADVISORY_NETWORK, "Civil Society", "cs@example.org")
    with worker():
        mention = comment(document, author, "@cs and @Civil Society: not for you.", visibility=Visibility.MEMBERS)
    assert notices.mentioned(mention) == [] and not Notification.objects.exists() and mail.outbox == []


def test_a_mention_in_an_email_address_or_of_nobody_tells_no_one(document, make_user, worker):
    author = make_user(Role.MEMBER_OFFICIAL)
    named(make_user, Role.MEMBER_OFFICIAL, "Ana Example", "ana.silva@example.org")
    with worker():
        comment(document, author, "Write to ana.silva@example.org or to @nobody-here.")
    assert not Notification.objects.exists() and mail.outbox == []


# --- Reclassified between queueing and sending ----------------------------------------------------------------------


@pytest.mark.parametrize("reclassified", ["comment", "document"])
def test_a_mention_reclassified_before_sending_is_dropped_and_hidden(
    reclassified, document, make_user, django_capture_on_commit_callbacks
):
    author = make_user(Role.MEMBER_OFFICIAL)
    advisory = named(make_user, Role.ADVISORY_NETWORK, "Civil Society", "cs@example.org")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        mention = comment(document, author, "@cs please look.", visibility=Visibility.ADVISORY_NETWORK)
    assert told(notices.MENTION) == {advisory}

    model = Comment if reclassified == "comment" else Document
    pk = mention.pk if reclassified == "comment" else document.pk
    model.objects.filter(pk=pk).update(classification=Classification.MEMBERS)
    for callback in queued:
        callback()

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.DROPPED
    assert not service.visible_notifications(advisory).exists()
    assert service.unread_count(advisory) == 0


def test_a_reply_reclassified_before_the_digest_is_hidden(document, make_user, worker):
    advisory, official = make_user(Role.ADVISORY_NETWORK), make_user(Role.MEMBER_OFFICIAL)
    comment(document, advisory, "A first thought.", visibility=Visibility.ADVISORY_NETWORK)
    with worker():
        reply = comment(document, official, "An answer.", visibility=Visibility.ADVISORY_NETWORK)
    assert service.visible_notifications(advisory).count() == 1

    restricted = Audience.objects.create(name="Support Unit only")
    Comment.objects.filter(pk=reply.pk).update(classification=Classification.RESTRICTED, audience=restricted)
    assert not service.visible_notifications(advisory).exists()
