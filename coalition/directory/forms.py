from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from coalition.core.forms import DateField, FastSelect, ServiceForm
from coalition.directory.models import Body, Country, Organisation, Participation, Person, Position


class MemberFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False, widget=FastSelect)
    development = forms.ChoiceField(
        label=_("North/South"),
        required=False,
        help_text=_("Source named below the table."),
        choices=[("", _("All")), *Country.Development.choices],
        widget=FastSelect,
    )
    joined = forms.IntegerField(label=_("Joined in (year)"), required=False, min_value=2011, max_value=2100)
    status = forms.ChoiceField(
        label=_("Participation"),
        required=False,
        choices=[("member", _("Members")), ("observer", _("Observers")), ("all", _("Members and observers"))],
        widget=FastSelect,
    )
    on = DateField(
        label=_("On (date)"),
        required=False,
        help_text=_("Membership as it stood on this date."),
    )

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", _("All")), *((r, r) for r in regions)]


class _NamedChoices(ModelChoiceIterator):
    """A filter's options as (value, name) pairs read by `values_list`, not model instances: the people directory's
    selects offer every organisation and body the reader may see (~880 at the load test's scale, issue 20). The label
    is the record's `name`, which is what its `__str__` (Django's label) returns."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", "name")


class _NamedChoiceField(forms.ModelChoiceField):
    iterator = _NamedChoices


class PeopleFilterForm(forms.Form):
    """The people directory's filters (a GET form): each one offers only the records the reader may see, so a value
    naming anything else is refused with the same message as a value naming nothing."""

    member = _NamedChoiceField(
        label=_("Member or organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("No organisation you can choose has the number %(value)s.")},
        widget=FastSelect,  # hundreds of options: one pass in Python
    )
    body = _NamedChoiceField(
        label=_("Body"),
        queryset=Body.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("There is no body “%(value)s” among those you can choose.")},
        widget=FastSelect,  # hundreds of options: one pass in Python
    )
    network = _NamedChoiceField(
        label=_("Diplomatic network"),
        queryset=Body.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("There is no diplomatic network “%(value)s” among those you can choose.")},
        widget=FastSelect,  # hundreds of options: one pass in Python
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All")), *Position.Kind.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not one of the roles listed.")},
        widget=FastSelect,  # hundreds of options: one pass in Python
    )

    def __init__(self, *args: Any, members: Any, bodies: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["network"].queryset = networks  # type: ignore[attr-defined]


class DateForm(forms.Form):
    on = DateField(label=_("On (date)"), required=False)


class ParticipationForm(ServiceForm):
    status = forms.ChoiceField(label=_("New status"), choices=Participation.Status.choices)
    effective_on = DateField(label=_("Effective on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_effective_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["effective_on"]
        if value.year < 2011:
            raise forms.ValidationError(_("The coalition was founded in 2011; give a date from then on."))
        return value


class PositionForm(ServiceForm):
    """A position on behalf of the organisation whose page this is; a government's starts once it agrees."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("Position"), choices=Position.Kind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = forms.ModelChoiceField(label=_("In the body (optional)"), queryset=Body.objects.none(), required=False)
    starts_on = DateField(label=_("Starts on"))
    ends_on = DateField(label=_("Ends on"), required=False)

    def __init__(self, *args: Any, people: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class ConfirmForm(ServiceForm):
    """A button: no fields, only the errors of the service it runs (confirm or decline a position)."""
