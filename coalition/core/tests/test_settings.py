"""Production refuses insecure configuration; the deploy checks and the project's own checks hold."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def secure_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "coalition.example.org",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": "insecure-development-key-never-use-in-production"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"FIELD_ENCRYPTION_KEYS": ""}, "FIELD_ENCRYPTION_KEYS"),
    ],
)
def test_production_refuses_to_start_with_an_insecure_setting(tmp_path, override, named):
    result = manage("check", **{**secure_env(tmp_path), **override})
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert named in result.stderr


def test_production_settings_pass_djangos_deploy_checks_without_a_warning(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **secure_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def deploy_errors() -> set[str]:
    return {str(m.id) for m in run_checks(include_deployment_checks=True) if str(m.id).startswith("coalition.")}


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "c"}})
def test_the_project_checks_pass_as_configured():
    assert deploy_errors() == set()


@override_settings(
    CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}}
)
def test_a_csp_allowing_inline_script_fails_the_checks():
    assert "coalition.E002" in deploy_errors()


@override_settings(CONTENT_SECURITY_POLICY={})
def test_a_missing_csp_fails_the_checks():
    assert "coalition.E001" in deploy_errors()


@override_settings(SESSION_IDLE_TIMEOUT_SECONDS=24 * 3600)
def test_an_unbounded_idle_session_fails_the_checks():
    assert "coalition.E010" in deploy_errors()


@override_settings(SESSION_ABSOLUTE_TIMEOUT_SECONDS=30 * 24 * 3600)
def test_an_unbounded_absolute_session_fails_the_checks():
    assert "coalition.E011" in deploy_errors()


@override_settings(COALITION_MFA_REQUIRED=False)
def test_turning_mfa_off_fails_the_checks():
    assert "coalition.E020" in deploy_errors()


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_per_process_cache_fails_the_checks():
    assert "coalition.E030" in deploy_errors()


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client):
    header = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in header
    assert "unsafe-inline" not in header
    assert "frame-ancestors 'none'" in header
