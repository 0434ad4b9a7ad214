"""Money as donor coordination shows it: whole amounts without cents, thousands separated."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from coalition.donors.models import Topic

register = template.Library()


@register.filter
def money(value: Decimal | int | float | None) -> str:
    """1085000 → “1,085,000”; 250000.5 → “250,000.50”; nothing → “—”."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


@register.filter
def topic_label(code: str) -> str:
    """A policy topic's name; “No policy topic” for funding that maps to none."""

    if not code:
        return str(_("No policy topic"))
    return str(Topic(code).label) if code in Topic.values else code
