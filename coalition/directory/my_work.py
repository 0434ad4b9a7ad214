"""The home page's "My work" (issue 19): the sections the apps register with `coalition.core.workplace`, for the
viewer — their own work and, for the Support Unit and the Chair, the coalition-wide queue; the public home for an
anonymous visitor. Reads only: every section lists what the viewer's own account may see."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coalition.core import workplace
from coalition.core.workplace import SectionItems


@dataclass(frozen=True)
class MyWork:
    personal: list[SectionItems] = field(default_factory=list)
    queue: list[SectionItems] = field(default_factory=list)
    public: list[SectionItems] = field(default_factory=list)
    notifications_url: str = ""  # the notification centre, where the site has one

    @property
    def waiting(self) -> int:
        """How many items of the viewer's own work there are (the queue not counted)."""
        return sum(section.total for section in self.personal)


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _sections(user: Any, now: Any, scope: str) -> list[SectionItems]:
    """The sections of `scope`, each long one's "See all" leading to its listing's page or else to its own pages."""
    return [
        replace(section, see_all=reverse("directory:work_section", args=[section.key]))
        if section.more and not section.see_all
        else section
        for section in workplace.sections_for(user, now, scope)
    ]


def my_work(user: Any) -> MyWork:
    now = timezone.now()
    scopes = workplace.scopes_for(user)
    if workplace.PUBLIC in scopes:
        return MyWork(public=_sections(user, now, workplace.PUBLIC))
    return MyWork(
        personal=_sections(user, now, workplace.PERSONAL),
        queue=_sections(user, now, workplace.COALITION),
        notifications_url=_url("notifications:centre"),
    )
