"""Fixtures the library's tests share: a person per role, and `imported(...)`, a text added the way the import page
adds it (as the Support Unit unless `by=` says otherwise), its commit callbacks run so the index follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from coalition.core.policy import Classification
from coalition.library import services
from coalition.library.models import Source


@pytest.fixture
def imported(support: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Source]:
    """imported(text=…, title=…, …) → a public resolution imported and indexed, checked for reuse unless
    `detect=False`."""

    def make(**fields: Any) -> Source:
        fields.setdefault("kind", Source.Kind.RESOLUTION)
        fields.setdefault("title", "A resolution")
        fields.setdefault("classification", Classification.PUBLIC)
        with django_capture_on_commit_callbacks(execute=True):
            return services.import_text(by=fields.pop("by", support), **fields)

    return make
