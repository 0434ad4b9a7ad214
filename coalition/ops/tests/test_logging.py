"""Every log line carries its request's id, taken from a sane X-Request-ID or made here, and a task enqueued during
the request carries it to the worker; logs are JSON when LOG_FORMAT=json; Sentry is off without a DSN."""

from __future__ import annotations

import json
import logging
import re

import pytest
import sentry_sdk
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_tasks import task
from pythonjsonlogger.json import JsonFormatter

from coalition.core import request_id
from coalition.ops import sentry

seen: list[str] = []


@task()
def note_request_id() -> None:
    seen.append(request_id.current.get())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "kept"),
    [("3f2c9a7e-1b4d-4e8a-9c0f-1234567890ab", True), ("short", False), ("evil\r\nSet-Cookie: x=1", False), ("", False)],
)
def test_a_sane_request_id_is_kept_and_any_other_replaced(given, kept):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=given)
    if kept:
        assert response["X-Request-ID"] == given
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_json_log_lines_carry_the_request_id():
    formatters: dict[str, dict[str, object]] = settings.LOGGING["formatters"]  # type: ignore[assignment]
    config = {key: value for key, value in formatters["json"].items() if key != "()"}
    record = logging.LogRecord("coalition.test", logging.WARNING, __file__, 1, "signed %s", ("x",), None)
    token = request_id.current.set("req-12345678")
    try:
        request_id.RequestIdFilter().filter(record)
    finally:
        request_id.current.reset(token)
    line = json.loads(JsonFormatter(**config).format(record))  # type: ignore[arg-type]
    assert line["request_id"] == "req-12345678"
    assert line["message"] == "signed x"
    assert line["level"] == "WARNING"
    request_id.RequestIdFilter().filter(record)
    assert record.__dict__["request_id"] == "-"  # outside a request


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_during_a_request_runs_with_its_id(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seen.clear()
    token = request_id.current.set("req-abcdef123456")
    try:
        note_request_id.enqueue()
    finally:
        request_id.current.reset(token)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert seen == ["req-abcdef123456"]
    assert request_id.current.get() == ""  # the worker's next task starts without it


def test_sentry_is_off_without_a_dsn():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_sentry_sends_no_personal_data(monkeypatch):
    given: dict = {}
    monkeypatch.setattr(sentry.sentry_sdk, "init", lambda **options: given.update(options))
    sentry.start_sentry(dsn="https://key@sentry.example.org/1", environment="production")
    assert given["send_default_pii"] is False
    assert given["environment"] == "production"
    assert given["traces_sample_rate"] == 0.0
