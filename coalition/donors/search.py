"""What donor coordination offers the platform's search: funding activities, as the activities page lists them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.donors import queries
from coalition.donors.models import FundingActivity


def readable(user: Any) -> QuerySet[FundingActivity]:
    """The activities page without a search or filter."""
    return queries.activities(user)


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="donors.activity",
            label=_("Funding activities"),
            model=FundingActivity,
            fields=("title", "description", "identifier"),
            readable=readable,
            url=lambda activity: reverse("donors:activity", args=[activity.pk]),
            title=lambda activity: activity.title,
            order=("-starts_on", "title", "pk"),
        )
    )
