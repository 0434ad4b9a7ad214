"""docs/architecture.md lists every registered kind of notification (its table in "The notification service")."""

from __future__ import annotations

from pathlib import Path

from coalition.notifications import kinds

DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_the_architecture_document_lists_every_registered_kind():
    text = DOC.read_text()
    section = text[text.index("## The notification service") :]
    section = section[: section.index("\n## ", 1)]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    missing = sorted(set(kinds.registered()) - listed)
    assert not missing, f"Add these kinds to the table in docs/architecture.md: {missing}"
