"""Scheduled ingestion: new files in the configured folder come in once, a refused file saves no signal and is named
and recorded so that it is not tried again, one bad file does not stop the others, and signals that corroborate each
other raise an alert. Nothing is fetched unless an address is configured."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from coalition.core import limits
from coalition.directory.models import Country
from coalition.directory.services import load_countries
from coalition.response import importers, tasks
from coalition.response.models import Alert, ImportBatch, Signal
from coalition.response.tests.workbooks import stop_event, stop_workbook, with_cut_sheet

pytestmark = pytest.mark.django_db

STOP_2019 = Path("/work/shared/data/shutdowns/accessnow-stop/stop_2019.csv")


def radar(location: str, start: dt.datetime, ident: str) -> bytes:
    annotation = {"id": ident, "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "endDate": None,
                  "locations": [location], "asns": [], "eventType": "OUTAGE", "linkedUrl": "https://example.org/a",
                  "outage": {"outageCause": "GOVERNMENT_DIRECTED", "outageType": "NATIONWIDE"}}  # fmt: skip
    return json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()


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
    today = timezone.now().date().isoformat()
    nationwide = [today, today, "Iran", "Nationwide", "Shutdown", "Mobile", "Full network", "https://example.org/ir"]
    (folder / "stop" / f"stop_{today[:4]}.xlsx").write_bytes(stop_workbook(nationwide))
    report = tasks.ingest()
    assert len(report.imported) == 2 and report.refused == []
    assert report.alerts == 1
    alert = Alert.objects.get()
    assert alert.country.code == "IR" and sorted(alert.sources) == ["cloudflare", "stop"]
    again = tasks.ingest()
    assert (again.imported, again.alerts) == ([], 0)
    assert ImportBatch.objects.count() == 2 and Signal.objects.count() == 2


def test_a_refused_file_is_named_saves_no_signal_and_is_recorded_with_its_reason(folder: Path) -> None:
    (folder / "cloudflare" / "cut.json").write_bytes(radar("IR", timezone.now(), "r1")[:40])
    (folder / "stop" / "notes.txt").write_text("not a signal file")
    report = tasks.ingest()
    assert report.imported == [] and len(report.refused) == 1 and "cut.json" in report.refused[0]
    assert Signal.objects.count() == 0
    assert ImportBatch.objects.get().refusal.startswith("The JSON cannot be read at line 1")


def test_a_cut_workbook_is_recorded_as_refused_and_does_not_stop_the_other_sources_or_the_alerts(
    folder: Path, monkeypatch: Any
) -> None:
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    Signal.objects.create(source="ioda", external_id="earlier", country=Country.objects.get(code="IR"),
                          kind="outage", starts_at=start + dt.timedelta(minutes=30))  # fmt: skip
    workbook = with_cut_sheet(stop_workbook(*(stop_event(area=f"A{i}") for i in range(20))))
    (folder / "stop" / "stop_2021.xlsx").write_bytes(workbook)  # "stop" is read before "cloudflare"
    (folder / "cloudflare" / "radar.json").write_bytes(radar("IR", start, "r1"))
    report = tasks.ingest()
    assert report.imported == ["cloudflare/radar.json: 1 new, 0 skipped"]
    assert len(report.refused) == 1 and report.refused[0].startswith("stop/stop_2021.xlsx: The workbook's sheet")
    assert report.alerts == 1 and Alert.objects.get().country.code == "IR"
    refused = ImportBatch.objects.get(source="stop")
    assert (refused.file_name, refused.created) == ("stop_2021.xlsx", 0)
    assert "XML is cut off or damaged" in refused.refusal and not refused.signals.exists()
    tried: list[str] = []
    monkeypatch.setattr(importers, "ingest_file", lambda **kwargs: tried.append(kwargs["file_name"]))
    again = tasks.ingest()
    assert (tried, again.imported, again.refused) == ([], [], [])


def test_a_file_past_the_workers_processor_time_is_refused_and_recorded(folder: Path, monkeypatch: Any) -> None:
    """Issue 16 item 7: each file the scheduled ingestion takes is held to the task worker's limits."""
    monkeypatch.setattr(limits, "MAX_TASK_CPU_SECONDS", 0.001)
    (folder / "stop" / "stop_2019.csv").write_bytes(STOP_2019.read_bytes())
    report = tasks.ingest()
    assert report.imported == [] and len(report.refused) == 1
    assert "The signal file “stop/stop_2019.csv” needed more than 0 seconds of processing" in report.refused[0]
    assert Signal.objects.count() == 0 and ImportBatch.objects.get().refusal.startswith("The signal file")


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
