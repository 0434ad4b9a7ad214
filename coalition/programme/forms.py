from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.evidence import registered
from coalition.core.forms import DateField, FastSelect, ServiceForm
from coalition.core.policy import Classification
from coalition.programme.models import PolicyTopic, Status

UPDATE_CLASSIFICATIONS = [(c.value, c.label) for c in Classification if c != Classification.RESTRICTED]


class TreeFilterForm(forms.Form):
    # Selects written in one pass in Python (FastSelect): the same HTML as Django's, without a template per option.
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Status.choices], widget=FastSelect
    )
    lead = forms.ChoiceField(label=_("Lead"), required=False, widget=FastSelect)
    topic = forms.ChoiceField(label=_("Policy topic"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    stale_days = forms.IntegerField(
        label=_("No update for (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Unfinished activities without an update you can see for this many days."),
    )

    def __init__(self, *args: Any, leads: list[tuple[str, str]], topics: list[PolicyTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead, topic = self.fields["lead"], self.fields["topic"]
        assert isinstance(lead, forms.ChoiceField) and isinstance(topic, forms.ChoiceField)
        lead.choices = [("", _("Any")), *leads]
        topic.choices = [("", _("Any")), *((t.code, t.title) for t in topics)]


class UpdateForm(ServiceForm):
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    reported_on = DateField(label=_("Date"))
    classification = forms.ChoiceField(
        label=_("Who may read this update"),
        choices=UPDATE_CLASSIFICATIONS,
        initial=Classification.COALITION,
        widget=FastSelect,
        help_text=_("Public: anyone. Coalition: every participant. Members: member governments and the Support Unit."),
    )
    on_behalf_of = forms.TypedChoiceField(
        label=_("On behalf of"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    proposed_status = forms.ChoiceField(
        label=_("Propose a status change"),
        required=False,
        choices=[("", _("No change")), *Status.choices],
        widget=FastSelect,
    )
    reason = forms.CharField(label=_("Reason (needed for blocked or dropped)"), required=False, max_length=500)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("reported_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = self.fields["on_behalf_of"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Nobody in particular")), *organisations]

    def clean_reported_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["reported_on"]
        if value > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(_("An update reports what has happened: the date cannot be in the future."))
        return value


class StatusForm(ServiceForm):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices, widget=FastSelect)
    reason = forms.CharField(label=_("Reason (needed for blocked or dropped)"), required=False, max_length=500)


class EvidenceForm(ServiceForm):
    record_type = forms.ChoiceField(label=_("Kind of record"), widget=FastSelect)
    record_id = forms.CharField(label=_("Record number"), max_length=64)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["record_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, kind.label) for key, kind in sorted(registered().items())]


class CarryOverForm(ServiceForm):
    year = forms.IntegerField(label=_("Year of the next programme"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class DecisionForm(ServiceForm):
    """Confirm a proposed status change, or (any other answer) dismiss it."""

    decision = forms.CharField(required=False, max_length=20)
