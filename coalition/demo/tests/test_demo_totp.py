"""`demo_totp` prints a code while a sign-in form waits for it: it must not load the whole platform first (issue 17,
item 5). It took 5–25 s because it ran the system checks — which import every URL and view — and because donor
coordination's start-up imported its spreadsheet and overlap machinery (openpyxl, NumPy). The figures are in the
issue's report; here we check what the command loads, in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Run as `manage.py demo_totp` is, with the demo's logins stood in for (the command's own database read is not what
# is being measured), then name the heavy modules that were loaded.
SCRIPT = """
import sys
import django
django.setup()
from coalition.demo import logins
logins.demo_logins = lambda: [logins.DemoLogin("Support Unit", "su@demo.example", "S", "JBSWY3DPEHPK3PXP")]
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "demo_totp", "su@demo.example"])
heavy = ["config.urls", "numpy", "openpyxl", "coalition.donors.services", "coalition.meetings.views"]
print("loaded:", ",".join(name for name in heavy if name in sys.modules))
"""


def run_demo_totp(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'totp.sqlite3'}",
        "COALITION_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_demo_totp_prints_a_six_digit_code(tmp_path: Path) -> None:
    result = run_demo_totp(tmp_path)
    assert result.returncode == 0, result.stderr
    code = result.stdout.splitlines()[0]
    assert len(code) == 6 and code.isdigit()


def test_demo_totp_loads_no_view_url_or_import_machinery(tmp_path: Path) -> None:
    result = run_demo_totp(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "loaded: "
