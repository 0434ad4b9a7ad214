"""No page says "1 observers" (issue 17, item 6): every count a template prints beside a plural noun goes through
a counted translation ({% blocktranslate count %}, Django's ngettext), so English gets "1 observer" and the next
languages get their own plural forms. Read from the templates' source, so a new page is held to it too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(ROOT.glob("*/templates/**/*.html"))
# A translated block without `count`, and inside it a variable followed by a plural noun: "{{ n }} events".
UNCOUNTED_BLOCK = re.compile(
    r"\{% blocktrans(?:late)?(?P<options>[^%]*)%\}(?P<text>.*?)\{% endblocktrans(?:late)? %\}", re.S
)
NUMBER_AND_NOUN = re.compile(r"\{\{ \w+ \}\}(?:</strong>)? (?P<noun>[a-z]+s)\b")
# A printed number followed by a separately translated plural: "{{ observer_count }}</strong> {% trans "observers" %}".
NUMBER_THEN_TRANS = re.compile(r"\{\{ [\w.|]+ \}\}(?:</strong>)? \{% trans(?:late)? \"(?P<noun>[a-z ]+s)\" %\}")
VERBS = {"is", "was", "has", "does", "takes"}  # "{{ title }} is cancelled" is not a count


def uncounted_plurals(source: str) -> list[str]:
    found = []
    for block in UNCOUNTED_BLOCK.finditer(source):
        if "count" not in block.group("options").split():
            found += [m.group(0) for m in NUMBER_AND_NOUN.finditer(block.group("text")) if m["noun"] not in VERBS]
    found += [m.group(0) for m in NUMBER_THEN_TRANS.finditer(source)]
    return found


def test_the_check_finds_a_number_beside_an_uncounted_plural() -> None:
    assert uncounted_plurals('<strong>{{ observer_count }}</strong> {% trans "observers" %}')
    assert uncounted_plurals("{% blocktrans with n=size %}Covers the first {{ n }} events.{% endblocktrans %}")
    assert not uncounted_plurals(
        "{% blocktrans count n=size %}{{ n }} event{% plural %}{{ n }} events{% endblocktrans %}"
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_count_beside_a_plural_noun_is_a_counted_translation(template: Path) -> None:
    assert uncounted_plurals(template.read_text()) == []
