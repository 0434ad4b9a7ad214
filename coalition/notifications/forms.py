from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.core.forms import ServiceForm
from coalition.notifications import kinds
from coalition.notifications.models import Mode


class ActionForm(ServiceForm):
    """A button that acts on one notification (or all): nothing to fill in."""


class UnsubscribeForm(ServiceForm):
    """The confirm button, or a mail client's RFC 8058 one-click POST (its body "List-Unsubscribe=One-Click" is
    all it sends; the signed token in the address says the rest)."""


class PreferencesForm(ServiceForm):
    """One row of radio buttons per registered kind (its field named by the kind's key)."""

    def __init__(self, *args: Any, user: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[kinds.Kind, str]] = []
        for key, kind in kinds.registered().items():
            why = kind.obliged(user)
            # Every choice is accepted here: the service refuses "off" where it may not be, saying why.
            choices = [(mode.value, mode.label) for mode in Mode]
            self.fields[key] = forms.ChoiceField(
                label=str(kind.label),
                help_text=str(kind.description),
                choices=choices,
                widget=forms.RadioSelect,
                initial=current[key],
                error_messages={"required": _("Choose how you receive this.")},
            )
            self.fields[key].obliged = why  # type: ignore[attr-defined]
            self.fields[key].security = kind.security  # type: ignore[attr-defined]
            self.rows.append((kind, why))
