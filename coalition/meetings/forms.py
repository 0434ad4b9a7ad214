"""Forms of the meetings pages. They parse input; the services decide what is allowed, and their errors come back on
the field they name (`add_service_error`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.core import policy, wallclock
from coalition.core.errors import InvalidInput
from coalition.core.forms import DateField, FastSelect, OccurrenceField, ServiceForm, TimeZoneField, time_zone_choices
from coalition.core.policy import Classification
from coalition.directory.models import Body, Organisation, Person
from coalition.meetings import queries
from coalition.meetings.models import WEEKDAY_CHOICES, ActionItem, AgendaItem, Attendance, Meeting, MeetingSeries
from coalition.meetings.services.series import SeriesSpec

MEETING_CLASSIFICATIONS = [(c.value, c.label) for c in Classification if c != Classification.RESTRICTED]
CLASSIFICATION_HELP = _(
    "Public: anyone. Coalition: every participant. Members: member governments, the Chair and the Support Unit."
)
ROTATION_HINT = _(
    "With fair rotation the start time moves from meeting to meeting so that no member always meets at night. "
    "The times are chosen so that the member who carries the most early, late and night hours over the whole series "
    "carries as few as possible, then so that everyone together carries as few as possible. The series page shows "
    "each member's burden beside the best single fixed time. Points per meeting: 0 inside working hours "
    "(08:00–19:00 local), 1 for early or late hours, 3 for night (22:00–07:00). The start time above is then not used."
)


class ConfirmForm(ServiceForm):
    """A button: no fields, only the errors of the service it runs (circulate, approve, invite)."""


class ActivityCodeForm(ServiceForm):
    """A form naming a programme activity by its code (as people know it: "1B.2"), resolved among those the user
    may see."""

    aliases = {"activity": "activity_code"}

    activity_code = forms.CharField(
        label=_("Programme activity (code)"),
        required=False,
        max_length=20,
        help_text=_("The activity's code, e.g. 1B.2; the latest programme that has it."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_activity_code(self) -> Any:
        code = self.cleaned_data["activity_code"].strip()
        if not code:
            return None
        activity = queries.activity_by_code(self.user, code)
        if activity is None:
            raise forms.ValidationError(
                _("No programme activity with the code %(code)s that you can see."), params={"code": code}
            )
        return activity


# --- Series -----------------------------------------------------------------------------------------------------


class SeriesForm(ServiceForm):
    """Every field of a `services.SeriesSpec`, grouped in fieldsets."""

    aliases = {"host": "host_in_working_hours"}
    fieldsets: ClassVar[list[tuple[Any, Any, list[str]]]] = [
        (_("The series"), "", ["title", "body", "participation", "classification", "agenda_template"]),
        (
            _("When"),
            _("“Monthly, second Tuesday” is monthly, Tuesday, second week. A first date in the past is fine."),
            [
                "first_on",
                "count",
                "frequency",
                "interval",
                "weekday",
                "week_of_month",
                "local_start",
                "duration_minutes",
                "host_time_zone",
            ],
        ),
        (_("Where"), "", ["virtual", "location"]),
        (
            _("Fair rotation"),
            ROTATION_HINT,
            ["rotate", "host_organisation", "host_in_working_hours", "max_nights_per_quarter", "keep_weekday"],
        ),
    ]

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.ModelChoiceField(
        label=_("Body"), queryset=Body.objects.none(), required=False, empty_label=_("No body")
    )
    participation = forms.ChoiceField(
        label=_("Who takes part"),
        choices=MeetingSeries.Participation.choices,
        initial=MeetingSeries.Participation.MEMBERS,
    )
    classification = forms.ChoiceField(
        label=_("Who may see the meetings"),
        choices=MEETING_CLASSIFICATIONS,
        initial=Classification.MEMBERS,
        help_text=CLASSIFICATION_HELP,
    )
    agenda_template = forms.CharField(
        label=_("Agenda template"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line; every meeting of the series starts with these items."),
    )
    first_on = DateField(label=_("First meeting on"))
    count = forms.IntegerField(label=_("Number of meetings"), min_value=1, max_value=60, initial=12)
    frequency = forms.ChoiceField(
        label=_("Cadence"), choices=MeetingSeries.Frequency.choices, initial=MeetingSeries.Frequency.MONTHLY
    )
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1: every week, month or quarter; 2: every other one."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("As the first date")), *WEEKDAY_CHOICES],
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Week of the month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *MeetingSeries._meta.get_field("week_of_month").choices],  # type: ignore[misc]
        help_text=_("With a weekday, for a monthly or quarterly series: “second” Tuesday."),
    )
    local_start = forms.TimeField(
        label=_("Start (host time)"),
        initial=dt.time(14, 0),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=600, initial=60)
    host_time_zone = TimeZoneField(label=_("Host time zone"))
    virtual = forms.BooleanField(label=_("Virtual meeting"), required=False, initial=True)
    location = forms.CharField(label=_("Location or video link"), required=False, max_length=300)
    rotate = forms.BooleanField(label=_("Rotate the time fairly across the participants' time zones"), required=False)
    host_organisation = forms.ModelChoiceField(
        label=_("Host member"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No host"),
        widget=FastSelect,
    )
    host_in_working_hours = forms.BooleanField(
        label=_("Keep the host within working hours (08:00–19:00 local)"), required=False
    )
    max_nights_per_quarter = forms.IntegerField(
        label=_("At most this many night meetings per participant each quarter"),
        required=False,
        min_value=0,
        max_value=13,
        help_text=_("Leave empty for no limit."),
    )
    keep_weekday = forms.BooleanField(
        label=_("Keep every meeting on the weekday chosen above (in the host's zone)"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body, host, zone = self.fields["body"], self.fields["host_organisation"], self.fields["host_time_zone"]
        assert isinstance(body, forms.ModelChoiceField) and isinstance(host, forms.ModelChoiceField)
        assert isinstance(zone, forms.ChoiceField)
        body.queryset = policy.visible_to(user, Body).order_by("name")
        host.queryset = queries.members(user)
        zone.choices = time_zone_choices()

    def spec(self) -> SeriesSpec:
        """The series the valid form describes, for `services.create_series`."""
        return SeriesSpec(**self.cleaned_data)

    def grouped(self) -> Iterable[tuple[Any, Any, list[forms.BoundField]]]:
        for legend, hint, names in self.fieldsets:
            yield legend, hint, [self[name] for name in names]


# --- A meeting --------------------------------------------------------------------------------------------------


class RescheduleForm(ServiceForm):
    aliases = {"starts_at": "starts_on"}

    starts_on = DateField(label=_("New date (host time)"))
    start_time = forms.TimeField(
        label=_("New start (host time)"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=600, required=False)
    location = forms.CharField(label=_("Location or video link"), required=False, max_length=300)

    occurrence = OccurrenceField()

    def __init__(self, *args: Any, host_time_zone: str, **kwargs: Any) -> None:
        self.host_time_zone = host_time_zone
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        """The new start exists on the host's clock, and is the one of a repeated time the person chose."""
        data = super().clean() or {}
        if data.get("starts_on") and data.get("start_time"):
            try:
                data["starts_at"] = wallclock.local_instant(
                    data["starts_on"],
                    data["start_time"],
                    self.host_time_zone,
                    field="start_time",
                    occurrence=data.get("occurrence", ""),
                )
            except InvalidInput as problem:
                self.add_error(problem.field, problem.message)
        return data

    def starts_at(self) -> dt.datetime:
        """The new start in the host's zone, as `clean` read it."""
        return self.cleaned_data["starts_at"]


class CancelForm(ServiceForm):
    reason = forms.CharField(label=_("Reason (for the record)"), required=False, max_length=500)


def owner_choices(user: Any, meeting: Meeting) -> Any:
    """The meeting's possible owners without their encrypted contact details: a select of hundreds of people
    would otherwise decrypt three fields a person on every page view (read on access if a service needs them)."""
    return queries.owners(user, meeting).defer("email", "phone", "secure_messaging")


class NameChoices(forms.models.ModelChoiceIterator):
    """A people select's options from two columns (the key and `Person.__str__`, the full name) rather than a model
    instance a person: hundreds on every page a manager opens (issue 20). The field still checks a posted choice
    against its queryset."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "full_name")


def people_field(field: forms.Field, user: Any, meeting: Meeting) -> None:
    """Offer the meeting's possible owners in a people select (`NameChoices`)."""
    assert isinstance(field, forms.ModelChoiceField)
    field.iterator = NameChoices
    field.queryset = owner_choices(user, meeting)


class AgendaItemForm(ActivityCodeForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Nobody in particular"),
        widget=FastSelect,  # hundreds of people: one pass in Python, not a template per option
    )

    field_order = ["title", "description", "owner", "activity_code"]

    def __init__(self, *args: Any, user: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        people_field(self.fields["owner"], user, meeting)


class OutcomeForm(ServiceForm):
    """An agenda item's outcome (prefixed by the item)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=AgendaItem.Outcome.choices)

    @classmethod
    def for_item(cls, item: AgendaItem, data: Any = None) -> OutcomeForm:
        form = cls(data, prefix=f"item-{item.pk}", initial={"outcome": item.outcome})
        form.fields["outcome"].label = _("Outcome of “%(title)s”") % {"title": item.title}
        return form


class ItemMinutesForm(ServiceForm):
    """The minutes of one agenda item (prefixed by the item); each changed text becomes a new revision."""

    text = forms.CharField(
        label=_("Minutes of this item"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    @classmethod
    def for_item(cls, item: AgendaItem, data: Any = None) -> ItemMinutesForm:
        current = getattr(item, "current", None)
        form = cls(data, prefix=f"item-{item.pk}", initial={"text": current.text if current else ""})
        form.fields["text"].label = _("Minutes of “%(title)s”") % {"title": item.title}
        return form


class _ItemChoiceForm(ActivityCodeForm):
    item = forms.TypedChoiceField(
        label=_("Agenda item"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )

    def __init__(self, *args: Any, user: Any, items: list[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.items = {item.pk: item for item in items}
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("The meeting as a whole")), *((item.pk, item.title) for item in items)]

    def clean_item(self) -> AgendaItem | None:
        pk = self.cleaned_data["item"]
        return self.items[pk] if pk is not None else None


class DecisionForm(_ItemChoiceForm):
    text = forms.CharField(label=_("Decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["text", "item", "activity_code"]


class ActionForm(_ItemChoiceForm):
    text = forms.CharField(label=_("Action"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(
        label=_("Owner (person)"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("No person"),
        widget=FastSelect,
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Owner (member)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No member"),
        help_text=_("Name a person, a member, or both."),
        widget=FastSelect,
    )
    due_on = DateField(label=_("Due on"), required=False)

    field_order = ["text", "owner", "owner_organisation", "due_on", "item", "activity_code"]

    def __init__(self, *args: Any, user: Any, items: list[AgendaItem], meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, user=user, items=items, **kwargs)
        people_field(self.fields["owner"], user, meeting)
        member = self.fields["owner_organisation"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = queries.members(user)


class CloseActionForm(ServiceForm):
    state = forms.ChoiceField(label=_("Mark as"), choices=ActionItem.State.choices)
    at = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the meeting whose page it was closed on


class ReturnToDraftForm(ServiceForm):
    reason = forms.CharField(label=_("Why the minutes go back to draft"), max_length=500)


class AttendanceForm(ServiceForm):
    """A status per member state and per person (`lines` from queries.attendance_lines); rows left empty are not
    recorded."""

    def __init__(self, *args: Any, lines: list[queries.AttendanceLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[line.key] = forms.ChoiceField(
                label=line.label,
                required=False,
                choices=Attendance.Status.choices,
                initial=line.status or None,
                widget=forms.RadioSelect,
            )

    def rows(self) -> list[tuple[queries.AttendanceLine, str]]:
        return [(line, self.cleaned_data[line.key]) for line in self.lines if self.cleaned_data.get(line.key)]
