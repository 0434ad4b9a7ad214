""" "Did you mean" (issue 15 item 21: a misspelt query found nothing and offered nothing): the search page and the API
suggest the query with its misspelt words corrected from the words of paragraphs the reader may find, in the
query's language where it is known; a word of a hidden text is never suggested."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.library.models import Source
from coalition.library.spelling import edit_distance

pytestmark = pytest.mark.django_db

AFFIRMS = (
    "Affirms that the same rights that people have offline must also be protected online, in particular freedom of "
    "expression, which is applicable regardless of frontiers and through any media of one's choice;"
)
AFFIRME = (
    "Affirme que les droits dont les personnes jouissent hors ligne doivent être protégés en ligne, en particulier "
    "la liberté d'expression et la liberté de la presse;"
)


@pytest.fixture
def library(imported: Callable[..., Source]) -> None:
    imported(text=AFFIRMS, title="On the internet", detect=False)


def suggestion(query: str, user: Any = None) -> str | None:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    body = client.get("/api/v1/library/search/", {"q": query}).json()
    return body["suggestion"]


def test_a_misspelt_search_offers_the_library_spelling_on_the_page(library: None) -> None:
    query = {"q": "freedon of expresion", "forum": "", "page": "2"}
    response = client_for(None).get(reverse("library:search"), query)
    assert "Nothing found" in text_of(response)
    assert "Did you mean freedom of expression?" in text_of(response)
    assert 'href="?q=freedom+of+expression&amp;forum="' in response.content.decode()  # page one, filters kept


def test_the_api_gives_the_corrected_query_and_none_when_every_word_is_found(library: None) -> None:
    assert suggestion("Freedon of EXPRESION onlnie") == "Freedom of EXPRESSION online"
    assert suggestion('"protected onlien" 1/1 of one’s choise') == '"protected online" 1/1 of one’s choice'
    assert suggestion("freedom of expresison") == "freedom of expression"  # unstemmed: found by its beginning
    assert suggestion("freedom of expression") is None
    assert suggestion("xylophone tapdance") is None  # nothing close in the library: no wild guess


def test_a_word_only_a_hidden_text_holds_is_never_suggested(
    imported: Callable[..., Source], make_user: Callable[..., Any]
) -> None:
    imported(text="The Zambezi commission met in private.", classification=Classification.MEMBERS, detect=False)
    assert suggestion("Zambesi") is None
    assert suggestion("Zambesi", user=make_user(Role.MEMBER_OFFICIAL)) == "Zambezi"


def test_a_french_query_is_corrected_from_french_paragraphs_and_keeps_its_function_words(
    imported: Callable[..., Source],
) -> None:
    imported(text="The liberty of the press.\n\nOn liberty and security.", title="English", detect=False)
    imported(text=AFFIRME, title="Français", detect=False)
    assert suggestion("the libertee of the press") == "the liberty of the press"
    assert suggestion("la libertee d'expresion") == "la liberté d'expression"
    assert suggestion("libertee de la pressse") == "liberté de la presse"


def test_edit_distance_counts_a_swap_of_neighbouring_letters_as_one_edit() -> None:
    assert edit_distance("rigths", "rights") == 1
    assert edit_distance("expresion", "expression") == 1
    assert edit_distance("libertee", "liberté") == 2
    assert edit_distance("", "abc") == 3
