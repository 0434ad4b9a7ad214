"""The people and members directories' table rows, rendered in Python once per row rather than through the template
language (issue 20, page cost).

At the load test's scale the members directory lists ~800 governments and the people directory 50 people a page,
each with its positions; the template loops (a URL, a translated choice, a date and several lookups per row) were
most of what remained of those pages' CPU once their filter selects were written by `FastSelect`. The HTML is the
former loops' own, byte for byte, every value written as `{{ value }}` writes it (localized, then escaped);
tests/test_directory_rows.py checks the rows against the former template loops. What a row shows was decided
before it gets here (the queryset is the reader's visible set; a person's `contact` is the policy's answer).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from coalition.core.markup import Route, day
from coalition.core.markup import text as _text
from coalition.directory.models import Country, Organisation, Person, Position, describe_date


def member_rows(rows: Iterable[Organisation]) -> SafeString:
    """directory/members.html's former loop over `rows` (each with `status`, `joined_on`, `joined_precision` and its
    country), including its `{% empty %}` row."""
    route = Route("directory:organisation")
    development = {value: str(label) for value, label in Country.Development.choices}
    parts = []
    for org in rows:
        country = org.country
        href = route.to(int(org.pk))
        status = org.status  # type: ignore[attr-defined]
        joined = describe_date(org.joined_on, org.joined_precision or "day")  # type: ignore[attr-defined]
        if country is not None:
            name = _text(country.name or org.name)
            region, sub_region = _text(country.region), _text(country.sub_region)
            north_south = _text(development.get(country.development, country.development))
        else:
            name, region, sub_region, north_south = _text(org.name), "", "", ""
        parts.append(
            "\n  <tr>\n"
            f'    <td><a href="{href}">{name}</a></td>\n'
            f"    <td>{_text(capfirst(status) if status else status)}</td>\n"
            f"    <td>{_text(joined)}</td>\n"
            f"    <td>{region}</td>\n"
            f"    <td>{sub_region}</td>\n"
            f"    <td>{north_south}</td>\n"
            "  </tr>\n  "
        )
    if not parts:
        return mark_safe(f'<tr><td colspan="6">{_text(_("No government matches these filters."))}</td></tr>\n  ')  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


class PeopleRows:
    """directory/people.html's former loop over a page of people (from `queries.people_for`, each with `current`,
    `affiliation_visible` and the `contact` the policy allows, or None), for one request."""

    def __init__(self) -> None:
        self.body_route = Route("directory:body")
        self.organisation_route = Route("directory:organisation")
        self.kinds = {value: str(label) for value, label in Position.Kind.choices}
        self.time_zone = _text(_("Time zone"))
        self.until = _text(_("until"))
        self.email, self.phone = _text(_("Email")), _text(_("Phone"))
        self.secure_messaging = _text(_("Secure messaging"))
        self.none_recorded = _text(_("None recorded"))
        self.not_shown = _text(_("Not shown to you"))

    def _position(self, position: Position) -> str:
        out = "<li>" + _text(position.title or self.kinds.get(position.kind, position.kind))
        if position.body is not None:
            out += f' — <a href="{self.body_route.to(position.body.slug)}">{_text(position.body)}</a>'
        if position.organisation is not None:
            href = self.organisation_route.to(position.organisation.pk)
            out += f' — <a href="{href}">{_text(position.organisation)}</a>'
        if position.ends_on:
            out += f' <span class="small">({self.until} {_text(day(position.ends_on))})</span>'
        return out + "</li>"

    def _contact(self, contact: dict[str, str] | None) -> str:
        if not contact:
            return f'<span class="small">{self.not_shown}</span>'
        email, phone, secure = contact.get("email"), contact.get("phone"), contact.get("secure_messaging")
        out = "<ul>\n      "
        if email:
            out += f'<li>{self.email}: <a href="mailto:{_text(email)}">{_text(email)}</a></li>'
        out += "\n      "
        if phone:
            out += f"<li>{self.phone}: {_text(phone)}</li>"
        out += "\n      "
        if secure:
            out += f"<li>{self.secure_messaging}: {_text(secure)}</li>"
        out += "\n      "
        if not email and not phone and not secure:
            out += f"<li>{self.none_recorded}</li>"
        return out + "\n    </ul>"

    def render(self, people: Iterable[Person]) -> SafeString:
        parts = []
        for person in people:
            affiliation = ""
            if person.affiliation and person.affiliation_visible:  # type: ignore[attr-defined]
                affiliation = f'<br><span class="small">{_text(person.affiliation)}</span>'
            positions = "".join(self._position(p) for p in person.current)  # type: ignore[attr-defined]
            parts.append(
                f'\n  <tr id="person-{_text(person.pk)}">\n'
                f'    <th scope="row">{_text(person.full_name)}{affiliation}<br><span class="small">{self.time_zone}: '
                f"{_text(person.time_zone)}</span></th>\n"
                f"    <td><ul>{positions}</ul></td>\n"
                f"    <td>{self._contact(person.contact)}</td>\n"  # type: ignore[attr-defined]
                "  </tr>\n  "
            )
        return mark_safe("".join(parts))  # noqa: S308  # every value escaped above
