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

The home shows a section's first SHOWN items (a collect lists the most urgent first), says how many there are in all,
and links to "See all", where every item is reached: the listing's own `see_all` page, or else the home's pages of
the section (`directory:work_section`). A section that can grow long (hundreds of members, activities) returns a
`Listing` instead of a list: every row, unread (a queryset), and how to make the items of a page of rows, so that
only the rows shown are read and made into items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Window
from django.utils.functional import Promise

from coalition.core import policy
from coalition.core.policy import Role

PERSONAL = "personal"  # the person's own work, from their current positions
COALITION = "coalition"  # the coalition-wide queue, shown to the Support Unit and the Chair
PUBLIC = "public"  # the public home, shown to anonymous visitors
SCOPES = (PERSONAL, COALITION, PUBLIC)

SHOWN = 5  # the items of a section shown on the home, the rest a "See all" away

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


@dataclass(frozen=True)
class Listing:
    """A section's every row, most urgent first, read only a page at a time: `rows` is sliced and counted (in the
    database, for a queryset), and `items` makes the items of one slice (with whatever that slice needs read)."""

    rows: QuerySet[Any] | Sequence[Any]
    items: Callable[[list[Any]], list[Item]]
    see_all: str = ""  # a page where every row is listed; "" for the home's own pages of the section


Collect = Callable[[Any, policy.Actor, dt.datetime], "list[Item] | Listing"]


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
    items: list[Item]  # all of them, or the first SHOWN of a long section's
    total: int = 0  # how many there are in all
    see_all: str = ""  # where every one is listed, when `items` are the first of more

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


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
    return [_shown(section, section.collect(user, actor, now)) for section in registered(scope)]


def _first(rows: QuerySet[Any] | Sequence[Any]) -> tuple[list[Any], int]:
    """The first SHOWN rows and how many there are in all: of a queryset, in one query (the count a window over
    every row the query finds, before the LIMIT)."""
    if not isinstance(rows, QuerySet):
        return list(rows[:SHOWN]), len(rows)
    first = list(rows.annotate(workplace_total=Window(Count("pk")))[:SHOWN])
    if not first:
        return [], 0
    return first, first[0]["workplace_total"] if isinstance(first[0], dict) else first[0].workplace_total


def _shown(section: Section, found: list[Item] | Listing) -> SectionItems:
    """The section as the home shows it: a long one's first SHOWN items, with how many there are in all."""
    listing = found if isinstance(found, Listing) else Listing(rows=found, items=list)
    rows, total = _first(listing.rows)
    return SectionItems(
        key=section.key,
        title=str(section.title),
        empty_text=str(section.empty_text),
        scope=section.scope,
        items=listing.items(rows),
        total=total,
        see_all=listing.see_all,
    )


def listing_for(user: Any, now: dt.datetime, key: str) -> tuple[Section, Listing] | None:
    """A section of the viewer's scopes with every row (for its own pages), or None when the viewer has no such
    section; a short section's items come as a listing of them."""
    section = _SECTIONS.get(key)
    if section is None or section.scope not in scopes_for(user):
        return None
    found = section.collect(user, policy.actor_for(user), now)
    return section, found if isinstance(found, Listing) else Listing(rows=found, items=list)
