"""Meetings across every time zone (issue 4). For now: the fair rotation of meeting times (PoA 3B.3)."""
