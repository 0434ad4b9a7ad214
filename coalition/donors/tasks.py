"""Background work for donor coordination: overlap detection after an import (and on demand for everything)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from coalition.donors import services


@task()
def detect(among: list[int] | None = None) -> dict[str, Any]:
    """Compare the activities an import created or changed (all when `among` is None) with every other member's."""
    return services.detect_overlaps(among)
