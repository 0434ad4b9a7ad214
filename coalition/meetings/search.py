"""What meetings offer the platform's search: meetings (title, place, series, agenda) and their minutes, the
minutes found only by those who may read them on the meeting's page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.meetings import queries
from coalition.meetings.models import Meeting


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="meetings.meeting",
            label=_("Meetings"),
            model=Meeting,
            fields=("title", "location", "series__title", "agenda__title", "agenda__description"),
            readable=queries.meetings,
            url=lambda meeting: reverse("meetings:meeting", args=[meeting.pk]),
            order=("-starts_at", "pk"),
        )
    )
    search.register(
        search.Kind(
            key="meetings.minutes",
            label=_("Minutes"),
            model=Meeting,
            fields=("agenda__minutes_revisions__text", "decisions__text"),
            follows=("agenda",),
            readable=queries.with_readable_minutes,
            url=lambda meeting: reverse("meetings:meeting", args=[meeting.pk]) + "#minutes",
            title=lambda meeting: _g("Minutes of %(meeting)s") % {"meeting": meeting},
            order=("-starts_at", "pk"),
        )
    )
