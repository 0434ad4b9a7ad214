"""The demo names its governments, ministries and missions as English does: "Government of the United States",
"Mission of the Netherlands in Geneva", "Government of Kenya" (issue 17, item 6)."""

from __future__ import annotations

import pytest

from coalition.demo.loader import load_demo
from coalition.directory.models import Office, Organisation

pytestmark = pytest.mark.django_db


def test_the_demos_names_give_countries_their_article() -> None:
    load_demo()
    governments = dict(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT).values_list("country__code", "name")
    )
    assert governments["US"] == "Government of the United States"
    assert governments["GB"] == "Government of the United Kingdom"
    assert governments["NL"] == "Government of the Netherlands"
    assert governments["MV"] == "Government of the Maldives"
    assert governments["KE"] == "Government of Kenya"
    ministry = Office.objects.get(organisation__country__code="NL", kind=Office.Kind.MINISTRY)
    assert ministry.name == "Ministry of Foreign Affairs of the Netherlands"
