"""A fixed-window counter in the shared cache, for costly actions a person may repeat (checking a draft against the
library): `allow(key, limit, seconds)` is False once `key` has been used `limit` times in the current window."""

from __future__ import annotations

import time

from django.core.cache import cache


def allow(key: str, limit: int, seconds: int) -> bool:
    window = int(time.time() // seconds)
    name = f"throttle:{key}:{window}"
    if cache.add(name, 1, timeout=seconds + 1):
        return True
    try:
        return cache.incr(name) <= limit
    except ValueError:  # the window expired between add() and incr()
        cache.add(name, 1, timeout=seconds + 1)
        return True
