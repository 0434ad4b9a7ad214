"""How any app adds a section of reminders to the weekly digest email, without `programme` importing it.

The weekly digest (`coalition.programme.tasks`) lists a lead's stale activities; other apps add what a person has
left undone (a meeting invitation without a reply, minutes waiting for approval, a quarterly call not recorded).
An app registers its section once, in its AppConfig.ready():

    from coalition.core import digest

    digest.register_section(
        "meetings",
        _("Meetings"),
        collect=reminders.reminders_for,       # (person, account, on) -> list[Reminder]
        recipients=reminders.recipients,       # (on) -> ids of the people who may have any (a cheap superset)
    )

`collect` answers for one person and must list only what that person's own account may see: the digest shows
reminders as they come. A reminder's `subject` is the record it is about, so that a preview shown to someone else
can leave out what the viewer may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Reminder:
    """Something a person has not done yet: a line of text and the path of the page where they do it."""

    kind: str
    text: str
    path: str
    subject: Any = field(default=None, compare=False, repr=False)


Collect = Callable[[Any, Any, dt.date], list[Reminder]]
Recipients = Callable[[dt.date], set[int]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise  # a lazily translated title, read in the recipient's language when the email is made
    collect: Collect
    recipients: Recipients | None = None  # None: anyone may have reminders of this section


@dataclass(frozen=True)
class SectionReminders:
    """One section of one person's digest, as it is sent."""

    key: str
    title: str
    reminders: list[Reminder]


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, title: str | Promise, collect: Collect, *, recipients: Recipients | None = None) -> None:
    """Add (or, registering the same key again, replace) a section of the weekly digest."""
    _SECTIONS[key] = Section(key=key, title=title, collect=collect, recipients=recipients)


def registered() -> dict[str, Section]:
    return dict(_SECTIONS)


def reminders_for(person: Any, account: Any, on: dt.date) -> list[SectionReminders]:
    """The non-empty sections of one person's digest, in the order the sections were registered."""
    found = []
    for section in _SECTIONS.values():
        reminders = section.collect(person, account, on)
        if reminders:
            found.append(SectionReminders(key=section.key, title=str(section.title), reminders=list(reminders)))
    return found


def recipients(on: dt.date) -> set[int] | None:
    """The ids of the people who may have a reminder on `on`, or None when a section cannot narrow it down."""
    ids: set[int] = set()
    for section in _SECTIONS.values():
        if section.recipients is None:
            return None
        ids |= section.recipients(on)
    return ids
