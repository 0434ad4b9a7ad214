"""The staleness digest preview: a person sees the email they would receive this week; the Support Unit and the
Chair (programme.manage) may look at anyone's, to answer "why did I get this?"."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import AccessDenied
from coalition.directory.models import Person
from coalition.directory.queries import today
from coalition.programme import queries
from coalition.programme.models import Activity
from coalition.programme.tasks import DigestEmail, compose_digest


class PersonForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Whose digest"), coerce=int)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = people


def _people(request: HttpRequest) -> list[tuple[int, str]]:
    """Everyone with an active account whom the manager may see in the directory."""
    return list(
        policy.visible_to(request.user, Person)
        .filter(account__is_active=True)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name")
    )


def _shown_to(request: HttpRequest, email: DigestEmail) -> tuple[DigestEmail, int]:
    """Someone else's digest, less any activity or reminder the viewer may not see themselves (a restricted record
    whose audience names the recipient but not the viewer); returns it and how many lines were left out."""
    ids = [row.activity_id for row in email.rows]
    visible = set(policy.visible_to(request.user, Activity).filter(pk__in=ids).values_list("pk", flat=True))
    rows = [row for row in email.rows if row.activity_id in visible]
    sections, hidden = [], 0
    for section in email.sections:
        kept = [r for r in section.reminders if r.subject is None or policy.is_visible(request.user, r.subject)]
        hidden += len(section.reminders) - len(kept)
        sections.append(dataclasses.replace(section, reminders=kept))
    left_out = len(email.rows) - len(rows) + hidden
    return dataclasses.replace(email, rows=rows, sections=sections), left_out


@access("account.self")
def digest(request: HttpRequest) -> HttpResponse:
    own: Person | None = getattr(request.user, "person", None)
    may_manage = policy.can(request.user, "programme.manage")
    asked = request.GET.get("person", "")
    if asked and not may_manage and (own is None or asked != str(own.pk)):
        raise AccessDenied(str(_("Only the Support Unit and the Chair may preview another person's digest.")))
    form = None
    person = own
    status = 200
    if may_manage:
        people = _people(request)
        form = PersonForm(request.GET if asked else None, people=people, initial={"person": own.pk if own else None})
        if form.is_bound:
            if form.is_valid():
                person = Person.objects.select_related("account").get(pk=form.cleaned_data["person"])
            else:
                status = 400
    on = today()
    email, left_out = None, 0
    if person is not None and status == 200:
        email = compose_digest(queries.digest_for(person, on=on), on=on)
        if own is None or person.pk != own.pk:
            email, left_out = _shown_to(request, email)
    is_own = person is not None and person == own
    context = {
        "form": form,
        "email": email,
        "left_out": left_out,
        "own": is_own,
        # The address is a contact detail: shown under the directory's rule for contacts (directory.view_contact).
        "show_address": is_own or (person is not None and policy.can(request.user, "directory.view_contact", person)),
    }
    return render(request, "programme/digest.html", context, status=status)
