"""The deployment files (deploy/, Dockerfile, compose.yaml, docs/deployment.md) stay true to the code: every command
they name exists, every variable they set is one the platform reads, the units and the compose file parse and hold
what the manual says, and the timeouts and limits agree with the settings they follow."""

from __future__ import annotations

import configparser
import re
import runpy
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from coalition.core import limits

ROOT = Path(settings.BASE_DIR)
UNITS = ROOT / "deploy" / "systemd"
SERVICES = ("coalition-web", "coalition-worker", "coalition-scheduler")
# Files that name management commands and environment variables an operator will type.
DOCUMENTS = [
    ROOT / "docs" / "deployment.md",
    ROOT / "deploy" / "env.example",
    ROOT / "deploy" / "docker" / "entrypoint.sh",
    ROOT / "deploy" / "nginx" / "coalition.conf",
    ROOT / "Dockerfile",
    ROOT / "compose.yaml",
    *sorted(UNITS.glob("*.service")),
]
# Read by Python itself or by a library rather than by our settings.
READ_ELSEWHERE = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
# What production refuses to start without (config/env.py, core/crypto.py, core/checkpoints.py).
REQUIRED = {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "LEDGER_SIGNING_KEY", "DATABASE_URL"}


def variables_read() -> set[str]:
    """Every environment variable the settings, gunicorn's config or the platform's code read."""
    pattern = re.compile(
        r"""(?:env_\w+\(\s*|os\.environ\.get\(\s*|os\.environ\[\s*|os\.getenv\(\s*)["']([A-Z][A-Z0-9_]*)["']"""
    )
    sources = [*(ROOT / "config").glob("*.py"), *(ROOT / "coalition").rglob("*.py")]
    names: set[str] = set()
    for source in sources:
        if "tests" not in source.parts:
            names.update(pattern.findall(source.read_text()))
    return names


def env_example() -> dict[str, str]:
    """The variables of deploy/env.example, those commented out as optional included."""
    found = {}
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        match = re.match(r"^#?\s?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match[1]] = match[2]
    return found


def unit(name: str) -> configparser.ConfigParser:
    # systemd allows a key to repeat (Environment=); the last one is enough for what is checked here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((UNITS / name).read_text())
    return parser


def seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)s?", value.strip())
    assert match, f"not a number of seconds: {value!r}"
    return int(match[1])


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_every_management_command_named_exists() -> None:
    commands = set(get_commands())
    named = {
        (document.name, command)
        for document in DOCUMENTS
        for command in re.findall(r"manage\.py\s+([a-z][a-z0-9_]*)", document.read_text())
    }
    assert named, "no `manage.py <command>` found: the pattern no longer matches the files"
    assert {(name, command) for name, command in named if command not in commands} == set()


def test_every_variable_in_the_environment_file_is_read() -> None:
    read = variables_read()
    assert {"SECRET_KEY", "WEB_WORKERS", "PROMETHEUS_MULTIPROC_DIR"} <= read  # the scan itself works
    # compose.yaml reads a few itself (`${POSTGRES_PASSWORD:?…}`), from the same file.
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    assert interpolated == {"POSTGRES_PASSWORD", "COALITION_IMAGE"}
    assert set(env_example()) - read - interpolated == set()


def test_the_environment_file_sets_what_production_requires() -> None:
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    set_uncommented = {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}
    assert set_uncommented >= REQUIRED
    assert env_example()["DJANGO_ENV"] == "production"
    assert int(env_example()["MAX_REQUEST_BYTES"]) == settings.COALITION_MAX_REQUEST_BYTES


@pytest.mark.parametrize("service", SERVICES)
def test_the_systemd_units_hold_what_the_manual_says(service: str) -> None:
    parsed = unit(f"{service}.service")
    main = parsed["Service"]
    assert main["User"] == "coalition"
    assert main["WorkingDirectory"] == "/srv/coalition"
    assert main["EnvironmentFile"] == "/etc/coalition/env"
    assert main["ExecStart"].startswith("/srv/coalition/.venv/bin/")
    assert main["Restart"] == "on-failure"
    assert main["KillSignal"] == "SIGTERM"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ReadWritePaths": "/srv/coalition/var",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert main[key] == value, key
    assert parsed["Unit"]["PartOf"] == "coalition.target"
    assert parsed["Install"]["WantedBy"] == "coalition.target"
    # Every variable a unit sets is one something reads.
    for assignment in re.findall(r"^Environment=(.*)$", (UNITS / f"{service}.service").read_text(), re.MULTILINE):
        names = {pair.split("=", 1)[0] for pair in assignment.split()}
        assert names - variables_read() - READ_ELSEWHERE == set()


def test_stop_timeouts_leave_room_for_a_graceful_stop() -> None:
    gunicorn = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    web = seconds(unit("coalition-web.service")["Service"]["TimeoutStopSec"])
    worker = seconds(unit("coalition-worker.service")["Service"]["TimeoutStopSec"])
    assert web > gunicorn["graceful_timeout"]
    assert worker > limits.MAX_TASK_CPU_SECONDS
    services = compose()["services"]
    assert seconds(services["web"]["stop_grace_period"]) > gunicorn["graceful_timeout"]
    assert seconds(services["worker"]["stop_grace_period"]) > limits.MAX_TASK_CPU_SECONDS


def test_the_web_unit_runs_gunicorn_with_its_config() -> None:
    service = unit("coalition-web.service")["Service"]
    assert service["ExecStart"].endswith("gunicorn -c config/gunicorn.py config.wsgi")
    assert service["Type"] == "notify"  # gunicorn's arbiter sends READY=1


def test_web_and_worker_share_the_metrics_folder() -> None:
    for service in ("coalition-web", "coalition-worker"):
        text = (UNITS / f"{service}.service").read_text()
        assert "Environment=PROMETHEUS_MULTIPROC_DIR=/run/coalition/metrics" in text, service
        assert unit(f"{service}.service")["Service"]["RuntimeDirectory"] == "coalition/metrics", service
        assert unit(f"{service}.service")["Service"]["RuntimeDirectoryPreserve"] == "yes", service


def test_the_compose_file_runs_the_five_services_from_one_image() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "scheduler", "migrate"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    roles = set(re.findall(r"^    ([a-z]+)\)$", (ROOT / "deploy" / "docker" / "entrypoint.sh").read_text(), re.M))
    read = variables_read()
    for name in ("migrate", "web", "worker", "scheduler"):
        service = services[name]
        assert service["command"][0] in roles, name
        assert service["env_file"] == ".env"
        assert "var:/srv/coalition/var" in service["volumes"]
        assert set(service["environment"]) - read == set(), name
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "deploy" not in services["scheduler"]  # exactly one: never replicated


def test_the_image_installs_only_production_dependencies_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-default-groups" in dockerfile
    assert re.search(r"^USER coalition$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile
    entrypoint = ROOT / "deploy" / "docker" / "entrypoint.sh"
    assert 'ENTRYPOINT ["deploy/docker/entrypoint.sh"]' in dockerfile
    assert entrypoint.stat().st_mode & 0o111, "the entrypoint must be executable"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".env", ".git"} <= set(ignored)


def test_the_proxy_allows_the_bodies_the_platform_allows() -> None:
    conf = (ROOT / "deploy" / "nginx" / "coalition.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size[1]) * 1024 * 1024 == settings.COALITION_MAX_REQUEST_BYTES
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    metrics = re.search(r"location = /metrics \{(.*?)\}", conf, re.S)
    assert metrics and "deny all;" in metrics[1]
