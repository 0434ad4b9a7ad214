"""The optional semantic leg of search. (Interim: off; the embedding leg replaces this.)"""

from __future__ import annotations

from typing import Any


def enabled() -> bool:
    return False


def fuse(user: Any, query: str, filters: Any, ranked: list[Any]) -> list[Any] | None:
    return None
