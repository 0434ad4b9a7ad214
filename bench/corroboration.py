"""Corroboration replayed on real shutdown episodes (issue 15, item 4): the expected and the actual alerts.

Each case of `coalition/response/tests/replays.py` is played into an empty database: signals arrive in the order
their sources would have delivered them and `services.raise_alerts` runs after each arrival. For every checked step
the script prints the alerts there should be and the alerts there are, as a Markdown table for `bench/README.md`.

Run: .venv/bin/python bench/corroboration.py            (embedded SQLite in a temporary folder)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("COALITION_VAR_DIR", tempfile.mkdtemp(prefix="coalition-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from coalition.directory.services import load_countries  # noqa: E402
from coalition.response.models import Alert, Signal  # noqa: E402
from coalition.response.tests.replays import REPLAYS, replay  # noqa: E402


def shown(alerts: list[tuple[str, tuple[str, ...], str, str]]) -> str:
    if not alerts:
        return "none"
    return "<br>".join(f"{country} {first} → {last} ({', '.join(sources)})" for country, sources, first, last in alerts)


def main() -> None:
    call_command("migrate", verbosity=0)
    load_countries()
    print("| case | after the signals of | expected alerts | actual alerts | |")
    print("|---|---|---|---|---|")
    matched = checked = 0
    for case in REPLAYS:
        Alert.objects.all().delete()
        Signal.objects.all().delete()
        name = case.name
        for step, alerts in replay(case):
            if step.expect is None:
                continue
            expected = list(step.expect)
            checked += 1
            matched += alerts == expected
            mark = "✓" if alerts == expected else "✗"
            print(f"| {name} | {step.at:%Y-%m-%d %H:%M} | {shown(expected)} | {shown(alerts)} | {mark} |")
            name = ""
    print(f"\n{matched} of {checked} checked steps give the expected alerts.")


if __name__ == "__main__":
    main()
