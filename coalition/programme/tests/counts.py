"""What a programme write could leave behind, counted, so refused writes can be shown to write nothing."""

from __future__ import annotations

from coalition.core.models import AuditEvent
from coalition.programme.models import Activity, EvidenceLink, Programme, ProgressUpdate, StatusChange, StatusProposal


def written() -> tuple[int, ...]:
    return (
        ProgressUpdate.objects.count(),
        StatusProposal.objects.count(),
        StatusChange.objects.count(),
        EvidenceLink.objects.count(),
        Programme.objects.count(),
        Activity.objects.count(),
        AuditEvent.objects.count(),
    )
