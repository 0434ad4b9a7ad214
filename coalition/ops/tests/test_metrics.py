"""Prometheus metrics at /metrics: by route (the URL pattern, never the raw path), for the operator's network or
token only; task outcomes, sign-in failures and ledger appends are counted."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django_tasks import task
from prometheus_client import REGISTRY

from coalition.core import ledger
from coalition.ops import metrics

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.7"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@task()
def add(a: int, b: int) -> int:
    return a + b


def test_requests_are_counted_by_route_not_by_path():
    before = value("coalition_http_responses_total", route="healthz", status="2xx")
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/no/such/page/42").status_code == 404
    after = value("coalition_http_responses_total", route="healthz", status="2xx")
    assert after == before + 1
    text = Client().get("/metrics").content.decode()
    assert 'coalition_http_request_duration_seconds_bucket{le="0.01",method="GET",route="healthz"}' in text
    assert 'route="<unmatched>",status="4xx"' in text
    assert "/no/such/page/42" not in text


def test_metrics_are_refused_outside_the_operators_network(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404
    assert Client().get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 200


def test_metrics_are_refused_with_a_wrong_token_and_served_with_the_right_one(settings):
    settings.METRICS_TOKEN = "s3cret-token-of-the-operator"
    wrong = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 404
    # From inside the network too: a token given is a claim, and a wrong one is refused.
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 404
    right = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer s3cret-token-of-the-operator")
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain")


def test_task_outcomes_and_the_queue_depth_are_measured(settings):
    name = add.module_path
    before = value("coalition_tasks_finished_total", task=name, status="successful")
    assert add.enqueue(1, 2).return_value == 3  # the immediate backend under tests
    assert value("coalition_tasks_finished_total", task=name, status="successful") == before + 1
    assert value("coalition_task_duration_seconds_count", task=name) >= 1
    assert "coalition_task_queue_depth" not in metrics.scrape().decode()  # no queue without a worker
    settings.TASKS_BACKEND = "database"
    assert "coalition_task_queue_depth 0.0" in metrics.scrape().decode()


def test_sign_in_failures_are_counted():
    before = value("coalition_sign_in_failures_total")
    assert authenticate(None, email="nobody@example.org", password="wrong-password-here") is None
    assert value("coalition_sign_in_failures_total") == before + 1


def appends() -> float:
    line = next(line for line in metrics.scrape().decode().splitlines() if line.startswith("coalition_ledger_appends"))
    return float(line.split()[-1])


def test_ledger_appends_are_read_from_the_ledger_whichever_process_appended(django_capture_on_commit_callbacks):
    before = appends()
    with django_capture_on_commit_callbacks() as queued:
        ledger.record("test.metrics")
    assert appends() == before + 1
    assert queued == []  # nothing rides on the appending transaction (tests count what a commit sends)


def test_multiprocess_mode_adds_up_the_processes_files(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = metrics.scrape().decode()
    assert "coalition_http_responses_total" not in text  # this process counts in memory: no files to add up
    assert "python_info" not in text
