"""How any app adds a section to the home page ("My work"), without the home's app importing it.

The home shows each signed-in person what needs them, gathered from their current positions: sign-on rounds their
member must answer, invitations awaiting their reply, minutes to approve, activities they lead, and so on. The Support
Unit and the Chair also see a coalition-wide queue, and anonymous visitors a public home. An app registers each of its
sections once, in its AppConfig.ready(), from its own `workplace.py`:

    from coalition.core import workplace

    workplace.register_section(
        "meetings.rsvp",
        gettext_lazy("Invitations awaiting your reply"),
        gettext_lazy("Meeting invitations you have not answered will appear here."),
        collect=rsvp_items,                  # (user, actor, now) -> list[Item]
        scope=workplace.PERSONAL,            # or COALITION (Support Unit and Chair) or PUBLIC (anonymous home)
    )

`collect` is called with the viewer's account (an AnonymousUser on the public home), their `policy.Actor` and an aware
`now`, and must list only what that account may see: every read starts from `policy.visible_to` (or checks
`policy.is_visible`/`policy.can` per record). An item's `deadline` is an aware datetime: the page shows it in the
viewer's own time zone. A section's collect must make a bounded number of queries, whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from coalition.core import policy
from coalition.core.policy import Role

PERSONAL = "personal"  # the person's own work, from their current positions
COALITION = "coalition"  # the coalition-wide queue, shown to the Support Unit and the Chair
PUBLIC = "public"  # the public home, shown to anonymous visitors
SCOPES = (PERSONAL, COALITION, PUBLIC)

# Who sees the coalition-wide queue.
QUEUE_ROLES = frozenset({Role.SUPPORT_UNIT, Role.CHAIR})


@dataclass(frozen=True)
class Item:
    """One thing on the home: a line of text, the path where it is done, and what helps the person judge it."""

    text: str
    path: str
    deadline: dt.datetime | None = None  # aware; rendered in the viewer's time zone
    deadline_zone: str = ""  # the host's zone (a sign-on round's), shown beside the viewer's when it differs
    detail: str = ""  # a second line: who has acted, how long it has been quiet, ...
    subject: Any = field(default=None, compare=False, repr=False)  # the record the item is about


def from_reminder(reminder: Any, **more: Any) -> Item:
    """An item made of a digest reminder (`coalition.core.digest.Reminder`): the same text, path and subject, so a
    section shows what the weekly digest says, plus whatever `more` adds (a deadline, a detail line)."""
    return Item(text=reminder.text, path=reminder.path, subject=reminder.subject, **more)


Collect = Callable[[Any, policy.Actor, dt.datetime], list[Item]]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    empty_text: str | Promise  # what will appear here, said when there is nothing yet
    collect: Collect
    scope: str = PERSONAL
    order: int = 100  # lower first; sections of equal order keep the order they were registered in


@dataclass(frozen=True)
class SectionItems:
    """One section as a viewer sees it."""

    key: str
    title: str
    empty_text: str
    scope: str
    items: list[Item]


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str,
    title: str | Promise,
    empty_text: str | Promise,
    collect: Collect,
    *,
    scope: str = PERSONAL,
    order: int = 100,
) -> None:
    """Add (or, registering the same key again, replace) a section of the home page."""
    if scope not in SCOPES:
        raise ValueError(f"Unknown workplace scope {scope!r}; expected one of {', '.join(SCOPES)}.")
    _SECTIONS[key] = Section(key=key, title=title, empty_text=empty_text, collect=collect, scope=scope, order=order)


def unregister_section(key: str) -> None:
    """Remove a section (tests that register their own)."""
    _SECTIONS.pop(key, None)


def registered(scope: str | None = None) -> list[Section]:
    """The registered sections (of one scope), in display order."""
    sections = [s for s in _SECTIONS.values() if scope is None or s.scope == scope]
    return sorted(sections, key=lambda s: s.order)  # sorted() is stable: registration order breaks ties


def scopes_for(user: Any) -> list[str]:
    """Which scopes a viewer sees: the public home when anonymous; their own work, and the queue for the Support Unit
    and the Chair, when signed in."""
    actor = policy.actor_for(user)
    if actor.user is None:
        return [PUBLIC]
    return [PERSONAL, COALITION] if actor.has(*QUEUE_ROLES) else [PERSONAL]


def sections_for(user: Any, now: dt.datetime, scope: str) -> list[SectionItems]:
    """Every section of `scope` with its items for `user` (empty sections included, to say what will appear)."""
    if scope not in scopes_for(user):
        return []
    actor = policy.actor_for(user)
    return [
        SectionItems(
            key=section.key,
            title=str(section.title),
            empty_text=str(section.empty_text),
            scope=section.scope,
            items=list(section.collect(user, actor, now)),
        )
        for section in registered(scope)
    ]
