from __future__ import annotations

from collections.abc import Iterator

import pytest

from coalition.notifications import service
from coalition.notifications.tests.helpers import registered_test_kinds


@pytest.fixture
def test_kinds() -> Iterator[None]:
    with registered_test_kinds():
        yield


@pytest.fixture
def no_hints() -> Iterator[None]:
    """No unread-types hint learnt by an earlier test (`service._UNREAD_TYPES`), nor left for a later one."""
    service._UNREAD_TYPES.clear()
    yield
    service._UNREAD_TYPES.clear()
