"""Forms of the rapid-response pages. They parse input; the services decide what is allowed, and their errors come
back on the field they name (`add_service_error`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coalition.core.forms import ServiceForm, checked_upload
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.response.models import PlaybookStep, Pledge, Signal, SignalKind, Source, Tool

IMPORT_TYPES = (".csv", ".json", ".xlsx")
IMPORT_SOURCES = [
    ("auto", _("Recognise it from the file")),
    (Source.STOP.value, Source.STOP.label),
    (Source.OONI.value, Source.OONI.label),
    (Source.IODA.value, Source.IODA.label),
    (Source.CLOUDFLARE.value, Source.CLOUDFLARE.label),
]
WIDER = [
    (Classification.MEMBERS.value, _("Members: member governments and the Support Unit")),
    (Classification.COALITION.value, _("Coalition: every signed-in participant, the Advisory Network included")),
    (Classification.PUBLIC.value, _("Public: anyone, also without signing in")),
]


def _unique_ids(form: forms.Form, key: str) -> None:
    """Several small forms of one kind on a page: their inputs get ids of their own."""
    form.auto_id = f"id_{key}_%s"


# --- Alerts and situations ----------------------------------------------------------------------------------------


class _OwnIds(ServiceForm):
    """A form that shares its page with others: its inputs' ids start with `id_<key>_`."""

    key: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.key}_%s")
        super().__init__(*args, **kwargs)


class DismissForm(ServiceForm):
    reason = forms.CharField(
        label=_("Why dismiss it"),
        max_length=300,
        error_messages={"required": _("Say why the alert is dismissed.")},
        help_text=_("e.g. a planned maintenance window, measurement noise"),
    )

    def __init__(self, *args: Any, alert_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _unique_ids(self, f"dismiss{alert_id}")


class OpenSituationForm(ServiceForm):
    """By hand (country, title, summary, first signal) or from an alert (its country and first signal)."""

    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none(), required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty: “<country>: network disruption”."),
    )
    summary = forms.CharField(label=_("What is happening"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    first_signal_at = forms.DateTimeField(
        label=_("First signal (your time zone)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the disruption was first seen, if known."),
    )

    def __init__(self, *args: Any, from_alert: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ModelChoiceField)
        country.queryset = Country.objects.order_by("name")
        self.from_alert = from_alert
        if from_alert:  # the alert names the country and the first signal
            del self.fields["country"], self.fields["first_signal_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wanted = not data.get("alert") and "country" in self.fields
        if wanted and not data.get("country") and not self.has_error("country"):
            self.add_error("country", _("Choose the country."))
        return data


class WidenForm(_OwnIds):
    key = "widen"

    classification = forms.ChoiceField(label=_("Who may read this situation"), choices=WIDER, widget=forms.RadioSelect)


class StepForm(ServiceForm):
    status = forms.ChoiceField(label=_("Status"), choices=PlaybookStep.Status.choices)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, step_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _unique_ids(self, f"step{step_id}")


class NoteForm(_OwnIds):
    key = "note"
    text = forms.CharField(
        label=_("Note for the timeline"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the note.")},
    )


class PledgeForm(_OwnIds):
    """The organisation select offers only the members the viewer may pledge for (`views._pledgeable`, from the
    policy); when that is one member, it is chosen already and the select has no empty choice."""

    key = "pledge"

    organisation = forms.ModelChoiceField(label=_("Member"), queryset=Organisation.objects.none())
    tool = forms.ModelChoiceField(label=_("Action from the toolkit"), queryset=Tool.objects.none())
    description = forms.CharField(
        label=_("What the member commits"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the member commits.")},
    )
    amount = forms.DecimalField(
        label=_("Amount (optional)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("Three letters: EUR, USD, …")
    )

    def __init__(self, *args: Any, members: Sequence[Organisation], tools: QuerySet[Tool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation, tool = self.fields["organisation"], self.fields["tool"]
        assert isinstance(organisation, forms.ModelChoiceField) and isinstance(tool, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(pk__in=[m.pk for m in members]).order_by("name")
        tool.queryset = tools
        one = len(members) == 1  # the policy lets this person pledge for one member: choosing it is no choice at all
        if one:
            organisation.initial, organisation.empty_label = members[0].pk, None
        # The select is drawn from the members the view read already: no query of its own on the page.
        empty = [] if one else [("", organisation.empty_label)]
        organisation.choices = [*empty, *((m.pk, organisation.label_from_instance(m)) for m in members)]


class PledgeStatusForm(ServiceForm):
    status = forms.ChoiceField(choices=Pledge.Status.choices, widget=forms.HiddenInput)
    hidden_errors_at_top = True


class ReportForm(_OwnIds):
    key = "report"
    text = forms.CharField(
        label=_("Your report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Read only by the Support Unit and you, until the Support Unit shares it with those who need it."),
        error_messages={"required": _("Write the report.")},
    )


class FastTrackForm(_OwnIds):
    key = "statement"
    title = forms.CharField(label=_("Title of the statement"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paragraphs are separated by a blank line."),
    )


class CloseForm(_OwnIds):
    key = "close"
    review = forms.CharField(
        label=_("After-action review"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What worked, what did not, what to change next time."),
        error_messages={"required": _("Write the after-action review: what worked, what did not, what to change.")},
    )


# --- Signals ------------------------------------------------------------------------------------------------------


class SignalFilterForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.order_by("name"), required=False, empty_label=_("Any")
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any")), *Source.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *SignalKind.choices])

    def apply(self, signals: QuerySet[Signal]) -> QuerySet[Signal]:
        if not self.is_bound or not self.is_valid():
            return signals
        data = self.cleaned_data
        if data["country"]:
            signals = signals.filter(country=data["country"])
        if data["source"]:
            signals = signals.filter(source=data["source"])
        if data["kind"]:
            signals = signals.filter(kind=data["kind"])
        return signals


class ImportForm(ServiceForm):
    """A monitoring file for `importers.import_file`; the importer's refusal (naming rows) lands on the file."""

    aliases: ClassVar[dict[str, str]] = {"": "file", "data": "file", "file_name": "file", "row": "file", "rows": "file"}

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A STOP sheet (CSV, or an XLSX workbook: each of its sheets with a STOP header is read), or an OONI, IODA "
            "or Cloudflare Radar export (JSON, as the API returns it)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_TYPES)}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=IMPORT_SOURCES, initial="auto")
    dataset_year = forms.IntegerField(
        label=_("Dataset year (STOP sheets)"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("The year of the STOP sheet, when the file's name does not say it."),
    )
    country = forms.ModelChoiceField(
        label=_("Country (when the file does not say)"),
        queryset=Country.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Named in the file"),
        help_text=_("For an OONI aggregation without a probe country, or an IODA network series."),
    )

    def clean_file(self) -> tuple[str, bytes]:
        upload = checked_upload(self.cleaned_data["file"], types=IMPORT_TYPES, limit=settings.RESPONSE_MAX_FILE_BYTES)
        return upload.name or "", upload.read()


# --- Toolkit ------------------------------------------------------------------------------------------------------


class ToolForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of action"), choices=Tool.Kind.choices)
    description = forms.CharField(label=_("What it is"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    when_to_use = forms.CharField(label=_("When to use it"), widget=forms.Textarea(attrs={"rows": 3}))
    who_can_use = forms.CharField(label=_("Who can use it"), widget=forms.Textarea(attrs={"rows": 2}))
    suggested_lead = forms.CharField(
        label=_("Suggested owner"),
        max_length=200,
        required=False,
        help_text=_("e.g. Chair, members with an embassy there"),
    )
    in_playbook = forms.BooleanField(label=_("In every new situation's playbook"), required=False, initial=True)
    position = forms.IntegerField(label=_("Order in the toolkit"), min_value=0, max_value=32767, initial=0)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "kind",
        "description",
        "when_to_use",
        "who_can_use",
        "suggested_lead",
        "in_playbook",
        "position",
    )

    @classmethod
    def of(cls, tool: Tool) -> dict[str, Any]:
        return {name: getattr(tool, name) for name in cls.FIELDS}
