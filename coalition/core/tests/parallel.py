"""Run the same work in parallel threads, each on its own database connection (for PostgreSQL race tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_in_parallel(count: int, work: Callable[[int], object]) -> list[object]:
    """Start `count` threads together; return each one's result, or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def runner(index: int) -> None:
        from django.db import connection

        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the outcome is what the test inspects
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
