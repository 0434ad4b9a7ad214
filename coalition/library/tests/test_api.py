"""The library's search API: the same policy as the pages, and bad input named by its parameter."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from coalition.core.policy import Classification, Role
from coalition.library import services
from coalition.library.models import Source

pytestmark = pytest.mark.django_db

TEXT = (
    "Affirms that the same rights that people have offline must also be protected online, in particular freedom "
    "of expression, which is applicable regardless of frontiers and through any media of one's choice;"
)


@pytest.fixture
def texts(make_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    with django_capture_on_commit_callbacks(execute=True):
        for classification in (Classification.PUBLIC, Classification.MEMBERS):
            services.import_text(
                by=support,
                text=f"{TEXT}\n\nThis text is {classification}.",
                kind=Source.Kind.RESOLUTION,
                title=f"A {classification} text",
                forum="HRC",
                classification=classification,
                detect=False,
            )


def test_anonymous_callers_find_public_paragraphs_only(texts: None) -> None:
    body = APIClient().get("/api/v1/library/search/", {"q": "offline online"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["provenance"]["title"] == "A public text" and hit["provenance"]["forum"] == "HRC"
    assert [h.casefold() for h in hit["highlights"]] == ["offline", "online"]


def test_highlights_are_the_matched_words_in_a_paragraph_with_non_ascii_letters(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.import_text(
            by=make_user(Role.SUPPORT_UNIT),
            text="Réaffirme que les droits « offline » sont aussi protégés online, sans préjudice de la sécurité.",
            kind=Source.Kind.RESOLUTION,
            title="Une résolution",
            classification=Classification.PUBLIC,
            detect=False,
        )
    body = APIClient().get("/api/v1/library/search/", {"q": "offline online"}).json()
    assert body["results"][0]["highlights"] == ["offline", "online"]


def test_members_find_members_only_paragraphs(texts: None, make_user: Any) -> None:
    client = APIClient()
    client.force_authenticate(make_user(Role.MEMBER_OFFICIAL))
    body = client.get("/api/v1/library/search/", {"q": "offline online"}).json()
    assert {r["provenance"]["title"] for r in body["results"]} == {"A public text", "A members text"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "( ) * :"}, "q"), ({"q": ""}, "q"), ({"q": "online", "year_from": "soon"}, "year_from")],
)
def test_bad_parameters_are_named(texts: None, params: dict[str, str], field: str) -> None:
    response = APIClient().get("/api/v1/library/search/", params)
    assert response.status_code == 400
    assert field in response.json()
