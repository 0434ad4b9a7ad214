"""Scheduled ingestion: new files in the configured folder come in once, a refused file saves nothing and is named,
and signals that corroborate each other raise an alert. Nothing is fetched unless an address is configured."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from coalition.directory.services import load_countries
from coalition.response import tasks
from coalition.response.models import Alert, ImportBatch, Signal

pytestmark = pytest.mark.django_db


def radar(location: str, start: dt.datetime, ident: str) -> bytes:
    annotation = {"id": ident, "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "endDate": None,
                  "locations": [location], "asns": [], "eventType": "OUTAGE", "linkedUrl": "https://example.org/a",
                  "outage": {"outageCause": "GOVERNMENT_DIRECTED", "outageType": "NATIONWIDE"}}  # fmt: skip
    return json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()


def ooni(country: str, start: dt.datetime) -> bytes:
    return json.dumps(
        {
            "measurement_uid": f"20990101-{country}",
            "probe_cc": country,
            "probe_asn": "AS12880",
            "test_name": "whatsapp",
            "measurement_start_time": start.strftime("%Y-%m-%d %H:%M:%S"),
            "anomaly": True,
            "confirmed": False,
            "failure": False,
        }
    ).encode()


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    load_countries()
    settings.RESPONSE_INGEST_DIR = str(tmp_path)
    settings.RESPONSE_FETCH_URLS = []
    for source in ("cloudflare", "ooni", "stop"):
        (tmp_path / source).mkdir()
    return tmp_path


def test_new_files_come_in_once_and_corroborating_sources_raise_an_alert(folder: Path) -> None:
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    (folder / "cloudflare" / "radar.json").write_bytes(radar("IR", start, "r1"))
    (folder / "ooni" / "m.json").write_bytes(ooni("IR", start + dt.timedelta(minutes=30)))
    report = tasks.ingest()
    assert len(report.imported) == 2 and report.refused == []
    assert report.alerts == 1
    alert = Alert.objects.get()
    assert alert.country.code == "IR" and sorted(alert.sources) == ["cloudflare", "ooni"]
    again = tasks.ingest()
    assert (again.imported, again.alerts) == ([], 0)
    assert ImportBatch.objects.count() == 2 and Signal.objects.count() == 2


def test_a_refused_file_is_named_and_saves_nothing(folder: Path) -> None:
    (folder / "cloudflare" / "cut.json").write_bytes(radar("IR", timezone.now(), "r1")[:40])
    (folder / "stop" / "notes.txt").write_text("not a signal file")
    report = tasks.ingest()
    assert report.imported == [] and len(report.refused) == 1 and "cut.json" in report.refused[0]
    assert Signal.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_only_configured_https_addresses_are_fetched(folder: Path, settings: Any, monkeypatch: Any) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return radar("IR", timezone.now(), "r9")

    monkeypatch.setattr(tasks, "_fetch", fetch)
    tasks.ingest()
    assert fetched == []  # nothing configured: no network
    settings.RESPONSE_FETCH_URLS = ["cloudflare=http://example.org/plain", "cloudflare=https://example.org/radar"]
    report = tasks.ingest()
    assert fetched == ["https://example.org/radar"]
    assert any("http://example.org/plain" in line for line in report.refused)
    assert Signal.objects.filter(source="cloudflare").count() == 1


def test_the_command_runs_in_place_or_hands_over_to_the_worker(folder: Path, capsys: Any) -> None:
    (folder / "cloudflare" / "radar.json").write_bytes(radar("IR", timezone.now() - dt.timedelta(hours=1), "r1"))
    call_command("ingest_signals", "--now")
    assert "Imported cloudflare/radar.json" in capsys.readouterr().out
    call_command("ingest_signals")  # the test task backend runs it at once
    assert "enqueued" in capsys.readouterr().out
    assert Signal.objects.count() == 1
