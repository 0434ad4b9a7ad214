"""What every CSV export shares: a cell a spreadsheet cannot run as a formula (OWASP "CSV injection")."""

from __future__ import annotations

from decimal import Decimal

# A spreadsheet reads a cell starting with one of these as a formula (or as the start of one, after a tab or a
# carriage return); such text gets a leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, quoted when a spreadsheet would read it as a formula. Numbers stay numbers: "-12.50" is a
    refund, not a formula, and quoting it would make it text."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
