"""The signing page as a focal point uses it (issue 17, item 6): their member's answer comes before the text and
before the table of every member's answer, and a frozen text no longer calls its paragraphs "Open"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coalition.core.policy import Role
from coalition.meetings.tests.factories import focal_point, government
from coalition.statements import services
from coalition.statements.models import Freeze, Statement

pytestmark = pytest.mark.django_db

TEXT = "We, the members, welcome the report.\n\nWe call on all parties to protect the civic space."


def _statement(manager: Any) -> Statement:
    return services.create_statement(by=manager, title="On civic space", text=TEXT)


def _frozen(statement: Statement, manager: Any) -> Freeze:
    deadline = timezone.now() + dt.timedelta(hours=48)
    return services.freeze(
        statement=statement, by=manager, deadline=deadline, deadline_time_zone="Europe/Tallinn", mode="sign_on"
    )


def _page_as(user: Any, statement: Statement) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("statements:statement", args=[statement.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _focal_point_of_the_netherlands() -> Any:
    person = focal_point(government("NL"))
    TOTP.activate(person.account, generate_totp_secret())
    return person.account


def test_a_focal_points_sign_form_comes_before_the_text_and_the_table_of_responses(
    make_user: Callable[..., Any],
) -> None:
    manager = make_user(Role.SUPPORT_UNIT)
    focal = _focal_point_of_the_netherlands()
    statement = _statement(manager)
    _frozen(statement, manager)
    body = _page_as(focal, statement)
    sign_form = body.index('class="respond-form"')
    assert sign_form < body.index('<h2 id="text">')
    assert sign_form < body.index('<table class="responses">')
    assert body.index('<h2 id="text">') < body.index('<h2 id="responses">')


def test_the_frozen_text_shows_its_paragraphs_as_frozen_not_open(make_user: Callable[..., Any]) -> None:
    manager = make_user(Role.SUPPORT_UNIT)
    statement = _statement(manager)
    _frozen(statement, manager)
    body = _page_as(manager, statement)
    assert 'class="status clause-open"' not in body
    assert body.count('<span class="status clause-agreed">Frozen</span>') == 2


def test_a_draft_still_shows_where_negotiation_stands_on_each_paragraph(make_user: Callable[..., Any]) -> None:
    manager = make_user(Role.SUPPORT_UNIT)
    body = _page_as(manager, _statement(manager))
    assert body.count('<span class="status clause-open">Open</span>') == 2
    assert ">Frozen</span>" not in body
