"""The members directory's table rows, written in Python (coalition.directory.rows) rather than by a template loop."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from coalition.directory import rows
from coalition.directory.models import Organisation

register = template.Library()


@register.simple_tag
def member_rows(organisations: Iterable[Organisation]) -> SafeString:
    """The rows of directory/members.html's table, the empty-table row included."""
    return rows.member_rows(organisations)
