from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, ClassVar, TypeVar

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from coalition.core import time_zones, wallclock
from coalition.core.errors import CoalitionError

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


class DateField(forms.DateField):
    """A date field for people: a calendar input, and dates a coalition can mean (so no arithmetic overflows)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(EARLIEST), MaxValueValidator(LATEST)]


def checked_upload(upload: UploadedFile, *, types: tuple[str, ...], limit: int) -> UploadedFile:
    """An upload's type (by its suffix) and size, told before a byte of it is read (the size comes from the request)."""
    if PurePath(upload.name or "").suffix.lower() not in types:
        raise forms.ValidationError(
            _("Upload a file of one of these types: %(types)s."), params={"types": ", ".join(types)}
        )
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("The file is %(size).1f MB; files of up to %(limit).1f MB are imported."),
            params={"size": (upload.size or 0) / 1048576, "limit": limit / 1048576},
        )
    return upload


NOT_PLACES = frozenset({"localtime", "posixrules"})  # what some systems list among their zones: no place's clock


def time_zone_choices() -> list[tuple[str, Any]]:
    """UTC, then tzdata's zones by place grouped by region (no aliases such as "Africa/Asmera" or "US/Eastern")."""
    return time_zones.grouped_choices()


class TimeZoneSelect(forms.Select):
    """The zone <select> with its <optgroup>s, and a search box that a static script adds in front of it (the
    select works alone without JavaScript; the CSP forbids inline scripts). A saved zone that is not listed (an
    IANA name such as "Etc/GMT+5") is offered too, so the form shows what is saved."""

    template_name = "core/widgets/time_zone_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        # The search box's label, translated here: the script has no words of its own.
        super().__init__({"data-zone-search": _("Search the time zones"), **(attrs or {})}, choices)

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        groups = super().optgroups(name, value, attrs)
        listed = {str(option["value"]) for _group, options, _index in groups for option in options}
        missing = [v for v in value if v and str(v) not in listed]
        if missing:
            extra = [self.create_option(name, v, v, True, 0, attrs=attrs) for v in missing]
            groups.insert(0, (None, extra, 0))
        return groups


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Django's `django/forms/widgets/attrs.html` in Python: False leaves the attribute out, True writes it bare."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A single <select> written in one pass in Python instead of a template include per option: the same HTML as
    Django's `Select` (attributes, `selected`, optgroups, escaping), for selects of hundreds of options (a meeting's
    owners). `optgroups` is Django's, so what a subclass adds there is written too."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        context = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(name)}"{_attrs_html(context["attrs"])}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template's own last newline
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def _text(value: Any) -> str:
    """A value as a template's `{{ value }}` writes it: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


class OccurrenceField(forms.ChoiceField):
    """Which of the two a typed time means when the clocks go back and it happens twice (`wallclock.FIRST` or
    `SECOND`); empty when it does not, and `wallclock.local_instant` refuses a repeated time left so."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("If that time happens twice (the night the clocks go back)"))
        kwargs.setdefault("required", False)
        choices = [
            ("", _("It does not")),
            (wallclock.FIRST, _("The first, before the clocks go back")),
            (wallclock.SECOND, _("The second, after the clocks go back")),
        ]
        super().__init__(choices=choices, **kwargs)


class TimeZoneField(forms.ChoiceField):
    """An IANA time zone chosen from the canonical list; an alias (typed, posted or saved before) is read as the
    listed zone for the same place, so "Africa/Asmera" is shown and saved as "Africa/Asmara"."""

    widget = TimeZoneSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", time_zone_choices)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return time_zones.canonical_zone(value) if isinstance(value, str) and value else value

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return time_zones.canonical_zone(text) if text else text

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(value) or value in zoneinfo.available_timezones() - NOT_PLACES


class ServiceForm(forms.Form):
    """A form whose input a service checks again: a service's error lands on the field it names (or the field this
    form calls by another name), else at the top of the form. A form whose template shows no errors of hidden
    fields sets `hidden_errors_at_top`."""

    aliases: ClassVar[dict[str, str]] = {}
    hidden_errors_at_top: ClassVar[bool] = False

    def add_service_error(self, error: CoalitionError) -> None:
        name = self.aliases.get(error.field or "", error.field)
        shown = name in self.fields and not (self.hidden_errors_at_top and self.fields[name].widget.is_hidden)
        self.add_error(name if shown else None, error.message)


@dataclass(frozen=True)
class Done:
    value: Any  # what the service returned


def attempt(
    form: ServiceForm, act: Callable[[], Any], *, catching: type[CoalitionError] = CoalitionError
) -> Done | None:
    """Run one service for a valid form: Done with its result, or None with the service's error on the form
    (nothing was saved: services are atomic). Errors other than `catching` propagate (e.g. a 403)."""
    if not form.is_valid():
        return None
    try:
        return Done(act())
    except catching as error:
        form.add_service_error(error)
        return None


T = TypeVar("T")


def submit(
    request: HttpRequest,
    form: ServiceForm,
    act: Callable[[], T],
    *,
    done: Callable[[T], HttpResponse],
    page: Callable[[int], HttpResponse],
    catching: type[CoalitionError] = CoalitionError,
) -> HttpResponse:
    """The one way a view acts on what a person submitted (a test over the URL resolver holds every POST view to
    it). A GET answers `page(200)`, the empty form. A POST validates `form`, runs `act` (one service: atomic, so a
    refusal saves nothing) and answers `done(result)`, usually a message and a redirect; when the form or the
    service refuses, it answers `page(400)` with the error on the field it names. Errors other than `catching`
    propagate (an AccessDenied is a 403, not a form error)."""
    if request.method != "POST":
        return page(200)
    result = attempt(form, act, catching=catching)
    return page(400) if result is None else done(result.value)


def then_redirect(
    request: HttpRequest, message: Any, to: str, *args: Any, **kwargs: Any
) -> Callable[[Any], HttpResponse]:
    """`submit`'s usual `done`: say `message` (may be empty) on the next page, `to` (a URL name and its arguments)."""

    def done(_: Any) -> HttpResponse:
        if message:
            messages.success(request, message)
        return redirect(to, *args, **kwargs)

    return done


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Event starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Who"), required=False, max_length=200)
    since = DateField(label=_("From (date)"), required=False)
    until = DateField(label=_("Until (date)"), required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
