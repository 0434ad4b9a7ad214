"""The documents' home sections (issue 19, My work): comments answering a person's own on the same paragraph, and
documents in consultation or member review that the person may read and comment on."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Classification, Role
from coalition.documents import services
from coalition.documents.models import Document

pytestmark = pytest.mark.django_db

TEXT = "First paragraph.\n\nSecond paragraph."


def items(user: Any, key: str) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), workplace.PERSONAL)}
    return sections[key].items


def document(support: Any, classification: str = Classification.COALITION, phase: str = "") -> Document:
    found = services.create_document(by=support, title="Principles draft", text=TEXT, classification=classification)
    if phase:
        found = services.set_phase(document=found, by=support, phase=phase)
    return found


def comment(found: Document, by: Any, text: str, paragraph: int = 1, visibility: str = "members") -> Any:
    return services.add_comment(document=found, by=by, paragraph=paragraph, text=text, visibility=visibility)


def test_a_later_comment_on_the_same_paragraph_is_a_reply_on_the_first_commenters_home(make_user: Any) -> None:
    support, focal, official = (
        make_user(Role.SUPPORT_UNIT),
        make_user(Role.FOCAL_POINT),
        make_user(Role.MEMBER_OFFICIAL),
    )
    found = document(support)
    comment(found, focal, "Strengthen this.")
    comment(found, official, "Agreed, say 'urges'.")
    comment(found, official, "Unrelated.", paragraph=2)
    [item] = items(focal, "documents.replies")
    assert item.detail == "Agreed, say 'urges'."
    assert item.path == f"/documents/{found.pk}/#p1"
    assert official.person.full_name in item.text
    assert items(official, "documents.replies") == []  # their own comment came after none of theirs


def test_a_reply_the_commenter_may_not_read_is_not_listed(make_user: Any) -> None:
    support, focal = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    found = document(support)
    comment(found, focal, "Strengthen this.")
    comment(found, support, "Note for the Support Unit only.", visibility="support_unit")
    assert items(focal, "documents.replies") == []
    assert len(items(support, "documents.replies")) == 0  # the Support Unit's own


def test_documents_in_consultation_are_listed_for_those_who_may_read_and_comment(make_user: Any) -> None:
    support, advisor, focal = (
        make_user(Role.SUPPORT_UNIT),
        make_user(Role.ADVISORY_NETWORK),
        make_user(Role.FOCAL_POINT),
    )
    consulted = document(support, phase=Document.Phase.CONSULTATION)  # opened to the Advisory Network
    document(support, phase=Document.Phase.MEMBER_REVIEW)  # closed to governments again
    document(support)  # still drafting
    [item] = items(advisor, "documents.consultation")
    assert item.subject == consulted
    assert item.detail.endswith("you have not commented yet.")
    assert len(items(focal, "documents.consultation")) == 2
    comment(consulted, advisor, "Civil society's view.", visibility="advisory_network")
    [item] = items(advisor, "documents.consultation")
    assert item.detail.endswith("you have commented on it.")
    assert items(make_user(Role.OBSERVER), "documents.consultation") == []  # observers do not comment
