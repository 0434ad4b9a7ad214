"""A statement's deadline or embargo typed into the hour the clocks skip or repeat (issue 17, item 9): the skipped
spring hour was moved an hour later without a word, the repeated autumn hour taken as its first occurrence (an embargo
so read could make a statement public an hour early). Now a skipped time is refused on its field with the times to
choose instead, and a repeated one asks which of the two it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coalition.core.policy import Role
from coalition.meetings.tests.factories import focal_point, government
from coalition.statements import services
from coalition.statements.models import Freeze, Statement

pytestmark = pytest.mark.django_db

PARIS = "Europe/Paris"
SPRING, AUTUMN = dt.date(2030, 3, 31), dt.date(2030, 10, 27)  # Paris: forward at 02:00, back at 03:00


@pytest.fixture
def support(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def statement(support: Any) -> Statement:
    return services.create_statement(by=support, title="On civic space", text="We welcome the report.")


def freeze(support: Any, statement: Statement, day: dt.date, clock: str, **fields: str) -> Any:
    client = Client()
    client.force_login(support)
    data = {"deadline_on": day.isoformat(), "deadline_time": clock, "deadline_time_zone": PARIS, "mode": "sign_on"}
    return client.post(reverse("statements:freeze", args=[statement.slug]), {**data, **fields})


def test_a_deadline_the_clocks_skip_is_refused_on_its_field(support: Any, statement: Statement) -> None:
    response = freeze(support, statement, SPRING, "02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_deadline_time_error"' in page
    assert "02:30 on 31 March does not exist in Europe/Paris (clocks go forward); choose 03:30 or 01:30." in page
    assert not Freeze.objects.exists()


def test_a_deadline_the_clocks_repeat_asks_which_and_keeps_the_one_chosen(support: Any, statement: Statement) -> None:
    response = freeze(support, statement, AUTUMN, "02:30")
    assert response.status_code == 400
    assert 'id="id_deadline_occurrence_error"' in response.content.decode()
    assert not Freeze.objects.exists()

    assert freeze(support, statement, AUTUMN, "02:30", deadline_occurrence="second").status_code == 302
    assert Freeze.objects.get().deadline == dt.datetime(2030, 10, 27, 1, 30, tzinfo=dt.UTC)


@pytest.fixture
def signed(support: Any, statement: Statement) -> Statement:
    """The statement, signed by one member in a round whose deadline has passed: ready to publish."""
    member = government("NL")
    round_ = services.freeze(
        statement=statement,
        by=support,
        deadline=timezone.now() + dt.timedelta(hours=2),
        deadline_time_zone=PARIS,
        mode="sign_on",
    )
    services.respond(freeze=round_, by=focal_point(member).account, organisation=member, kind="signed")
    now = timezone.now()
    Freeze.objects.filter(pk=round_.pk).update(
        frozen_at=now - dt.timedelta(hours=2), deadline=now - dt.timedelta(hours=1)
    )
    return statement


def publish(support: Any, statement: Statement, day: dt.date, clock: str, **fields: str) -> Any:
    client = Client()
    client.force_login(support)
    data = {"embargo_on": day.isoformat(), "embargo_time": clock, "embargo_time_zone": PARIS}
    return client.post(reverse("statements:publish", args=[statement.slug]), {**data, **fields})


def test_an_embargo_the_clocks_skip_is_refused_on_its_field(support: Any, signed: Statement) -> None:
    response = publish(support, signed, SPRING, "02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_embargo_time_error"' in page
    assert "02:30 on 31 March does not exist in Europe/Paris (clocks go forward); choose 03:30 or 01:30." in page
    assert Statement.objects.get(pk=signed.pk).published_at is None


def test_an_embargo_the_clocks_repeat_asks_which_and_keeps_the_one_chosen(support: Any, signed: Statement) -> None:
    response = publish(support, signed, AUTUMN, "02:30")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_embargo_occurrence_error"' in page
    assert "02:30 on 27 October happens twice in Europe/Paris (clocks go back)" in page
    assert Statement.objects.get(pk=signed.pk).published_at is None

    assert publish(support, signed, AUTUMN, "02:30", embargo_occurrence="second").status_code == 302
    assert Statement.objects.get(pk=signed.pk).published_at == dt.datetime(2030, 10, 27, 1, 30, tzinfo=dt.UTC)
