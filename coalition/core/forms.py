from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


class DateField(forms.DateField):
    """A date field for people: a calendar input, and dates a coalition can mean (so no arithmetic overflows)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Event starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Who"), required=False, max_length=200)
    since = DateField(label=_("From (date)"), required=False)
    until = DateField(label=_("Until (date)"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
