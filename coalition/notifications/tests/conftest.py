from __future__ import annotations

from collections.abc import Iterator

import pytest

from coalition.notifications.tests.helpers import registered_test_kinds


@pytest.fixture
def test_kinds() -> Iterator[None]:
    with registered_test_kinds():
        yield
