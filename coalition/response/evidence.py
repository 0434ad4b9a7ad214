"""Closed situations, with their after-action review, as evidence for the rapid response mechanism (1B.3) and, when a
statement was published, for country-specific statements (1A.5)."""

from __future__ import annotations

from django.urls import reverse

from coalition.core.evidence import EvidenceType, register
from coalition.response.models import Situation


def register_types() -> None:
    register(
        EvidenceType(
            key="response.situation",
            label="Rapid response situation",
            model=Situation,
            url=lambda situation: reverse("response:situation", args=[situation.pk]),
            title=lambda situation: situation.title,
        )
    )
