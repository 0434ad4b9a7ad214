"""Forms of the documents pages. They parse input; the services decide what is allowed, and their errors come back on
the field they name (`add_service_error`)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coalition.core import policy
from coalition.core.forms import ServiceForm
from coalition.core.policy import Classification
from coalition.documents import queries, services
from coalition.documents.models import ClauseStatus, Document, Version
from coalition.programme.models import Activity

MAX_TEXT = services.MAX_TEXT
PHASE_HELP = {
    Document.Phase.DRAFTING: _("The Support Unit and the Chair write; those who read the document now still do."),
    Document.Phase.CONSULTATION: _(
        "The Advisory Network reads and comments: the document becomes Coalition (every participant)."
    ),
    Document.Phase.MEMBER_REVIEW: _("Member governments review: the document becomes Members again."),
    Document.Phase.FINAL: _(
        "The text no longer changes and comments close. Tick “Publish” to make it public at the same time."
    ),
}
DRAFT_CLASSIFICATIONS = [
    (Classification.MEMBERS.value, _("Members: member governments, the Chair and the Support Unit")),
    (Classification.COALITION.value, _("Coalition: every participant, including the Advisory Network")),
]
_CODES = re.compile(r"[\s,;]+")


class DocumentForm(ServiceForm):
    """Every argument of services.create_document."""

    aliases = {"activities": "activity_codes"}

    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.OTHER)
    classification = forms.ChoiceField(
        label=_("Who may read it while drafted"),
        choices=DRAFT_CLASSIFICATIONS,
        initial=Classification.MEMBERS,
        widget=forms.RadioSelect,
        help_text=_(
            "A draft is never public. Consultation opens it to the Advisory Network; a final document can be published."
        ),
    )
    activity_codes = forms.CharField(
        label=_("Programme activities (codes)"),
        required=False,
        max_length=300,
        help_text=_("The codes of the activities it serves, separated by commas, e.g. 1B.2, 3B.4."),
    )
    base_text = forms.CharField(
        label=_("Base text (Markdown)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("An earlier agreed text the drafts are compared against; leave empty if there is none."),
    )
    text = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Paragraphs are separated by a blank line; comments and clause statuses attach to them."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_activity_codes(self) -> list[Any]:
        """The activities named by code, among those the user may see (the latest programme that has each)."""
        codes = [code for code in _CODES.split(self.cleaned_data["activity_codes"]) if code]
        if not codes:
            return []
        found: dict[str, Any] = {}
        for activity in (
            policy.visible_to(self.user, Activity)
            .filter(code__in=codes)
            .order_by("code", "-objective__goal__programme__year")
        ):
            found.setdefault(activity.code, activity)
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(
                _("No programme activity with the code %(codes)s that you can see."),
                params={"codes": ", ".join(missing)},
            )
        return list(dict.fromkeys(found[code] for code in codes))


class EditForm(ServiceForm):
    text = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Paragraphs are separated by a blank line. Saving keeps the earlier versions unchanged."),
    )
    note = forms.CharField(
        label=_("What changed"), required=False, max_length=300, help_text=_("A line for the version history.")
    )


class PhaseForm(ServiceForm):
    phase = forms.ChoiceField(label=_("Move the document to"), widget=forms.RadioSelect)
    publish = forms.BooleanField(label=_("Publish: make the final document public"), required=False)

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "phase-%s")
        kwargs.setdefault("initial", {"phase": document.phase})
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (phase.value, f"{phase.label} — {PHASE_HELP[phase]}")
            for phase in (Document.Phase(p) for p in services.PHASE_ORDER)
        ]


class ClauseForm(ServiceForm):
    """One paragraph's status (the page shows one small form per paragraph; the version is the one shown)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    paragraph = forms.IntegerField(label=_("Paragraph"), min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=ClauseStatus.Status.choices)


class CommentForm(ServiceForm):
    """A comment on one paragraph, for the readers services.add_comment accepts from this user on this document;
    on behalf of a member only for those who hold a position for one."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    paragraph = forms.IntegerField(label=_("Paragraph number"), min_value=1)
    text = forms.CharField(label=_("Comment"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.ChoiceField(label=_("Who may read it"), widget=forms.RadioSelect)
    on_behalf_of = forms.TypedChoiceField(label=_("On behalf of"), required=False, coerce=int, empty_value=None)

    field_order = ["paragraph", "text", "visibility", "on_behalf_of", "version"]

    def __init__(
        self, *args: Any, user: Any, document: Document, version: Version | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "comment-%s")  # ids apart from the other forms of the page
        super().__init__(*args, **kwargs)
        allowed = queries.comment_visibilities(user, document)
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = [(key, label) for key, label in services.Visibility.CHOICES if key in allowed]
        if services.Visibility.MEMBERS in allowed:
            visibility.initial = services.Visibility.MEMBERS
        elif allowed:
            visibility.initial = allowed[-1]
        self.organisations = {organisation.pk: organisation for organisation in queries.acting_for(user)}
        if self.organisations:
            on_behalf_of = self.fields["on_behalf_of"]
            assert isinstance(on_behalf_of, forms.TypedChoiceField)
            on_behalf_of.choices = [("", _("Only myself")), *((pk, str(o)) for pk, o in self.organisations.items())]
        else:
            del self.fields["on_behalf_of"]
        if version is not None:
            self.fields["version"].initial = version.number

    def clean_on_behalf_of(self) -> Any:
        pk = self.cleaned_data.get("on_behalf_of")
        return self.organisations[pk] if pk is not None else None


class RedlineForm(forms.Form):
    """Two texts to compare, by version number or "base" for the base text (GET ?from=…&to=…)."""

    def __init__(self, *args: Any, document: Document, numbers: list[int], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "redline-%s")
        super().__init__(*args, **kwargs)
        versions = [(str(n), _("Version %(n)d") % {"n": n}) for n in sorted(numbers)]
        base = [("base", _("Base text"))] if document.base_text else []
        self.fields["from"] = forms.ChoiceField(label=_("From"), choices=[*base, *versions])
        self.fields["to"] = forms.ChoiceField(label=_("To"), choices=versions)


class OpenClausesForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("md", _("Markdown")), ("csv", _("CSV (spreadsheet)"))],
    )
