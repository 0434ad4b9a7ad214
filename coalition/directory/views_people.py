"""The people directory: people with their current positions, filtered by member, body, network and role, each with
the contact details the reader may see (`directory.view_contact`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coalition.core import policy
from coalition.core.access import access
from coalition.directory import queries
from coalition.directory.forms import PeopleFilterForm
from coalition.directory.models import Person
from coalition.directory.rows import PeopleRows

PEOPLE_PER_PAGE = 50


@access("directory.view")
def people(request: HttpRequest) -> HttpResponse:
    on = queries.today()
    form = PeopleFilterForm(request.GET or None, **queries.people_filter_choices(request.user))
    if form.is_bound and not form.is_valid():
        # A filter naming nothing the reader may choose: the form says which, and no list pretends to answer it.
        return render(request, "directory/people.html", {"form": form, "page": None, "on": on}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = queries.PeopleFilters(
        member=data.get("member"), body=data.get("body"), network=data.get("network"), kind=data.get("role") or ""
    )
    people = queries.people_for(request.user, filters, on=on)
    page = queries.people_page(request.user, people, on=on, number=request.GET.get("page"), per_page=PEOPLE_PER_PAGE)
    for person in page.object_list:
        person.contact = _contact(request, person)
    rows = PeopleRows().render(page.object_list)  # the table's rows in one pass, not a template loop (issue 20)
    return render(request, "directory/people.html", {"form": form, "page": page, "on": on, "rows": rows})


def _contact(request: HttpRequest, person: Person) -> dict[str, str] | None:
    """The person's contact details if the policy lets this reader see them; None otherwise (the encrypted fields of
    a civil-society person, decrypted on reading, go no further than this function for anyone else)."""
    if not policy.can(request.user, "directory.view_contact", person, listed=True):
        return None
    return {"email": person.email, "phone": person.phone, "secure_messaging": person.secure_messaging}
