"""Forms of the calendar pages: replies (the meeting page's buttons, the emailed link, an uploaded calendar REPLY)
and the personal feed's actions. Each wraps what its view reads, so the view acts through `core.forms.submit`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from coalition.core.errors import AccessDenied, CoalitionError
from coalition.core.forms import ServiceForm
from coalition.directory.models import Person
from coalition.meetings.models import Invitation

REPLY_CHOICES = [(value, label) for value, label in Invitation.Reply.choices if value in Invitation.REPLIES]


class RsvpForm(ServiceForm):
    """The meeting page's reply buttons: the reply as posted (any case), which the service checks."""

    reply = forms.CharField(required=False)

    def clean_reply(self) -> str:
        return self.cleaned_data["reply"].upper()

    def problem(self) -> str:
        return " ".join(str(message) for messages in self.errors.values() for message in messages)


class ReplyForm(ServiceForm):
    """The emailed one-click link's form; every refusal of the reply is shown at the reply."""

    reply = forms.ChoiceField(
        label=gettext_lazy("Your reply"),
        choices=REPLY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose accepted, tentative or declined.")},
    )

    def add_service_error(self, error: CoalitionError) -> None:
        self.add_error("reply", error.message)


class IcsReplyForm(ServiceForm):
    """An uploaded calendar REPLY; every refusal is shown at the file, and `denied` says it was the person's."""

    ics = forms.FileField(
        label=gettext_lazy("Calendar reply (.ics file)"),
        help_text=gettext_lazy(
            "The .ics file a calendar sent back in answer to a Coalition invitation (METHOD:REPLY), at most 64 KiB."
        ),
        error_messages={
            "required": gettext_lazy("Choose the .ics file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )
    denied = False

    def add_service_error(self, error: CoalitionError) -> None:
        self.denied = isinstance(error, AccessDenied)
        self.add_error("ics", error.message)


class FeedForm(ServiceForm):
    """The feed settings' buttons: issue a feed, or revoke one of the person's own (`feed`)."""

    CREATE, REVOKE = "create", "revoke"

    action = forms.CharField(required=False)
    feed = forms.CharField(required=False)

    def __init__(self, *args: Any, person: Person | None, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.person is None:
            raise forms.ValidationError(
                gettext_lazy("Your account is not linked to a person in the directory, so it has no meetings to feed."),
                code="no_person",
            )
        if data.get("action") not in (self.CREATE, self.REVOKE):
            raise forms.ValidationError(gettext_lazy("Create a feed or revoke one."), code="unknown_action")
        if data["action"] == self.REVOKE and not data.get("feed", "").isdigit():
            raise forms.ValidationError(gettext_lazy("Choose a feed to revoke."), code="no_feed")
        return data

    TITLES = {
        "no_person": gettext_lazy("No calendar feed for this account"),
        "unknown_action": gettext_lazy("Unknown action"),
        "no_feed": gettext_lazy("No feed chosen"),
    }

    def problem(self) -> tuple[str, str]:
        """The error page's title and message for the refusal."""
        error = self.non_field_errors().as_data()[0]
        return str(self.TITLES.get(error.code or "", "")), str(error.messages[0])
