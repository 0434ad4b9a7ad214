"""Meetings and quarterly calls as evidence for Program of Action activities (through core.evidence)."""

from __future__ import annotations

from django.urls import reverse

from coalition.core.evidence import EvidenceType, register
from coalition.meetings.models import Meeting, QuarterlyCall


def register_types() -> None:
    register(
        EvidenceType(
            key="meetings.meeting",
            label="Meeting",
            model=Meeting,
            url=lambda meeting: reverse("meetings:meeting", args=[meeting.pk]),
            title=str,
        )
    )
    register(
        EvidenceType(
            key="meetings.quarterly_call",
            label="Quarterly update call",
            model=QuarterlyCall,
            url=lambda call: reverse("meetings:calls") + f"?year={call.held_on.year}&quarter={call.quarter[1]}",
            title=str,
            related=("organisation",),  # its name is the member's
        )
    )
