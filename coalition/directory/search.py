"""What the directory offers the platform's search: members and observers, and people."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.directory import queries
from coalition.directory.models import Organisation, Participation, Person


def participants(user: Any) -> QuerySet[Organisation]:
    """The members page with "members and observers" chosen, as of today."""
    statuses = (Participation.Status.MEMBER, Participation.Status.OBSERVER)
    return queries.participants_on(user, on=queries.today(), statuses=statuses)


def people(user: Any) -> QuerySet[Person]:
    """The people directory without filters."""
    return queries.people_for(user)


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="directory.organisation",
            label=_("Members and organisations"),
            model=Organisation,
            fields=("name", "short_name", "country__name", "country__official_name"),
            readable=participants,
            url=lambda org: reverse("directory:organisation", args=[org.pk]),
            order=("name", "pk"),
        )
    )
    search.register(
        search.Kind(
            key="directory.person",
            label=_("People"),
            model=Person,
            fields=("full_name",),
            readable=people,
            url=lambda person: reverse("directory:people") + f"#person-{person.pk}",
            title=lambda person: person.full_name,
            order=("full_name", "pk"),
        )
    )
