"""Real data: the UN General Debate speeches of 2011–2017 that mention digital topics, imported beside the demo
statements. A search for the offline/online formula finds the speeches that use it, each with its provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from coalition.accounts.models import User
from coalition.demo.loader import DEMO_DOMAIN, load_demo
from coalition.library import queries
from coalition.library.models import Paragraph, Source
from coalition.library.ungdc import import_speeches

SPEECHES = Path(settings.BASE_DIR).parent / "shared" / "data" / "agreed-language" / "ungdc"
SPEECHES_FILE = SPEECHES / "ungdc_2011-2017_digital-mentions.jsonl"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.realdata,
    pytest.mark.skipif(not SPEECHES_FILE.is_file(), reason="../shared/data is not on this machine"),
]


@pytest.fixture
def imported(django_capture_on_commit_callbacks: Any) -> Any:
    """The demo coalition (its statements, a demo resolution and national statement), then the speeches."""
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_speeches(SPEECHES_FILE, by=support)
    return support, report


def test_every_speech_is_imported_once_in_paragraphs(imported: Any) -> None:
    support, report = imported
    rows = [json.loads(line) for line in SPEECHES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert report.imported == len(rows) == Source.objects.filter(kind=Source.Kind.SPEECH).count()
    assert report.skipped == []
    sizes = sorted(p.word_count for p in Paragraph.objects.filter(source__kind=Source.Kind.SPEECH))
    assert 25 <= sizes[len(sizes) // 2] <= 200  # real paragraphs, not whole pages
    again = import_speeches(SPEECHES_FILE, by=support)
    assert (again.imported, again.already) == (0, len(rows))


def test_the_offline_online_formula_finds_the_speeches_that_use_it(imported: Any) -> None:
    rows = [json.loads(line) for line in SPEECHES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = {(r["iso3"], r["year"]) for r in rows if r["offline_online_mention"]}
    assert expected  # the corpus marks the speeches that use the formula
    results = queries.search(None, "same rights offline online").results
    found = {(r.source.author_country.alpha3, r.source.year) for r in results if r.source.author_country}
    assert expected <= found
    for result in results:
        assert result.source.forum and result.paragraph.label
        assert any(hit for _text, hit in result.parts)
        if result.source.kind == Source.Kind.SPEECH:
            assert result.source.forum == "UNGA" and result.source.author
    # The demo's own texts that carry the formula are found beside the speeches, with their provenance.
    assert "A/HRC/RES/DEMO/1" in {r.source.symbol for r in results}
