from __future__ import annotations

from collections.abc import Callable

from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coalition.accounts import attempts
from coalition.core.forms import ServiceForm, TimeZoneField


class ConfirmForm(ServiceForm):
    """A button: no fields, only the errors of the service it runs (end a session, stay signed in)."""


class TimeZoneForm(ServiceForm):
    time_zone = TimeZoneField(label=_("Your time zone"), help_text=_("Every time is shown to you in this zone."))


class DisableAccountForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Recorded in the audit ledger. All the account's sessions end at once."),
    )


def _limited_per_address(form: mfa_forms.BaseAuthenticateForm, check: Callable[[], str]) -> str:
    """Run allauth's code check under our per (address, account) limit. allauth's own limit for codes counts per
    account alone, so its `login_failed` setting holds a per-address rate only (coalition.accounts.attempts)."""
    request = context.request
    usage = attempts.consume_second_factor_attempt(request, user=form.user)
    try:
        code = check()
    except ValidationError as refused:
        if refused.code == "too_many_login_attempts":
            attempts.refuse_attempt(request, login=form.user.email, stage="second_factor", limit="address")
        raise
    usage.rollback()  # a right code does not count against its address
    return code


class SecondFactorForm(mfa_forms.AuthenticateForm):
    """The code asked for after the password."""

    def clean_code(self) -> str:
        return _limited_per_address(self, super().clean_code)


class SecondFactorAgainForm(mfa_forms.ReauthenticateForm):
    """The code asked for again before a sensitive change."""

    def clean_code(self) -> str:
        return _limited_per_address(self, super().clean_code)
