"""The demo's accounts share a published password and the commands print their second factors: production refuses
both commands, with a message saying why, before anything is written (issue 16, item 13)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from coalition.demo.loader import DEMO_DOMAIN, load_demo

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_load_demo_refuses_to_run_in_production_and_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = row_counts()
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("load_demo")
    assert row_counts() == before
    assert "TOTP secret" not in capsys.readouterr().out


def test_demo_totp_refuses_to_print_a_code_in_production(capsys: pytest.CaptureFixture[str]) -> None:
    load_demo()
    capsys.readouterr()
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("demo_totp", f"support@{DEMO_DOMAIN}")
    assert capsys.readouterr().out == ""


def test_the_demo_still_loads_outside_production(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    assert "TOTP secret" in capsys.readouterr().out
