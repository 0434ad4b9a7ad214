from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Your time zone"), help_text=_("Every time is shown to you in this zone."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class DisableAccountForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Recorded in the audit ledger. All the account's sessions end at once."),
    )
