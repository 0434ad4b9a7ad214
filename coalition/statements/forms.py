"""Forms of the statements pages. They parse input; the services decide what is allowed, and their errors come back
on the field they name (`add_service_error`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coalition.core import policy, wallclock
from coalition.core.errors import InvalidInput
from coalition.core.forms import DateField, OccurrenceField, TimeZoneField, time_zone_choices
from coalition.core.forms import ServiceForm as CoreServiceForm
from coalition.directory.models import Country, Organisation
from coalition.programme.models import Activity
from coalition.statements.models import Freeze, Response, Statement

_CODES = re.compile(r"[\s,;]+")
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})

# Each procedure in plain words, on the statement page, in the freeze form and in the final reminder.
MODE_EXPLAINED: dict[str, Any] = {
    Freeze.Mode.SIGN_ON: _(
        "Sign-on: the statement is made by the members that sign this text by the deadline. A member that does "
        "nothing is not a signatory."
    ),
    Freeze.Mode.SILENCE: _(
        "Silence procedure: the text is adopted at the deadline unless a member objects before it. A member that "
        "agrees need do nothing; an objection, with its reason, breaks the silence."
    ),
}


class ServiceForm(CoreServiceForm):
    """The statement pages show no errors of hidden fields: those go to the top of the form."""

    hidden_errors_at_top = True


# --- Drafting ---------------------------------------------------------------------------------------------------


class StatementForm(ServiceForm):
    """Every argument of services.create_statement; programme activities named by their codes."""

    aliases = {"activities": "activity_codes"}

    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of statement"), choices=Statement.Kind.choices, widget=forms.RadioSelect)
    about_country = forms.ModelChoiceField(
        label=_("Country concerned"),
        queryset=Country.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("Required for a country-specific statement."),
    )
    situation = forms.CharField(
        label=_("Situation (rapid response)"),
        required=False,
        max_length=200,
        help_text=_("The situation the statement responds to, if any."),
    )
    activity_codes = forms.CharField(
        label=_("Programme activities (codes)"),
        required=False,
        max_length=300,
        help_text=_("The codes of the activities it serves, separated by commas, e.g. 1A.5, 1A.6."),
    )
    text = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Paragraphs are separated by a blank line; members comment on each paragraph."),
    )
    fast_track = forms.BooleanField(
        label=_("Fast track (country-specific statements only): silence procedure with a short window"),
        required=False,
        help_text=_("The freeze form then proposes silence procedure and a deadline 45 minutes ahead."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        country = self.fields["about_country"]
        assert isinstance(country, forms.ModelChoiceField)
        country.queryset = policy.visible_to(user, Country).order_by("name")

    def clean_activity_codes(self) -> list[Any]:
        found = []
        for code in (c for c in _CODES.split(self.cleaned_data["activity_codes"]) if c):
            activity = (
                policy.visible_to(self.user, Activity)
                .filter(code=code)
                .order_by("-objective__goal__programme__year")
                .first()
            )
            if activity is None:
                raise forms.ValidationError(
                    _("No programme activity with the code %(code)s that you can see."), params={"code": code}
                )
            if activity not in found:
                found.append(activity)
        return found


# --- Freezing ---------------------------------------------------------------------------------------------------


def read_wall_clock(form: forms.Form, data: dict[str, Any], name: str) -> None:
    """`data["<name>_at"]`: the instant the form's `<name>_on`, `<name>_time`, `<name>_time_zone` and
    `<name>_occurrence` fields mean, when all three of the first are given. A time the clocks skip is refused on
    `<name>_time` with the times to choose instead; one they repeat on `<name>_occurrence` until it says which."""
    day, clock, zone = data.get(f"{name}_on"), data.get(f"{name}_time"), data.get(f"{name}_time_zone")
    if not (day and clock and zone):
        return
    try:
        data[f"{name}_at"] = wallclock.local_instant(
            day,
            clock,
            zone,
            field=f"{name}_time",
            occurrence=data.get(f"{name}_occurrence", ""),
            occurrence_field=f"{name}_occurrence",
        )
    except InvalidInput as problem:
        form.add_error(problem.field, problem.message)


class FreezeForm(ServiceForm):
    """The deadline as a date and a time in a named host zone, and the procedure."""

    aliases = {"deadline": "deadline_on"}

    deadline_on = DateField(label=_("Deadline: date (host time)"))
    deadline_time = forms.TimeField(label=_("Deadline: time (host time)"), widget=TIME_WIDGET)
    deadline_time_zone = TimeZoneField(
        label=_("Host time zone"),
        help_text=_("The deadline is a time in this zone; each member also sees it in their own."),
    )
    deadline_occurrence = OccurrenceField()
    mode = forms.ChoiceField(label=_("Procedure"), choices=Freeze.Mode.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["deadline_time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = time_zone_choices()

    def clean(self) -> dict[str, Any]:
        """A deadline the host's clock shows: a time the clocks skip is refused with the times to choose instead,
        and a time they repeat says which of the two it is (issue 17, item 9)."""
        data = super().clean() or {}
        read_wall_clock(self, data, "deadline")
        return data

    def deadline(self) -> dt.datetime:
        return self.cleaned_data["deadline_at"]


# --- Responding -------------------------------------------------------------------------------------------------


class RespondForm(ServiceForm):
    """One response of one member on one frozen text: sign (with an optional reservation), object (with a reason)
    or withdraw. Each form on the page has its own ids (kind and member), its fields their plain names."""

    freeze = forms.IntegerField(widget=forms.HiddenInput)
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Response.Kind.choices, widget=forms.HiddenInput)
    reservation = forms.CharField(
        label=_("Reservation or explanation of position (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the signature."),
    )
    reason = forms.CharField(
        label=_("Reason for the objection"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("An objection gives its reason.")},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        kind: str,
        member: Organisation | None = None,
        freeze: Freeze | None = None,
        **kwargs: Any,
    ) -> None:
        key = f"{kind}_{member.pk if member else (data or {}).get('organisation', '')}"
        initial: dict[str, Any] = {"kind": kind}
        if member is not None:
            initial["organisation"] = member.pk
        if freeze is not None:
            initial["freeze"] = freeze.pk
        super().__init__(data, auto_id=f"id_{key}_%s", initial=initial, **kwargs)
        self.response_kind = kind
        if kind != Response.Kind.SIGNED:
            del self.fields["reservation"]
        if kind != Response.Kind.OBJECTED:
            del self.fields["reason"]

    @property
    def key(self) -> tuple[str, int | None]:
        """Which form on the page this is: (kind, member)."""
        raw = str((self.data if self.is_bound else self.initial).get("organisation") or "")
        return self.response_kind, int(raw) if raw.isdigit() else None


# --- Publication and translations -------------------------------------------------------------------------------


class PublishForm(ServiceForm):
    """An optional embargo: public from a local date and time in a named zone; empty: public now."""

    aliases = {"embargo_until": "embargo_on"}

    embargo_on = DateField(label=_("Embargo until: date"), required=False)
    embargo_time = forms.TimeField(label=_("Embargo until: time"), required=False, widget=TIME_WIDGET)
    embargo_time_zone = TimeZoneField(label=_("Time zone of the embargo"))
    embargo_occurrence = OccurrenceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["embargo_time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = time_zone_choices()

    def clean(self) -> dict[str, Any]:
        """Both the date and the time, or neither; and a time the zone's clock shows once: an embargo in the hour the
        clocks skip is refused with the times to choose instead, one in the hour they repeat says which of the two
        it is (read silently as the first, a statement could go public an hour early)."""
        data = super().clean() or {}
        if bool(data.get("embargo_on")) != bool(data.get("embargo_time")) and not self.errors:
            missing = "embargo_time" if data.get("embargo_on") else "embargo_on"
            self.add_error(missing, _("Give both the date and the time of the embargo, or neither."))
        else:
            read_wall_clock(self, data, "embargo")
        return data

    def embargo_until(self) -> dt.datetime | None:
        return self.cleaned_data.get("embargo_at")


class TranslationForm(ServiceForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Translated title"), max_length=300)
    text = forms.CharField(
        label=_("Translated text (Markdown)"), max_length=200_000, widget=forms.Textarea(attrs={"rows": 10})
    )
