"""What the programme offers the platform's search: its activities, of every programme."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.programme import queries
from coalition.programme.models import Activity


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="programme.activity",
            label=_("Programme activities"),
            model=Activity,
            fields=("code", "title", "status_reason", "objective__title"),
            readable=queries.visible_activities,
            url=lambda a: reverse("programme:activity", args=[a.objective.goal.programme.year, a.code]),
            title=lambda a: f"{a.code} {a.title}",
            related=("objective__goal__programme",),
            order=("-objective__goal__programme__year", "code", "pk"),
        )
    )
