"""What a search box's text means, the same on every engine: words, every one of which must begin a word of the
record (a one-letter word must be a whole word). Nothing the person typed reaches an engine as syntax: quotes,
`*`, parentheses, `:`, `NEAR(` and the operators AND, OR, NOT are read as text and said to be ignored."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_CHARS = 200  # the text read; anything after it is ignored, and the page says so
MAX_TERMS = 8  # words searched for; the rest are ignored, and the page says so
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_SYNTAX = re.compile(r'["*():^+{}\[\]<>|&!~]')


def words_of(text: str) -> list[str]:
    """A text's words as the index holds them: Unicode NFC, lower case, split on anything not a letter or digit."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def normalise(text: str) -> str:
    return " ".join(words_of(text))


@dataclass(frozen=True)
class Query:
    raw: str
    terms: tuple[str, ...]
    ignored: tuple[str, ...] = field(default=())  # what the page tells the reader was not searched for

    @property
    def searched(self) -> str:
        return " ".join(self.terms)

    def matches(self, words: list[str]) -> bool:
        """Whether a record whose words are `words` is found: the rule both engines implement."""
        return bool(self.terms) and all(
            any(word == term if len(term) == 1 else word.startswith(term) for word in words) for term in self.terms
        )


def parse(raw: str) -> Query:
    ignored: list[str] = []
    text = raw
    if len(text) > MAX_CHARS:
        ignored.append(
            ngettext(
                "the text after the first %(limit)d character (%(count)d more)",
                "the text after the first %(limit)d characters (%(count)d more)",
                MAX_CHARS,
            )
            % {"limit": MAX_CHARS, "count": len(text) - MAX_CHARS}
        )
        text = text[:MAX_CHARS]
    syntax = sorted(set(_SYNTAX.findall(text)))
    if syntax:
        ignored.append(_("search syntax, read as spaces: %(chars)s") % {"chars": " ".join(syntax)})
    operators = [word for word in re.findall(r"\b[A-Z]+\b", text) if word in _OPERATORS]
    if operators:
        ignored.append(
            _("the operators %(words)s (every word must match)") % {"words": ", ".join(dict.fromkeys(operators))}
        )
        text = re.sub(r"\b(?:AND|OR|NOT|NEAR)\b", " ", text)
    terms = list(dict.fromkeys(words_of(text)))
    if len(terms) > MAX_TERMS:
        ignored.append(
            _("the words after the first %(limit)d: %(words)s")
            % {"limit": MAX_TERMS, "words": " ".join(terms[MAX_TERMS:])}
        )
        terms = terms[:MAX_TERMS]
    return Query(raw=raw, terms=tuple(terms), ignored=tuple(ignored))
