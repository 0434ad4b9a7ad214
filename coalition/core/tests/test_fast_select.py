"""FastSelect writes byte for byte what Django's Select writes from its templates, and validates the same."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe

from coalition.core.forms import FastSelect

CHOICES: list[tuple[Any, Any]] = [
    ("", "---------"),
    (1, "Plain"),
    ("2", "<b>Tom & \"Jerry\"</b> 'quoted'"),
    ("a&b<\"'>", "value with markup"),
    (3, mark_safe("<i>already safe</i>")),
    (4, ""),
    ("Group <one>", [(5, "Five & more"), (6, "Six")]),
    (7, 7),
]


def both(**kwargs: Any) -> tuple[forms.Field, forms.Field]:
    return (
        forms.ChoiceField(choices=CHOICES, widget=forms.Select(**kwargs), required=False),
        forms.ChoiceField(choices=CHOICES, widget=FastSelect(**kwargs), required=False),
    )


@pytest.mark.parametrize("value", [None, "", "1", 2, "a&b<\"'>", "6", "7", "missing"])
@pytest.mark.parametrize("attrs", [None, {"class": "wide", "data-x": "<&\"'>", "disabled": True, "hidden": False}])
def test_same_html_as_django_select(value: Any, attrs: dict[str, Any] | None) -> None:
    django_select, fast = both(attrs=attrs)
    extra = {"id": "id_owner", "required": True, "aria-describedby": "id_owner_helptext", "aria-invalid": "true"}
    assert fast.widget.render("owner", value, attrs=extra) == django_select.widget.render("owner", value, attrs=extra)


def test_same_html_and_validation_in_a_form() -> None:
    class Plain(forms.Form):
        owner = forms.ChoiceField(choices=CHOICES[1:], help_text="Who")

    class Fast(forms.Form):
        owner = forms.ChoiceField(choices=CHOICES[1:], help_text="Who", widget=FastSelect)

    for data in [None, {"owner": "2"}, {"owner": "6"}, {"owner": "nope"}, {"owner": ""}]:
        plain, fast = Plain(data, prefix="item-3"), Fast(data, prefix="item-3")
        assert str(fast["owner"]) == str(plain["owner"])
        if data is not None:
            assert fast.is_valid() == plain.is_valid()
            assert fast.errors == plain.errors
            assert fast.cleaned_data == plain.cleaned_data
