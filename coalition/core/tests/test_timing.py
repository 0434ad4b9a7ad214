"""The server's own timing (`Server-Timing`) is said only when the operator turns it on, and then counts the
worker's CPU and the database's queries for the request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

TIMING = re.compile(r'^cpu;dur=(?P<cpu>\d+\.\d+), db;dur=(?P<db>\d+\.\d+);desc="(?P<queries>\d+) queries"$')


def test_no_timing_is_said_unless_turned_on(settings):
    settings.SERVER_TIMING = False
    response = Client().get("/")
    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_timing_names_the_requests_cpu_and_its_queries(settings):
    settings.SERVER_TIMING = True
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/")
    assert response.status_code == 200
    timing = TIMING.match(response["Server-Timing"])
    assert timing, response["Server-Timing"]
    assert float(timing["cpu"]) > 0
    assert int(timing["queries"]) == len(queries.captured_queries)
