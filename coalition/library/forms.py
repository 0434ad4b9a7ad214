"""Forms of the library pages. They parse input; the services and queries decide what is allowed, and their errors
come back on the field they name (`add_service_error`)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coalition.core import policy
from coalition.core.forms import DateField, FastSelect, ServiceForm
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.library.engine import Filters
from coalition.library.models import Source
from coalition.library.visibility import visible_sources

FILE_TYPES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
IMPORT_CLASSIFICATIONS = [
    (Classification.PUBLIC.value, _("Public: anyone, also without signing in")),
    (Classification.COALITION.value, _("Coalition: every signed-in participant, the Advisory Network included")),
    (Classification.MEMBERS.value, _("Members: member governments and the Support Unit")),
]


def _file_field(label: Any, help_text: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_TYPES)}),
    )


def read_upload(upload: UploadedFile) -> bytes:
    """The bytes of an upload of one of the accepted types, refusing an unknown type or an oversized file."""
    if PurePath(upload.name or "").suffix.lower() not in FILE_TYPES:
        raise forms.ValidationError(
            _("Upload a text file of one of these types: %(types)s."), params={"types": ", ".join(FILE_TYPES)}
        )
    if (upload.size or 0) > settings.LIBRARY_MAX_FILE_BYTES:
        raise forms.ValidationError(
            _("The file is %(size).1f MB; the library takes files of up to %(limit)d MB."),
            params={"size": (upload.size or 0) / 1048576, "limit": settings.LIBRARY_MAX_FILE_BYTES // 1048576},
        )
    return upload.read()


# --- Search -----------------------------------------------------------------------------------------------------


class FileOrText(ServiceForm):
    """A text given either as an upload (`file`, read here into (name, bytes)) or pasted (`text`), never both."""

    missing: tuple[str, Any]  # (the field to name, the message) when neither is given
    both: Any

    def clean_file(self) -> tuple[str, bytes] | None:
        upload = self.cleaned_data.get("file")
        return (upload.name or "", read_upload(upload)) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool((data.get("text") or "").strip())
        if "file" in data and not self.has_error("file"):
            if data["file"] is None and not has_text:
                self.add_error(*self.missing)
            elif data["file"] is not None and has_text:
                self.add_error("file", self.both)
        return data


class SearchForm(ServiceForm):
    """The words to look for and the filters, all GET parameters; the choices are what the viewer's library holds."""

    q = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=2000,  # the engine's own limit (500) comes back as a message on this field
        help_text=_('Plain words; put an exact phrase in double quotes, e.g. "freedom of expression".'),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # The choices' selects are written by FastSelect, one pass in Python (issue 20, page cost).
    forum = forms.ChoiceField(label=_("Forum"), required=False, widget=FastSelect)
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    kind = forms.ChoiceField(label=_("Kind of text"), required=False, widget=FastSelect)
    signed_by = forms.ChoiceField(label=_("Signed, sponsored or delivered by"), required=False, widget=FastSelect)

    def __init__(self, *args: Any, user: Any, sources: QuerySet[Source] | None = None, **kwargs: Any) -> None:
        """`sources`: `visible_sources(user)`, when the caller has it already."""
        super().__init__(*args, **kwargs)
        sources = visible_sources(user) if sources is None else sources
        forums = sources.exclude(forum="").order_by("forum").values_list("forum", flat=True).distinct()
        signers = (
            policy.visible_to(user, Organisation)
            .filter(kind=Organisation.Kind.GOVERNMENT, library_sources__in=sources.values("pk"))
            .order_by("name")
            .values_list("pk", "name")
            .distinct()
        )
        anything = [("", _("Any"))]
        self.fields["forum"].choices = anything + [(forum, forum) for forum in forums]  # type: ignore[attr-defined]
        self.fields["kind"].choices = anything + list(Source.Kind.choices)  # type: ignore[attr-defined]
        self.fields["signed_by"].choices = anything + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in signers
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("The last year is before the first year."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            forum=data.get("forum") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            kind=data.get("kind") or "",
            signed_by=data.get("signed_by") or "",
        )


class SourcesFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of text"), required=False, choices=[("", _("Any")), *Source.Kind.choices])


# --- Import -----------------------------------------------------------------------------------------------------


class ImportForm(FileOrText):
    """Every argument of services.import_text; the text comes as a file or pasted, not both."""

    file = _file_field(
        _("File"),
        _("Plain text, Markdown, HTML, Word (.docx) or PDF. Paragraphs are read in order, with their UN numbering."),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Paragraphs are separated by a blank line."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of text"),
        choices=[(value, label) for value, label in Source.Kind.choices if value != Source.Kind.STATEMENT],
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    forum = forms.CharField(
        label=_("Forum"), max_length=60, required=False, help_text=_("Where it was adopted or delivered: UNGA, HRC, …")
    )
    symbol = forms.CharField(
        label=_("Document symbol"), max_length=80, required=False, help_text=_("e.g. A/HRC/RES/20/8")
    )
    date = DateField(label=_("Date adopted or delivered"), required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    author_country = forms.ModelChoiceField(
        label=_("Author's country"), queryset=Country.objects.none(), required=False, empty_label=_("None")
    )
    endorsed_by = forms.ModelMultipleChoiceField(
        label=_("Signed, sponsored or delivered by"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The governments that signed, sponsored or delivered the text (hold Ctrl or ⌘ to choose several)."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    classification = forms.ChoiceField(
        label=_("Who may read it"),
        choices=IMPORT_CLASSIFICATIONS,
        initial=Classification.MEMBERS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["author_country"]
        assert isinstance(country, forms.ModelChoiceField)
        country.queryset = policy.visible_to(user, Country).order_by("name")
        endorsed = self.fields["endorsed_by"]
        assert isinstance(endorsed, forms.ModelMultipleChoiceField)
        endorsed.queryset = (
            policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")
        )

    missing = ("file", _("Upload a file or paste the text."))
    both = _("Upload a file or paste the text, not both.")


# --- Drafting assistant -----------------------------------------------------------------------------------------


class AssistForm(FileOrText):
    """A draft to check, pasted or uploaded. Nothing of it is stored."""

    text = forms.CharField(
        label=_("Your draft"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the draft; paragraphs are separated by a blank line."),
    )
    file = _file_field(_("Or upload the draft"), _("Plain text, Markdown, HTML, Word (.docx) or PDF."))

    missing = ("text", _("Paste the draft or upload it."))
    both = _("Paste the draft or upload it, not both.")
