"""The meeting or series a URL names, among those the viewer may see (else a 404)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from coalition.meetings import queries
from coalition.meetings.models import Meeting, MeetingSeries


def meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(queries.meetings(request.user), pk=pk)


def series_or_404(request: HttpRequest, pk: int) -> MeetingSeries:
    return get_object_or_404(queries.series_list(request.user), pk=pk)
