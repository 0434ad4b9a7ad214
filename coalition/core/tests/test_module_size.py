"""No module of ours grows past 800 lines (issue 18): past that, a module holds several subjects and is split by
subject. Migrations are generated and the demo's data tables are data, so they are left out."""

from __future__ import annotations

from pathlib import Path

import coalition

LIMIT = 800
ROOT = Path(coalition.__file__).parent
EXEMPT = ("migrations", "demo/data.py")


def long_modules(root: Path = ROOT, limit: int = LIMIT) -> dict[str, int]:
    lengths = {}
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if any(part in name for part in EXEMPT):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            lengths[name] = lines
    return lengths


def test_no_module_is_longer_than_800_lines():
    assert long_modules() == {}


def test_the_count_sees_a_long_module(tmp_path):
    (tmp_path / "long.py").write_text("x = 1\n" * (LIMIT + 1))
    (tmp_path / "short.py").write_text("x = 1\n" * LIMIT)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text("x = 1\n" * (LIMIT + 1))
    assert long_modules(tmp_path) == {"long.py": LIMIT + 1}
