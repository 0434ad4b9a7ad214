"""Forms of the donor-coordination pages. They parse input; the services decide what is allowed, and their errors
come back on the field they name (`add_service_error`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coalition.core.forms import DateField, ServiceForm, checked_upload
from coalition.core.policy import Tier
from coalition.directory.models import Country, Organisation
from coalition.donors.models import DonorGroup, FundingLine, Overlap, SelfAssessment, Topic, TopicMapping

IMPORT_TYPES = (".xml", ".xlsx", ".csv")
ANY = [("", _("Any"))]


class _OwnIds(ServiceForm):
    """A form that shares its page with others of its kind: its inputs' ids start with `id_<key>_`."""

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{key}_%s")
        super().__init__(*args, **kwargs)


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- Taking part --------------------------------------------------------------------------------------------------


class ConfirmForm(ServiceForm):
    """A button's POST (run the overlap detection, remove a mapping): nothing to fill in."""


class MemberForm(ServiceForm):
    """Join or leave: the member the button is for (only members the viewer may act for are accepted)."""

    aliases: ClassVar[dict[str, str]] = {"on": "organisation"}

    organisation = forms.ModelChoiceField(label=_("Member"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, members: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "organisation", members)


# --- Sharing ------------------------------------------------------------------------------------------------------


class SharingFields(ServiceForm):
    """Who a record is shared with: a tier, and the group or the members it names. The choices come as lists the
    view has read once (a page shows them and may name the chosen members elsewhere)."""

    tier = forms.ChoiceField(
        label=_("Shared with"), choices=Tier.choices, initial=Tier.MECHANISM, widget=forms.RadioSelect
    )
    group = forms.TypedChoiceField(label=_("Donor group (when shared with a group)"), coerce=int, required=False)
    bilateral_with = forms.TypedMultipleChoiceField(
        label=_("Members (when shared bilaterally)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A member reads a bilateral record while it takes part in the mechanism."),
    )

    def __init__(
        self, *args: Any, groups: Sequence[DonorGroup], governments: Sequence[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {group.pk: group for group in groups}
        self.governments = {organisation.pk: organisation for organisation in governments}
        group_field = self.fields["group"]
        members_field = self.fields["bilateral_with"]
        assert isinstance(group_field, forms.TypedChoiceField)
        assert isinstance(members_field, forms.TypedMultipleChoiceField)
        group_field.choices = [("", _("No group")), *((group.pk, group.name) for group in groups)]
        group_field.empty_value = None
        members_field.choices = [(organisation.pk, organisation.name) for organisation in governments]

    def chosen_group(self) -> DonorGroup | None:
        pk = self.cleaned_data.get("group")
        return self.groups[pk] if pk else None

    def chosen_members(self) -> list[Organisation]:
        return [self.governments[pk] for pk in self.cleaned_data.get("bilateral_with") or []]


class TierForm(SharingFields):
    pass


class ImportForm(SharingFields):
    """An IATI activity file or the spreadsheet template, for the member it reports for."""

    aliases: ClassVar[dict[str, str]] = {
        "": "file",
        "data": "file",
        "file_name": "file",
        "organisation": "reporter",
    }

    file = forms.FileField(
        label=_("File"),
        help_text=_("An IATI activity file (.xml, versions 2.01 to 2.03) or the spreadsheet template (.xlsx or .csv)."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_TYPES)}),
    )
    reporter = forms.ModelChoiceField(label=_("Reported by"), queryset=Organisation.objects.none())
    field_order = ["file", "reporter", "tier", "group", "bilateral_with"]

    def __init__(self, *args: Any, reporters: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "reporter", reporters)
        self.reporter_name = ""
        self.fields["tier"].help_text = _(
            "For the activities new in this file; an activity imported before keeps the sharing chosen for it."
        )
        only = list(reporters[:2])
        self.only_reporter = only[0] if len(only) == 1 else None
        if self.only_reporter is not None:  # the one member the viewer reports for: no choice to make
            self.fields["reporter"].widget = forms.HiddenInput()
            self.fields["reporter"].initial = self.only_reporter.pk
            self.fields["reporter"].required = False
            self.reporter_name = self.only_reporter.name

    def clean_reporter(self) -> Organisation | None:
        chosen = self.cleaned_data.get("reporter") or self.only_reporter
        if chosen is None:
            raise forms.ValidationError(_("Choose the member the file reports for."))
        return chosen

    def clean_file(self) -> UploadedFile:
        return checked_upload(self.cleaned_data["file"], types=IMPORT_TYPES, limit=settings.DONORS_MAX_FILE_BYTES)


def upload_data(upload: UploadedFile) -> bytes | Path:
    """What the importer reads: the temporary file's path when Django spooled a large upload to disk (so it is never
    held in memory here), else the small upload's bytes."""
    path = getattr(upload, "temporary_file_path", None)
    if callable(path):
        return Path(path())
    upload.seek(0)
    return upload.read()


# --- Lists --------------------------------------------------------------------------------------------------------


def _country_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Recipient country"),
        queryset=Country.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Any"),
    )


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    country = _country_filter()
    topic = forms.ChoiceField(label=_("Policy topic"), required=False, choices=[*ANY, *Topic.choices])
    stage = forms.ChoiceField(label=_("Funding stage"), required=False, choices=[*ANY, *FundingLine.Stage.choices])
    reporter = forms.ModelChoiceField(
        label=_("Reported by"), queryset=Organisation.objects.none(), required=False, empty_label=_("Any")
    )

    def __init__(self, *args: Any, reporters: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "reporter", reporters)

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of `queries.activities` (none when the input is not valid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "country": data["country"].code if data["country"] else "",
            "topic": data["topic"],
            "stage": data["stage"],
            "reporter": data["reporter"].pk if data["reporter"] else None,
        }


class OverlapFilterForm(forms.Form):
    review = forms.ChoiceField(label=_("Review"), required=False, choices=[*ANY, *Overlap.Review.choices])


class HeatmapFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Funding stage"), required=False, choices=[*ANY, *FundingLine.Stage.choices])
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1900,
        max_value=2200,
        help_text=_("The funding of that year: each amount spread over its period by days."),
    )


class TimelineFilterForm(forms.Form):
    country = _country_filter()
    topic = forms.ChoiceField(label=_("Policy topic"), required=False, choices=[*ANY, *Topic.choices])


# --- Overlaps -----------------------------------------------------------------------------------------------------


class ReviewForm(_OwnIds):
    review = forms.ChoiceField(label=_("Verdict"), choices=Overlap.Review.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the members agreed, or who follows up."),
    )


# --- Reference data (Support Unit) ----------------------------------------------------------------------------------


class MappingForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Kind of code"), choices=TopicMapping.Kind.choices)
    code = forms.CharField(
        label=_("Code"), max_length=10, help_text=_("e.g. 15160 (a DAC sector), 151 (a category), 1 (a marker)")
    )
    topic = forms.ChoiceField(label=_("Policy topic"), choices=Topic.choices)
    note = forms.CharField(label=_("Why"), max_length=300, required=False)
    needs_text = forms.BooleanField(
        label=_("Only where the activity's title or description speaks of the topic"),
        required=False,
        help_text=_(
            "For a code wider than the topic, such as human rights or elections. A policy marker always needs it."
        ),
    )


class RateForm(ServiceForm):
    currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("ISO 4217: EUR, GBP, XOF, …"))
    on = DateField(label=_("Date"))
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("What one unit of the currency is worth in %(currency)s.") % {"currency": settings.DONORS_CURRENCY},
    )
    source = forms.CharField(label=_("Source"), max_length=200, help_text=_("e.g. ECB reference rate"))


class GroupForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least two members.")},
    )

    def __init__(self, *args: Any, governments: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "members", governments)


# --- Principles ---------------------------------------------------------------------------------------------------


class AssessmentForm(_OwnIds):
    """A member's self-assessment against one principle; the member is chosen only by someone acting for several."""

    aliases: ClassVar[dict[str, str]] = {"paragraph": "rating", "document": "rating"}

    organisation = forms.TypedChoiceField(label=_("For"), coerce=int)
    rating = forms.ChoiceField(label=_("Rating"), choices=SelfAssessment.Rating.choices, widget=forms.RadioSelect)
    evidence = forms.CharField(
        label=_("How (evidence)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: Any, members: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(member.pk, member.name) for member in members]
        if len(members) == 1:
            field.widget = forms.HiddenInput()
            field.initial = members[0].pk
