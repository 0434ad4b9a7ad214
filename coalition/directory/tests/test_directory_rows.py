"""The people and members directories' rows, written in Python (directory/rows.py, issue 20), are the HTML the
templates' loops wrote, byte for byte: same markup, escaping, dates, labels and translations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from coalition.directory.models import Body, Country, Organisation, Person, Position
from coalition.directory.rows import PeopleRows

# The loops of directory/people.html and members.html before issue 20, as they were (the text around them too).
PEOPLE_LOOP = Template(
    """{% load i18n coalition %}  {% for person in people %}
  <tr id="person-{{ person.pk }}">
    <th scope="row">{{ person.full_name }}{% if person.affiliation and person.affiliation_visible %}<br><span class="small">{{ person.affiliation }}</span>{% endif %}<br><span class="small">{% trans "Time zone" %}: {{ person.time_zone }}</span></th>
    <td><ul>{% for position in person.current %}<li>{{ position.title|default:position.get_kind_display }}{% if position.body %} — <a href="{% url 'directory:body' position.body.slug %}">{{ position.body }}</a>{% endif %}{% if position.organisation %} — <a href="{% url 'directory:organisation' position.organisation.pk %}">{{ position.organisation }}</a>{% endif %}{% if position.ends_on %} <span class="small">({% trans "until" %} {{ position.ends_on|date:"j M Y" }})</span>{% endif %}</li>{% endfor %}</ul></td>
    <td>{% if person.contact %}<ul>
      {% if person.contact.email %}<li>{% trans "Email" %}: <a href="mailto:{{ person.contact.email }}">{{ person.contact.email }}</a></li>{% endif %}
      {% if person.contact.phone %}<li>{% trans "Phone" %}: {{ person.contact.phone }}</li>{% endif %}
      {% if person.contact.secure_messaging %}<li>{% trans "Secure messaging" %}: {{ person.contact.secure_messaging }}</li>{% endif %}
      {% if not person.contact.email and not person.contact.phone and not person.contact.secure_messaging %}<li>{% trans "None recorded" %}</li>{% endif %}
    </ul>{% else %}<span class="small">{% trans "Not shown to you" %}</span>{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501
)
MEMBERS_LOOP = Template(
    """{% load i18n coalition directory %}  {% for org in rows %}
  <tr>
    <td><a href="{% url 'directory:organisation' org.pk %}">{{ org.country.name|default:org.name }}</a></td>
    <td>{{ org.status|capfirst }}</td>
    <td>{% dated org.joined_on org.joined_precision %}</td>
    <td>{{ org.country.region }}</td>
    <td>{{ org.country.sub_region }}</td>
    <td>{{ org.country.get_development_display }}</td>
  </tr>
  {% empty %}<tr><td colspan="6">{% trans "No government matches these filters." %}</td></tr>
  {% endfor %}"""
)
NEW_PEOPLE = Template("  {{ rows }}")
NEW_MEMBERS = Template("{% load directory_rows %}  {% member_rows rows %}")


def _person(
    pk: int,
    name: str,
    *,
    contact: dict[str, str] | None,
    affiliation: Organisation | None = None,
    visible: bool = True,
    positions: list[Position] | None = None,
) -> Person:
    person = Person(pk=pk, full_name=name, time_zone="America/Argentina/Buenos_Aires", affiliation=affiliation)
    person.affiliation_visible = visible  # type: ignore[attr-defined]
    person.current = positions or []  # type: ignore[attr-defined]
    person.contact = contact  # type: ignore[attr-defined]
    return person


def _people() -> list[Person]:
    ngo = Organisation(pk=12, name='Access <Now> & "Friends"', kind=Organisation.Kind.CIVIL_SOCIETY)
    geneva = Body(pk=3, slug="geneva", name="Geneva network", kind=Body.Kind.DIPLOMATIC_NETWORK)
    estonia = Organisation(pk=1234, name="Government of Estonia", kind=Organisation.Kind.GOVERNMENT)
    held = [
        Position(pk=1, kind=Position.Kind.NETWORK_POC, body=geneva, organisation=estonia),
        Position(pk=2, kind=Position.Kind.OFFICIAL, title="Head <of> unit", ends_on=dt.date(2027, 3, 5)),
        Position(pk=3, kind=Position.Kind.OFFICIAL, organisation=ngo),
    ]
    return [
        _person(
            1001,
            "Ana O'Brien <b>",
            contact={"email": "a&b@example.org", "phone": "+372 5", "secure_messaging": ""},
            affiliation=ngo,
            positions=held,
        ),
        _person(7, "Hidden affiliation", contact=None, affiliation=ngo, visible=False, positions=held[1:2]),
        _person(8, "No details", contact={"email": "", "phone": "", "secure_messaging": ""}),
        _person(9, "Only secure", contact={"email": "", "phone": "", "secure_messaging": "signal: <x>"}),
    ]


def _members() -> list[Organisation]:
    estonia = Country(
        code="EE", name="Estonia & Co", region="Europe", sub_region="Northern <Europe>", development="north"
    )
    unnamed = Country(code="ZZ", name="", region="", sub_region="", development="")
    rows = [
        Organisation(pk=1, name="Government of Estonia", country=estonia),
        Organisation(pk=2345, name="Government <unnamed>", country=unnamed),
        Organisation(pk=3, name="No country at all", country=None),
    ]
    for org, (status, joined, precision) in zip(
        rows,
        [("member", dt.date(2011, 12, 9), "day"), ("observer", dt.date(2015, 1, 1), "year"), ("member", None, None)],
        strict=True,
    ):
        org.status, org.joined_on, org.joined_precision = status, joined, precision  # type: ignore[attr-defined]
    return rows


@pytest.mark.parametrize("language", ["en", "fr"])
def test_people_rows_are_the_former_loop(language: str) -> None:
    people = _people()
    with translation.override(language):
        former = PEOPLE_LOOP.render(Context({"people": people}))
        rows = NEW_PEOPLE.render(Context({"rows": PeopleRows().render(people)}))
    assert "(until" in former or "(jusqu" in former  # every branch is exercised
    assert rows == former


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("empty", [False, True])
def test_member_rows_are_the_former_loop(language: str, empty: bool) -> None:
    context: dict[str, Any] = {"rows": [] if empty else _members()}
    with translation.override(language):
        assert NEW_MEMBERS.render(Context(context)) == MEMBERS_LOOP.render(Context(context))
