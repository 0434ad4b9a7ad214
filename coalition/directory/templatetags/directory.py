from __future__ import annotations

import datetime as dt

from django import template

from coalition.directory.models import describe_date

register = template.Library()


@register.simple_tag
def dated(on: dt.date | None, precision: str | None) -> str:
    return describe_date(on, precision or "day")
