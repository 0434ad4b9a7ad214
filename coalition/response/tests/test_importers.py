"""Signal importers: the real formats in ../shared/data (marked realdata), and bad input refused whole."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.services import load_countries
from coalition.response.importers import OONI_PLATFORM_TESTS, detect_source, import_file
from coalition.response.models import ImportBatch, Signal, SignalKind
from coalition.response.tests.workbooks import (
    LAYOUT_2016_2018,
    LAYOUT_2019,
    LAYOUT_2020,
    STOP_2020_COLUMNS,
    event_2019,
    event_2020,
    old_event,
    raw_workbook,
    serial,
    stop_event,
    stop_workbook,
    stop_workbook_of,
)

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "shutdowns"
STOP_SHEETS = ["stop_2016_2017_2018.csv", "stop_2019.csv", "stop_2020_data.csv", "stop_2021_data.csv"]

HEADER_2020 = (
    "start_date_type,start_date,country,geo_scope,area_name,shutdown_type,affected_network,shutdown_extent,"
    "ordered_by,info_source_link,shutdown_status,end_date,an_link"
)


@pytest.fixture
def importer(db: Any, make_user: Callable[..., Any]) -> Any:
    load_countries()
    return make_user(Role.SUPPORT_UNIT)


def stop_csv(*rows: str, header: str = HEADER_2020) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def stop_row(
    start: str = "2021-03-01", country: str = "India", end: str = "2021-03-02", kind: str = "Shutdown", area: str = "A"
) -> str:
    return f"Actual,{start},{country},Local,{area},{kind},Mobile,Full network,Executive,https://example.org/{area},Ended,{end},"


def counts() -> tuple[int, int]:
    return Signal.objects.count(), ImportBatch.objects.count()


def refused(by: Any, *, source: str, data: bytes, file_name: str = "f.csv", **kwargs: Any) -> str:
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        import_file(by=by, source=source, file_name=file_name, data=data, **kwargs)
    assert counts() == before
    return caught.value.message


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def xlsx_from_csv(path: Path, *, dates_as: str) -> bytes:
    """The sheet as a workbook, its date columns as Excel serial numbers or as date cells."""
    import openpyxl

    header, rows = csv_rows(path)
    date_columns = {i for i, name in enumerate(header) if name.strip() in ("start_date", "end_date")}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for i, value in enumerate(row):
            if i in date_columns and len(value) == 10 and value[4] == "-":
                day = dt.date.fromisoformat(value)
                cells.append(
                    (day - dt.date(1899, 12, 30)).days if dates_as == "serial" else dt.datetime(*day.timetuple()[:3])
                )
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- real data -------------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_every_stop_sheet_imports_its_rows_less_the_reported_skips_and_again_changes_nothing(importer: Any) -> None:
    batches = {}
    for name in STOP_SHEETS:
        path = DATA / "accessnow-stop" / name
        batches[name] = import_file(by=importer, source="auto", file_name=name, data=path.read_bytes())
    for name, batch in batches.items():
        header, rows = csv_rows(DATA / "accessnow-stop" / name)
        skipped_rows = {skip["row"] for skip in batch.skipped}
        if name == "stop_2016_2017_2018.csv":  # one sheet, three dataset years from its `year` column
            year_column = header.index("year")
            expected = Counter(
                int(float(row[year_column])) for number, row in enumerate(rows, start=2) if number not in skipped_rows
            )
        else:
            expected = Counter({int(name[5:9]): len(rows) - len(batch.skipped)})
        # The 2021 sheet repeats, word for word, events the 2020 sheet lists: those are the 2020 sheet's signals.
        repeated = batch.unchanged
        for year, count in expected.items():
            assert Signal.objects.filter(batch=batch, dataset_year=year).count() == count - repeated, (name, year)
        assert batch.created == len(rows) - len(batch.skipped) - repeated
        assert repeated == (7 if name == "stop_2021_data.csv" else 0)
    reasons = [skip["reason"] for skip in batches["stop_2020_data.csv"].skipped]
    assert "same event as row 158" in reasons
    assert sum("is before start date" in reason for reason in reasons) == 3
    total = Signal.objects.count()
    for name in STOP_SHEETS:
        again = import_file(
            by=importer, source="stop", file_name=name, data=(DATA / "accessnow-stop" / name).read_bytes()
        )
        assert again.created == 0
        assert again.unchanged == batches[name].created + batches[name].unchanged
        assert again.skipped == batches[name].skipped
    assert Signal.objects.count() == total


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_stop_kinds_follow_the_sheets_own_columns(importer: Any) -> None:
    for name in reversed(STOP_SHEETS):  # the 2021 sheet first: the events it shares with 2020's are then all its own
        import_file(by=importer, source="stop", file_name=name, data=(DATA / "accessnow-stop" / name).read_bytes())
    kinds = Counter(Signal.objects.filter(dataset_year=2021).values_list("kind", flat=True))
    header, rows = csv_rows(DATA / "accessnow-stop" / "stop_2021_data.csv")
    kind, extent = header.index("shutdown_type"), header.index("shutdown_extent")
    assert kinds[SignalKind.THROTTLING] == sum(1 for row in rows if row[kind] == "Throttle")
    assert kinds[SignalKind.PLATFORM_BLOCK] == sum(
        1 for row in rows if "Shutdown" in row[kind] and row[extent] == "Service-based"
    )
    myanmar = Signal.objects.filter(starts_at__year=2020, country__code="MM").first()
    assert myanmar is not None and myanmar.evidence_url.startswith("https://")


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
@pytest.mark.parametrize(("sheet", "dates_as"), [("stop_2019.csv", "serial"), ("stop_2020_data.csv", "datetime")])
def test_a_stop_workbook_gives_the_same_signals_as_its_csv(importer: Any, sheet: str, dates_as: str) -> None:
    # The CSV is imported inside a transaction that is rolled back, so the workbook meets the same empty table and
    # the same external ids (the dataset year and each row's id or hash) without colliding with the CSV's.
    path = DATA / "accessnow-stop" / sheet

    class RollBack(Exception):
        pass

    with pytest.raises(RollBack), transaction.atomic():
        from_csv = import_file(by=importer, source="stop", file_name=sheet, data=path.read_bytes())
        csv_signals = set(Signal.objects.values_list("external_id", "kind", "country__code", "starts_at", "ends_at"))
        raise RollBack
    workbook = xlsx_from_csv(path, dates_as=dates_as)
    assert detect_source(sheet.replace(".csv", ".xlsx"), workbook) == "stop"
    from_xlsx = import_file(by=importer, source="auto", file_name=sheet.replace(".csv", ".xlsx"), data=workbook)
    assert (from_xlsx.created, from_xlsx.skipped) == (from_csv.created, from_csv.skipped)
    assert (
        set(Signal.objects.values_list("external_id", "kind", "country__code", "starts_at", "ends_at")) == csv_signals
    )


def ooni_bodies() -> list[Path]:
    return sorted((DATA / "ooni" / "unwrapped").glob("*full-true*.json"))


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_ooni_measurements_with_anomalies_in_platform_tests_become_platform_blocks(importer: Any) -> None:
    expected: set[str] = set()
    for path in ooni_bodies():
        body = json.loads(path.read_text())
        if (body["anomaly"] or body["confirmed"]) and not body["failure"] and body["test_name"] in OONI_PLATFORM_TESTS:
            expected.add(body["measurement_uid"])
        batch = import_file(by=importer, source="auto", file_name=path.name, data=path.read_bytes())
        assert batch.source == "ooni"
        assert batch.created + batch.unchanged + len(batch.skipped) == 1
    assert expected  # the samples hold some
    assert set(Signal.objects.values_list("external_id", flat=True)) == expected
    signal = Signal.objects.get(external_id="01202003039e13e3e38be1918d3a64c2ec27ea22")
    assert (signal.kind, signal.country.code, signal.asn) == (SignalKind.PLATFORM_BLOCK, "RU", 42668)
    assert signal.evidence_url == "https://explorer.ooni.org/m/01202003039e13e3e38be1918d3a64c2ec27ea22"


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_the_stored_http_fixtures_and_search_listings_import_like_the_bodies(importer: Any) -> None:
    for path in sorted((DATA / "ooni" / "measurement_meta").glob("*.json")):
        import_file(by=importer, source="ooni", file_name=path.name, data=path.read_bytes())
    from_fixtures = set(Signal.objects.values_list("external_id", flat=True))
    for path in ooni_bodies():
        batch = import_file(by=importer, source="ooni", file_name=path.name, data=path.read_bytes())
        assert batch.created == 0
    assert set(Signal.objects.values_list("external_id", flat=True)) == from_fixtures
    for path in sorted((DATA / "ooni" / "search").glob("*.json")):
        results = json.loads(json.loads(path.read_text())["body"])["results"]
        batch = import_file(by=importer, source="auto", file_name=path.name, data=path.read_bytes())
        anomalous = {
            r["measurement_uid"]
            for r in results
            if (r["anomaly"] or r["confirmed"]) and r["test_name"] in OONI_PLATFORM_TESTS and r["probe_cc"] != "ZZ"
        }
        assert batch.created + batch.unchanged == len(anomalous)
        assert batch.created + batch.unchanged + len(batch.skipped) == len(results)


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_the_global_ooni_aggregation_needs_a_country_and_then_gives_one_signal_per_day_over_threshold(
    importer: Any,
) -> None:
    path = next((DATA / "ooni" / "unwrapped").glob("aggregation*.json"))
    days = json.loads(path.read_text())["result"]
    without = import_file(by=importer, source="auto", file_name=path.name, data=path.read_bytes())
    assert (without.created, len(without.skipped)) == (0, len(days))
    assert "no country" in without.skipped[0]["reason"]
    over = [d for d in days if d["confirmed_count"] >= 1 or d["anomaly_count"] / d["measurement_count"] >= 0.3]
    batch = import_file(by=importer, source="ooni", file_name=path.name, data=path.read_bytes(), country="IR")
    assert batch.created == len(over)
    signal = Signal.objects.order_by("starts_at").first()
    assert signal is not None and signal.details["test_name"] == "web_connectivity"


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_ioda_latency_series_of_an_asn_are_reported_not_imported(importer: Any) -> None:
    for path in sorted((DATA / "ioda").glob("*.json")):
        series = [s for group in json.loads(path.read_text())["data"] for s in group]
        batch = import_file(by=importer, source="auto", file_name=path.name, data=path.read_bytes())
        assert batch.source == "ioda"
        assert (batch.created, len(batch.skipped)) == (0, len(series))
        assert "not reachability" in batch.skipped[0]["reason"]


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_cloudflare_annotations_give_one_signal_per_location(importer: Any) -> None:
    path = next((DATA / "cloudflare-radar").glob("*.json"))
    annotations = json.loads(path.read_text())["result"]["annotations"]
    batch = import_file(by=importer, source="auto", file_name=path.name, data=path.read_bytes())
    assert batch.created == sum(len(a["locations"]) for a in annotations)
    ukraine = Signal.objects.get(country__code="UA")
    assert (ukraine.kind, ukraine.ends_at, ukraine.region) == (SignalKind.OUTAGE, None, "Multiple regions/cities")


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
@pytest.mark.parametrize(
    "relative",
    ["cloudflare-radar/radar_annotations_outages_example_2022.json", "ooni/unwrapped/measurement_uid-"
     "20221110104928.397322_IR_httpheaderfieldmanipulation_33ed804ee27d4955_full-true.json"],
)  # fmt: skip
def test_a_real_body_cut_in_half_is_refused(importer: Any, relative: str) -> None:
    data = (DATA / relative).read_bytes()
    message = refused(importer, source="auto", data=data[: len(data) // 2], file_name="cut.json")
    assert "cannot be read at line" in message


# --- synthetic files (run everywhere) --------------------------------------------------------------------------


def test_a_stop_sheet_imports_and_a_second_import_is_a_recorded_no_op(importer: Any) -> None:
    data = stop_csv(stop_row(area="A"), stop_row(area="B", kind="Throttle"), stop_row(area="A"), ",,,,,,,,,,,,")
    batch = import_file(by=importer, source="auto", file_name="stop_2021_data.csv", data=data)
    assert (batch.created, batch.unchanged) == (2, 0)
    assert batch.skipped == [{"row": 4, "reason": "same event as row 2"}]
    throttle = Signal.objects.get(region="B")
    assert (throttle.kind, throttle.dataset_year, throttle.country.code) == (SignalKind.THROTTLING, 2021, "IN")
    assert throttle.starts_at == dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
    assert throttle.ends_at == dt.datetime(2021, 3, 3, tzinfo=dt.UTC)  # the whole end day
    again = import_file(by=importer, source="stop", file_name="stop_2021_data.csv", data=data)
    assert (again.created, again.unchanged, again.sha256) == (0, 2, batch.sha256)
    assert Signal.objects.count() == 2
    assert AuditEvent.objects.filter(action="response.signals_imported").count() == 2


def test_stop_rows_without_start_date_or_with_an_end_in_words_are_handled(importer: Any) -> None:
    data = stop_csv(stop_row(start="", area="A"), stop_row(end="ongoing", area="B"))
    batch = import_file(by=importer, source="stop", file_name="stop_2021_data.csv", data=data)
    assert batch.skipped == [{"row": 2, "reason": "no start date in the sheet"}]
    signal = Signal.objects.get()
    assert (signal.ends_at, signal.details["end_note"]) == (None, "ongoing")


def test_common_country_variants_resolve(importer: Any) -> None:
    names = ["Democratic Republic of the Congo", "Iran", "Russia", "Syria", "Venezuela", "Tanzania",
             "\"Côte d'Ivoire\"", "Myanmar (Burma)", "India  "]  # fmt: skip
    data = stop_csv(*(stop_row(country=name, area=str(i)) for i, name in enumerate(names)))
    import_file(by=importer, source="stop", file_name="stop_2021.csv", data=data)
    codes = set(Signal.objects.values_list("country__code", flat=True))
    assert codes == {"CD", "IR", "RU", "SY", "VE", "TZ", "CI", "MM", "IN"}


def test_a_stop_sheet_with_a_renamed_column_is_refused_naming_it(importer: Any) -> None:
    data = stop_csv(stop_row(), header=HEADER_2020.replace(",start_date,", ",begin,"))
    message = refused(importer, source="stop", data=data, file_name="stop_2021.csv")
    assert "'start_date'" in message and "2016–2018" in message


def test_a_stop_sheet_with_a_missing_column_is_refused_naming_it(importer: Any) -> None:
    header = HEADER_2020.replace(",country,", ",")
    row = stop_row().replace(",India,", ",")
    message = refused(importer, source="stop", data=stop_csv(row, header=header), file_name="stop_2021.csv")
    assert "'country'" in message


def test_a_row_dated_in_the_future_refuses_the_whole_file(importer: Any) -> None:
    data = stop_csv(stop_row(area="A"), stop_row(start="2031-01-01", end="2031-01-02", area="B"))
    message = refused(importer, source="stop", data=data, file_name="stop_2021.csv")
    assert "row 3: start date 2031-01-01 is in the future" in message


@pytest.mark.parametrize("name", ["Atlantis", "XX"])
def test_an_unknown_country_name_refuses_the_stop_sheet(importer: Any, name: str) -> None:
    data = stop_csv(stop_row(area="A"), stop_row(country=name, area="B"))
    message = refused(importer, source="stop", data=data, file_name="stop_2021.csv")
    assert f"row 3: unknown country “{name}”" in message


def test_an_unknown_country_code_refuses_an_ooni_measurement(importer: Any) -> None:
    body = {"measurement_uid": "u1", "measurement_start_time": "2022-11-10T10:00:00Z", "test_name": "telegram",
            "probe_cc": "XX", "probe_asn": "AS1", "anomaly": True, "confirmed": False, "failure": False}  # fmt: skip
    message = refused(importer, source="auto", data=json.dumps(body).encode(), file_name="m.json")
    assert "row 1: unknown country code “XX”" in message


def test_an_unparseable_start_date_refuses_the_file(importer: Any) -> None:
    message = refused(importer, source="stop", data=stop_csv(stop_row(start="yesterday")), file_name="stop_2021.csv")
    assert "row 2: start_date “yesterday” is not a date" in message


def test_a_bare_year_in_a_numeric_date_cell_is_refused_naming_the_row_and_column(importer: Any) -> None:
    data = stop_workbook(stop_event(serial(dt.date(2021, 3, 1)), serial(dt.date(2021, 3, 2))), stop_event(2022, 2022))
    message = refused(importer, source="stop", data=data, file_name="stop_2022.xlsx")
    assert "1 row of the file has an error" in message
    assert "row 3: start_date 2022 is a number, not a plausible Excel date (as a serial day it is 1905-07-14" in message
    assert "row 3: end_date 2022 is a number" in message


@pytest.mark.parametrize(
    ("cell", "shown"),
    [(serial(dt.date(1998, 7, 24)), "1998-07-24"), (serial(dt.date(2173, 1, 1)), "2173-01-01"), (-5, "not an Excel")],
)
def test_a_numeric_date_cell_before_2000_or_far_in_the_future_is_refused(importer: Any, cell: int, shown: str) -> None:
    message = refused(importer, source="stop", data=stop_workbook(stop_event(cell, "")), file_name="stop_2021.xlsx")
    assert f"row 2: start_date {cell} is a number" in message and shown in message


def test_a_date_cell_before_2000_is_refused(importer: Any) -> None:
    data = stop_workbook(stop_event(dt.datetime(1995, 3, 1), dt.datetime(1995, 3, 2)))
    message = refused(importer, source="stop", data=data, file_name="stop_2021.xlsx")
    assert "row 2: start_date 1995-03-01 is before 2000-01-01" in message


def test_us_month_day_dates_are_read_where_the_column_says_so(importer: Any) -> None:
    header = ("start_date (mm/dd/yyyy)", "End_Date (MM/DD/YYYY)", *STOP_2020_COLUMNS[2:])
    data = stop_workbook(
        stop_event("3/15/2021", "03/16/2021", area="A"),
        stop_event(serial(dt.date(2021, 4, 1)), dt.datetime(2021, 4, 2), area="B"),  # number and date cells still read
        header=header,
    )
    import_file(by=importer, source="stop", file_name="stop_2021.xlsx", data=data)
    read = dict(Signal.objects.values_list("region", "starts_at"))
    assert read == {"A": dt.datetime(2021, 3, 15, tzinfo=dt.UTC), "B": dt.datetime(2021, 4, 1, tzinfo=dt.UTC)}
    assert Signal.objects.get(region="A").ends_at == dt.datetime(2021, 3, 17, tzinfo=dt.UTC)


def test_a_slashed_date_the_column_does_not_explain_is_refused_naming_the_expected_format(importer: Any) -> None:
    message = refused(importer, source="stop", data=stop_csv(stop_row(start="03/05/2021")), file_name="stop_2021.csv")
    assert "row 2: start_date “03/05/2021” is not a date" in message
    assert "expected YYYY-MM-DD, or month/day/year under a column headed “start_date (mm/dd/yyyy)”" in message


def test_a_day_that_cannot_be_month_first_is_refused_naming_the_columns_format(importer: Any) -> None:
    header = ("start_date (mm/dd/yyyy)", *STOP_2020_COLUMNS[1:])
    data = stop_workbook(stop_event("15/03/2021", ""), header=header)
    message = refused(importer, source="stop", data=data, file_name="stop_2021.xlsx")
    assert "row 2: start_date “15/03/2021” is not a date in the column's format mm/dd/yyyy" in message


def test_an_end_before_the_start_refuses_an_api_file(importer: Any) -> None:
    annotation = {"startDate": "2022-10-25T00:00:00Z", "endDate": "2022-10-20T00:00:00Z", "locations": ["UA"],
                  "asns": [], "eventType": "OUTAGE", "outage": {"outageCause": "GOVERNMENT_DIRECTED"}}  # fmt: skip
    data = json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()
    message = refused(importer, source="cloudflare", data=data, file_name="radar.json")
    assert "row 1: end 2022-10-20 00:00 is before start 2022-10-25 00:00" in message


def test_an_end_before_the_start_in_a_hand_kept_stop_sheet_is_a_reported_skip(importer: Any) -> None:
    data = stop_csv(stop_row(area="A"), stop_row(start="2020-02-18", end="2020-02-12", area="B"))
    batch = import_file(by=importer, source="stop", file_name="stop_2021.csv", data=data)
    assert batch.created == 1
    assert batch.skipped == [{"row": 3, "reason": "end date 2020-02-12 is before start date 2020-02-18 in the sheet"}]


def test_many_bad_rows_are_listed_up_to_twenty_with_the_total(importer: Any) -> None:
    data = stop_csv(*(stop_row(country="Atlantis", area=str(i)) for i in range(25)))
    message = refused(importer, source="stop", data=data, file_name="stop_2021.csv")
    assert "25 rows of the file have errors" in message and "… and 5 more." in message


@pytest.mark.parametrize(
    ("data", "source", "expected"),
    [
        (b'{"results": [{"measurement_uid": "a", "anomaly": tr', "auto", "(the file seems truncated)"),
        (b'{"success": true, "result": {"annotations": [{"startDate": "2022-', "cloudflare", "cannot be read at line"),
        (b"", "auto", "The file is empty."),
        (b"\x00\x01\x02\xff" * 100, "auto", "binary"),
        (b"\x00\x01\x02\xff" * 100, "stop", "binary"),
        (b"PK\x03\x04 not really a workbook", "stop", "not an Excel workbook"),
        (b"hello, world\n1, 2\n", "auto", "Cannot tell the format"),
        (b'{"type": "signals", "data": [[{"entityType": "country"', "ioda", "cannot be read at line"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    importer: Any, data: bytes, source: str, expected: str
) -> None:
    assert expected in refused(importer, source=source, data=data, file_name="upload.bin")


def test_a_file_over_the_size_limit_is_refused(importer: Any, settings: Any) -> None:
    settings.RESPONSE_MAX_FILE_BYTES = 100
    message = refused(importer, source="stop", data=stop_csv(stop_row(), stop_row(area="B")), file_name="s.csv")
    assert "MB" in message


def test_ioda_country_series_gives_an_outage_per_drop_and_asns_use_the_given_country(importer: Any) -> None:
    def series(entity_type: str, code: str) -> dict[str, Any]:
        return {"entityType": entity_type, "entityCode": code, "entityName": code,
                "entityFqid": f"{entity_type}.{code}", "datasource": "bgp", "from": 1_700_000_000,
                "until": 1_700_003_000, "step": 300,
                "values": [100, 101, 99, 20, 10, 100, 98, None, 100, 102]}  # fmt: skip

    data = json.dumps({"type": "signals", "error": None, "data": [[series("country", "IR"), series("asn", "12880")]]})
    batch = import_file(by=importer, source="auto", file_name="ioda.json", data=data.encode())
    assert batch.created == 1 and "asn entity has no country" in batch.skipped[0]["reason"]
    signal = Signal.objects.get()
    assert signal.starts_at == dt.datetime.fromtimestamp(1_700_000_900, tz=dt.UTC)
    assert signal.ends_at == dt.datetime.fromtimestamp(1_700_001_500, tz=dt.UTC)
    with_country = import_file(by=importer, source="ioda", file_name="ioda.json", data=data.encode(), country="IR")
    assert (with_country.created, with_country.unchanged) == (1, 1)
    assert Signal.objects.get(asn=12880).kind == SignalKind.OUTAGE


def test_a_government_directed_radar_outage_is_a_full_shutdown_in_each_location(importer: Any) -> None:
    annotation = {"id": "42", "startDate": "2024-01-01T00:00:00Z", "endDate": None, "locations": ["IR", "IQ"],
                  "asns": [], "eventType": "OUTAGE", "linkedUrl": "https://example.org/x",
                  "outage": {"outageCause": "GOVERNMENT_DIRECTED", "outageType": "NATIONWIDE"}}  # fmt: skip
    data = json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()
    import_file(by=importer, source="auto", file_name="radar.json", data=data)
    assert set(Signal.objects.values_list("external_id", "kind")) == {
        ("42:IR", SignalKind.FULL_SHUTDOWN),
        ("42:IQ", SignalKind.FULL_SHUTDOWN),
    }


@pytest.mark.parametrize("role", [Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.OBSERVER,
                                  Role.ADVISORY_NETWORK, Role.GUEST, None])  # fmt: skip
def test_only_the_support_unit_imports_signals(db: Any, make_user: Callable[..., Any], role: Role | None) -> None:
    load_countries()
    with pytest.raises(AccessDenied):
        import_file(by=make_user(role), source="stop", file_name="stop_2021.csv", data=stop_csv(stop_row()))
    assert counts() == (0, 0)


def test_the_command_prints_what_each_file_did(importer: Any, tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "stop_2021_data.csv"
    good.write_bytes(stop_csv(stop_row(area="A"), stop_row(start="", area="B")))
    bad = tmp_path / "cut.json"
    bad.write_bytes(b'{"results": [')
    with pytest.raises(Exception, match="1 of 2 files not imported"):
        call_command("import_signals", str(good), str(bad), "--as", importer.email)
    out, err = capsys.readouterr()
    assert "1 created, 0 unchanged, 1 skipped" in out and "row 3: no start date in the sheet" in out
    assert "cut.json: not imported" in err


def test_an_ioda_series_of_days_is_read_by_the_seasonal_detector(importer: Any) -> None:
    """Three days of active probing at 5-minute bins, with a daily cycle and a three-hour outage on the third day:
    one outage, found where it was planted, by the same detector the benchmark measures."""
    bins_per_day, start = 288, 1_700_006_400
    values: list[float] = []
    for day in range(3):
        for b in range(bins_per_day):
            level = 1000 + 400 * math.sin(2 * math.pi * b / bins_per_day)
            values.append(level * 0.05 if day == 2 and 120 <= b < 156 else level)
    item = {"entityType": "country", "entityCode": "IR", "entityName": "Iran", "entityFqid": "country.IR",
            "datasource": "ping-slash24", "from": start, "until": start + 3 * 86_400, "step": 300,
            "values": values}  # fmt: skip
    data = json.dumps({"type": "signals", "error": None, "data": [[item]]}).encode()
    assert import_file(by=importer, source="ioda", file_name="ioda-ir.json", data=data).created == 1
    signal = Signal.objects.get()
    assert signal.starts_at == dt.datetime.fromtimestamp(start + (2 * bins_per_day + 120) * 300, tz=dt.UTC)
    assert signal.ends_at == dt.datetime.fromtimestamp(start + (2 * bins_per_day + 156) * 300, tz=dt.UTC)


def test_a_dataset_year_the_rows_do_not_start_in_is_refused_naming_the_field(importer: Any) -> None:
    """Issue 15 item 3: the same 2021 sheet given by hand as 2019, 2020 and 2022 was three more copies of it."""
    data = stop_csv(stop_row(area="A"), stop_row(start="2020-12-30", area="B"))
    for wrong in (2019, 2020, 2022):
        before = counts()
        with pytest.raises(InvalidInput) as caught:
            import_file(by=importer, source="stop", file_name="upload.csv", data=data, dataset_year=wrong)
        assert counts() == before
        assert caught.value.field == "dataset_year"
        assert f"{wrong}" in caught.value.message and "2021" in caught.value.message
    batch = import_file(by=importer, source="stop", file_name="upload.csv", data=data, dataset_year=2021)
    assert (batch.created, set(Signal.objects.values_list("dataset_year", flat=True))) == (2, {2021})


def test_an_event_listed_in_two_years_sheets_is_one_signal(importer: Any) -> None:
    """Issue 15 item 3: a STOP event's identity is its own content, not the year its sheet was given."""
    ongoing = stop_row(start="2020-12-30", end="ongoing", area="B")
    import_file(by=importer, source="stop", file_name="upload.csv", data=stop_csv(ongoing), dataset_year=2020)
    both = stop_csv(stop_row(area="A"), ongoing)
    later = import_file(by=importer, source="stop", file_name="upload.csv", data=both, dataset_year=2021)
    assert (later.created, later.unchanged) == (1, 1)
    assert Signal.objects.filter(region="B").count() == 1


# --- workbooks of several sheets (issue 15 item 2) -------------------------------------------------------------


def test_every_sheet_of_a_stop_workbook_with_a_stop_header_is_read_in_its_layout_and_year(importer: Any) -> None:
    """Issue 15 item 2: the raw workbook was read from its first sheet only (here the notes), silently."""
    batch = import_file(by=importer, source="auto", file_name="Keepiton_raw_dataset.xlsx", data=raw_workbook())
    read = set(Signal.objects.values_list("country__code", "dataset_year", "kind", "starts_at__date"))
    assert read == {
        ("IN", 2016, SignalKind.FULL_SHUTDOWN, dt.date(2016, 1, 26)),
        ("MA", 2018, SignalKind.PLATFORM_BLOCK, dt.date(2018, 4, 2)),
        ("TD", 2019, SignalKind.PLATFORM_BLOCK, dt.date(2018, 3, 28)),
        ("ZW", 2019, SignalKind.FULL_SHUTDOWN, dt.date(2019, 1, 15)),
        ("IN", 2020, SignalKind.FULL_SHUTDOWN, dt.date(2020, 8, 5)),
        ("IN", 2020, SignalKind.FULL_SHUTDOWN, dt.date(2020, 2, 1)),
        ("IN", 2021, SignalKind.FULL_SHUTDOWN, dt.date(2021, 1, 4)),
    }
    assert (batch.created, batch.unchanged) == (7, 0)
    assert batch.skipped == [
        {
            "sheet": "Read me",
            "reason": "no STOP header (its first row reads “#KeepItOn STOP data: notes on the method”)",
        },
        {"sheet": "2019", "row": 4, "reason": "no start date in the sheet"},
        {"sheet": "Summary", "reason": "no STOP header (its first row reads “country | shutdowns”)"},
        {"sheet": "2021 Data", "row": 2, "reason": "same event as sheet “2020 Data”, row 2"},
        {"sheet": "Sheet1", "reason": "empty: no header row and no events"},
    ]
    again = import_file(by=importer, source="stop", file_name="Keepiton_raw_dataset.xlsx", data=raw_workbook())
    assert (again.created, again.unchanged, again.skipped) == (0, 7, batch.skipped)


def test_a_bad_row_in_any_sheet_refuses_the_whole_workbook_naming_the_sheet_and_row(importer: Any) -> None:
    bad = raw_workbook({"2019": [LAYOUT_2019, event_2019(1, dt.datetime(2019, 1, 15), "Atlantis")]})
    message = refused(importer, source="stop", data=bad, file_name="Keepiton_raw_dataset.xlsx")
    assert "sheet “2019”, row 2: unknown country “Atlantis”" in message


def test_two_sheets_of_one_layout_may_not_number_two_events_alike(importer: Any) -> None:
    data = raw_workbook({"2017 ": [LAYOUT_2016_2018, old_event(2017, dt.datetime(2017, 5, 1), "", "India",
                                                                       "Full network", 2)]})  # fmt: skip
    message = refused(importer, source="stop", data=data, file_name="Keepiton_raw_dataset.xlsx")
    assert "sheet “2017 ”, row 2: id 2 is already used by sheet “2016+2017+2018 ”, row 3" in message


def test_the_workbook_s_sheets_say_their_years_so_a_dataset_year_is_refused_and_so_is_a_wrong_sheet_name(
    importer: Any,
) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        import_file(by=importer, source="stop", file_name="raw.xlsx", data=raw_workbook(), dataset_year=2020)
    assert caught.value.field == "dataset_year" and "holds 4 STOP sheets" in caught.value.message
    misnamed = raw_workbook({"2019 Data": [LAYOUT_2020, event_2020(dt.datetime(2021, 1, 4), "", "Haryana")]})
    message = refused(importer, source="stop", data=misnamed, file_name="raw.xlsx")
    assert "Sheet “2019 Data”: The sheet name's year 2019 does not match the sheet: its events start in 2021" in message
    unnamed = raw_workbook({"Data": [LAYOUT_2020, event_2020(dt.datetime(2021, 1, 4), "", "Haryana")]})
    message = refused(importer, source="stop", data=unnamed, file_name="raw.xlsx")
    assert "Sheet “Data”: Neither the sheet's name nor a “year” column says its dataset year" in message
    assert counts() == before


def test_a_single_stop_sheet_beside_notes_takes_the_year_of_the_file_name_or_the_one_given(importer: Any) -> None:
    data = stop_workbook_of({"Notes": [["Exported from the STOP tracker"]], "Data": [LAYOUT_2020, event_2020(
        dt.datetime(2021, 1, 4), dt.datetime(2021, 1, 5), "Haryana")]})  # fmt: skip
    batch = import_file(by=importer, source="stop", file_name="stop_2021.xlsx", data=data)
    assert (batch.created, Signal.objects.get().dataset_year) == (1, 2021)
    assert batch.skipped == [{"sheet": "Notes", "reason": "no STOP header (its first row reads “Exported from the STOP "
                                                          "tracker”)"}]  # fmt: skip
    assert "Sheet “Data”: Give the dataset year" in refused(importer, source="stop", data=data, file_name="x.xlsx")


def test_a_workbook_without_a_stop_sheet_is_refused_saying_what_each_sheet_is(importer: Any) -> None:
    data = stop_workbook_of({"Read me": [["Notes"]], "Sheet2": []})
    message = refused(importer, source="auto", data=data, file_name="raw.xlsx")
    assert "No sheet of the workbook has a STOP header" in message
    assert "“Read me”: no STOP header (its first row reads “Notes”)" in message and "“Sheet2”: empty" in message


@pytest.mark.realdata
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/shutdowns is not here")
def test_the_raw_workbook_of_the_real_sheets_gives_the_signals_of_its_sheets_one_by_one(importer: Any) -> None:
    """The four real sheets in one workbook, named as the raw #KeepItOn dataset names them, after a notes sheet."""
    names = {"2016+2017+2018 ": "stop_2016_2017_2018.csv", "2019": "stop_2019.csv", "2020 Data": "stop_2020_data.csv",
             "2021 Data": "stop_2021_data.csv"}  # fmt: skip

    def signals() -> set[tuple[Any, ...]]:
        return set(Signal.objects.values_list("external_id", "kind", "country__code", "starts_at", "ends_at",
                                              "dataset_year"))  # fmt: skip

    class RollBack(Exception):
        pass

    with pytest.raises(RollBack), transaction.atomic():
        for name in names.values():
            import_file(by=importer, source="stop", file_name=name, data=(DATA / "accessnow-stop" / name).read_bytes())
        one_by_one = signals()
        raise RollBack
    sheets: dict[str, list[list[Any]]] = {"Notes": [["Read-Me: STOP data methodology"]]}
    for title, name in names.items():
        header, rows = csv_rows(DATA / "accessnow-stop" / name)
        sheets[title] = [header, *rows]
    batch = import_file(by=importer, source="auto", file_name="Keepiton_raw_dataset.xlsx",
                        data=stop_workbook_of(sheets))  # fmt: skip
    assert signals() == one_by_one
    assert batch.skipped[0] == {"sheet": "Notes", "reason": "no STOP header (its first row reads “Read-Me: STOP data "
                                                            "methodology”)"}  # fmt: skip
    assert sum(skip["reason"].startswith("same event as sheet “2020 Data”") for skip in batch.skipped) == 7


# --- JSON fields of the wrong kind (issue 15 item 8) -----------------------------------------------------------


def ioda_response(values: Any) -> bytes:
    item = {"entityType": "country", "entityCode": "IR", "entityName": "Iran", "entityFqid": "country.IR",
            "datasource": "bgp", "from": 1_700_000_000, "until": 1_700_003_000, "step": 300,
            "values": values}  # fmt: skip
    return json.dumps({"type": "signals", "error": None, "data": [[item]]}).encode()


@pytest.mark.parametrize(
    ("values", "found"),
    [
        ("100,101,99,20,10,100", ", not text “100,101,99,20,10,100”"),  # was read letter by letter: "no data", skipped
        ({"1700000000": 100}, ", not an object"),
        (100, ", not the number 100"),
        ([100, 101, "20", 100], "; its item 3 is text “20”"),  # a quoted number was left out of the series unsaid
    ],
)
def test_ioda_values_that_are_not_a_list_of_numbers_are_refused_naming_the_field(
    importer: Any, values: Any, found: str
) -> None:
    message = refused(importer, source="ioda", data=ioda_response(values), file_name="ioda.json")
    assert f"row 1: Iran (bgp): “values” must be a list of numbers (null where there is no data){found}" in message


def test_ioda_values_with_nulls_where_there_is_no_data_are_read(importer: Any) -> None:
    batch = import_file(by=importer, source="ioda", file_name="ioda.json",
                        data=ioda_response([100, None, 101, 20, 10, 100]))  # fmt: skip
    assert batch.created == 1


def radar_response(**fields: Any) -> bytes:
    annotation = {"id": "7", "startDate": "2024-01-01T00:00:00Z", "endDate": None, "locations": ["IR"], "asns": [],
                  "eventType": "OUTAGE", "outage": {"outageCause": "GOVERNMENT_DIRECTED"}, **fields}  # fmt: skip
    return json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"locations": "IR"}, "“locations” must be a list of ISO 3166-1 country codes, not text “IR”"),
        ({"locations": "IR,IQ"}, "“locations” must be a list of ISO 3166-1 country codes, not text “IR,IQ”"),
        ({"locations": {"IR": 1}}, "“locations” must be a list of ISO 3166-1 country codes, not an object"),
        (
            {"locations": ["IR", 364]},
            "“locations” must be a list of ISO 3166-1 country codes; its item 2 is the number 364",
        ),
        ({"asns": "44244"}, "“asns” must be a list of AS numbers, not text “44244”"),  # was read as AS 4, 4, 2, 4, 4
    ],
)
def test_a_radar_field_of_the_wrong_kind_is_refused_naming_the_field_and_what_it_should_be(
    importer: Any, fields: dict[str, Any], expected: str
) -> None:
    """Issue 15 item 8: a `locations` string was read letter by letter ("unknown country code “I”")."""
    message = refused(importer, source="cloudflare", data=radar_response(**fields), file_name="radar.json")
    assert f"row 1: {expected}" in message
    assert "“I”" not in message


def test_radar_asns_as_numbers_or_as_text_are_read(importer: Any) -> None:
    import_file(by=importer, source="cloudflare", file_name="radar.json", data=radar_response(asns=["AS44244"]))
    assert Signal.objects.get().asn == 44244
