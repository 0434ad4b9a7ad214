"""Forms of the quarterly update calls (PoA 1B.2): the quarter picker and the record of one call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coalition.core.forms import DateField, ServiceForm
from coalition.core.policy import Classification
from coalition.directory.models import Office, Organisation

QUARTERS = [
    (1, _("Q1 (January to March)")),
    (2, _("Q2 (April to June)")),
    (3, _("Q3 (July to September)")),
    (4, _("Q4 (October to December)")),
]
# A call is public, coalition or members; restricted records need a named audience, which this form does not offer.
CALL_CLASSIFICATIONS = [(c.value, c.label) for c in Classification if c != Classification.RESTRICTED]


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int, required=False, empty_value=None)


def _member_choices(members: Iterable[Organisation]) -> list[tuple[int, str]]:
    return [(member.pk, member.name) for member in members]


class MemberForm(forms.Form):
    """The first step where a person may record for several members: whose call (its posts come next)."""

    organisation = forms.TypedChoiceField(label=_("Member"), coerce=int)

    def __init__(self, *args: Any, members: list[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "member-%s")  # the call form on the same page has its own "organisation"
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a member")), *_member_choices(members)]


class CallForm(ServiceForm):
    organisation = forms.TypedChoiceField(label=_("Member"), coerce=int, widget=forms.HiddenInput)
    held_on = DateField(label=_("Held on"))
    posts = forms.ModelMultipleChoiceField(
        label=_("Posts involved"),
        queryset=Office.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The member's embassies and permanent missions that took part."),
    )
    topics = forms.CharField(label=_("Topics discussed"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    proposed_actions = forms.CharField(
        label=_("Proposed actions"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    asks = forms.CharField(
        label=_("Asks of the coalition"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    classification = forms.ChoiceField(
        label=_("Who may read the call's content"),
        choices=CALL_CLASSIFICATIONS,
        initial=Classification.MEMBERS,
        help_text=_(
            "Members: member governments and the Support Unit. Coalition: every participant. Public: anyone. "
            "That a call was held, and when, is shown to the member governments whatever you choose."
        ),
    )

    def __init__(
        self,
        *args: Any,
        members: list[Organisation],
        posts: QuerySet[Office],
        shown_posts: list[Office],
        **kwargs: Any,
    ) -> None:
        """`posts` are the offices a submitted post may be (those of every member the person may record for: the
        service then says which member a post belongs to); `shown_posts` the chosen member's, which the form lists."""
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.TypedChoiceField)
        organisation.choices = _member_choices(members)
        field = self.fields["posts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = posts
        field.widget.choices = [(post.pk, f"{post.name} ({post.city})") for post in shown_posts]
