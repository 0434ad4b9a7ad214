"""The funding spreadsheet template: written, filled in as members would, read back into IATI activities.

Files are built here with openpyxl and csv; code checks read the IATI codelists from ../shared/data/iati, and the
tests that depend on them skip cleanly where that folder is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings

from coalition.donors.ingest import iati, spreadsheet
from coalition.donors.ingest.iati import (
    Budget,
    ParticipatingOrg,
    PlannedDisbursement,
    PolicyMarker,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Transaction,
)
from coalition.donors.ingest.sheet_layout import COLUMNS, RowProblem

IATI = Path(settings.BASE_DIR).parent / "shared" / "data" / "iati"
CODELISTS = IATI / "codelists"
ABSENT = pytest.mark.skipif(not CODELISTS.is_dir(), reason="../shared/data/iati is not beside the repository")
REPORTER = iati.Organisation(ref="XM-DAC-7", type="10", name="Ministry of Foreign Affairs")
HEADER = [column.header for column in COLUMNS]


def needs_codelists(test: Callable[..., None]) -> Callable[..., None]:
    """Marks a test whose outcome depends on the IATI codelists in ../shared/data (realdata)."""
    return pytest.mark.realdata(ABSENT(test))


def row(**values: Any) -> dict[str, Any]:
    """A committed funding line of one activity; keywords name columns (period_start → "Period start")."""
    line: dict[str, Any] = {
        "Identifier": "XM-DAC-7-1",
        "Title": "Internet freedom fund",
        "Funding stage": "committed",
        "Amount": "1000",
        "Currency": "EUR",
        "Period start": "2025-03-01",
    }
    line.update({name.replace("_", " ").capitalize(): value for name, value in values.items()})
    return line


def csv_file(*rows: dict[str, Any], header: list[str] = HEADER, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow(["" if values.get(name) is None else values[name] for name in header])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def xlsx_file(*rows: dict[str, Any] | None, header: list[str] = HEADER, title: str = "Funding lines") -> bytes:
    """None in `rows` leaves a blank row, as people do."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(header)
    for values in rows:
        sheet.append([None if values is None else values.get(name) for name in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, file_name: str = "funding.csv", **kwargs: Any) -> iati.Report:
    kwargs.setdefault("codelists", CODELISTS)
    return spreadsheet.read(data, file_name=file_name, reporter=REPORTER, **kwargs)


def messages(problems: list[iati.Problem]) -> list[str]:
    return [str(problem) for problem in problems]


def the_error(report: iati.Report) -> RowProblem:
    assert len(report.errors) == 1, messages(report.errors)
    problem = report.errors[0]
    assert isinstance(problem, RowProblem)
    return problem


def assert_names(problem: iati.Problem, *, row: int, column: str) -> None:
    assert isinstance(problem, RowProblem)
    assert (problem.line, problem.column) == (row, column), str(problem)
    assert str(problem).startswith(f"row {row}: ")
    assert column in str(problem)


def rewrite_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            content = source.read(member)
            archive.writestr(member.filename, change(content) if member.filename == name else content)
    return target.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# The template


EXAMPLE = iati.Activity(
    identifier="XX-EXAMPLE-1",
    line=2,
    reporting_org=REPORTER,
    default_currency="EUR",
    language="en",
    title={"en": "Example: digital security for human rights defenders"},
    descriptions={"1": {"en": "Training, secure devices and emergency support for human rights defenders online."}},
    participating_orgs=[
        ParticipatingOrg(role="1", ref="XM-DAC-7", type="10", name="Ministry of Foreign Affairs"),
        ParticipatingOrg(role="4", ref="XM-EXAMPLE-NGO", name="Example Digital Rights Network"),
    ],
    activity_status="2",
    dates={"2": dt.date(2025, 1, 1), "3": dt.date(2027, 12, 31)},
    recipient_countries=[RecipientCountry("KE", Decimal(60)), RecipientCountry("UG", Decimal(40))],
    sectors=[Sector("1", "15160", Decimal(70)), Sector("1", "22040", Decimal(30))],
    policy_markers=[PolicyMarker("1", "1", "1"), PolicyMarker("1", "3", "2")],
    budgets=[
        Budget(
            type="1",
            status="1",
            period_start=dt.date(2027, 1, 1),
            period_end=dt.date(2027, 12, 31),
            value=Decimal(300000),
            currency="EUR",
            value_date=dt.date(2027, 1, 1),
        )
    ],
    planned_disbursements=[
        PlannedDisbursement(
            type="1",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            value=Decimal(250000),
            currency="EUR",
            value_date=dt.date(2026, 1, 1),
        )
    ],
    transactions=[
        Transaction(
            ref="",
            type="2",
            date=dt.date(2025, 1, 15),
            value=Decimal(500000),
            currency="EUR",
            value_date=dt.date(2025, 1, 15),
            line=2,
        )
    ],
)


@needs_codelists
def test_the_xlsx_template_reads_back_as_its_example_activity_without_errors() -> None:
    report = read(spreadsheet.template_xlsx(), "template.xlsx")
    assert report.valid, messages(report.errors)
    assert report.version == "template-1"
    assert report.activities == [EXAMPLE]


@needs_codelists
def test_the_csv_template_reads_back_as_the_same_activity() -> None:
    data = spreadsheet.template_csv()
    assert data.startswith(b"\xef\xbb\xbf")  # so that Excel opens it as UTF-8
    report = read(data, "template.csv")
    assert report.valid, messages(report.errors)
    assert report.activities == [EXAMPLE]


def test_the_template_warns_that_its_example_rows_are_still_there() -> None:
    report = read(spreadsheet.template_csv(), "template.csv")
    assert any("example activity" in problem.message and problem.line == 2 for problem in report.warnings)


def test_the_xlsx_template_explains_every_column_and_offers_lists_for_status_and_funding_stage() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.template_xlsx()))
    assert workbook.sheetnames == ["Funding lines", "Instructions"]
    sheet = workbook["Funding lines"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"
    lists = {str(validation.sqref): validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert lists == {
        "D2:D1000": '"pipeline,implementation,finalisation,closed,cancelled,suspended"',
        "L2:L1000": '"pipeline,planned,committed,disbursed"',
    }
    explained = {row[0] for row in workbook["Instructions"].iter_rows(values_only=True)}
    assert set(HEADER) <= explained


# ---------------------------------------------------------------------------------------------------------------
# Rows into activities


def test_rows_sharing_an_identifier_make_one_activity_even_when_they_are_apart() -> None:
    report = read(
        csv_file(
            row(identifier="XM-DAC-7-1", amount="100"),
            row(identifier="XM-DAC-7-2", title="Media freedom", amount="200"),
            row(identifier="XM-DAC-7-1", title="", amount="300", period_start="2026-03-01"),
        )
    )
    assert report.valid, messages(report.errors)
    first, second = report.activities
    assert (first.identifier, first.line, first.title) == ("XM-DAC-7-1", 2, {"en": "Internet freedom fund"})
    assert [(t.value, t.date, t.line) for t in first.transactions] == [
        (Decimal(100), dt.date(2025, 3, 1), 2),
        (Decimal(300), dt.date(2026, 3, 1), 4),
    ]
    assert (second.identifier, second.title, second.line) == ("XM-DAC-7-2", {"en": "Media freedom"}, 3)


def test_activity_columns_repeated_identically_on_later_rows_are_fine() -> None:
    described = {"sectors": "15160:70; 22040:30", "recipient_countries": "KE; UG", "start_date": "2025-01-01"}
    later = {"sectors": "15160: 70 ;22040:30", "recipient_countries": "ke, ug", "start_date": "2025-01-01"}
    report = read(csv_file(row(**described), row(amount="5", **later)))
    assert report.valid, messages(report.errors)
    assert [country.code for country in report.activities[0].recipient_countries] == ["KE", "UG"]


def test_a_conflicting_value_on_a_later_row_is_an_error_naming_both_rows() -> None:
    report = read(csv_file(row(), row(amount="5"), row(title="Another title", amount="7")))
    problem = the_error(report)
    assert_names(problem, row=4, column="Title")
    assert "row 2" in problem.message and "Another title" in problem.message and problem.identifier == "XM-DAC-7-1"


def test_each_funding_stage_becomes_its_iati_element() -> None:
    report = read(
        csv_file(
            row(funding_stage="pipeline", amount="40", period_start="2027-01-01", period_end="2027-12-31"),
            row(funding_stage="Planned", amount="30", period_start="2026-01-01", period_end="2026-06-30"),
            row(funding_stage="COMMITTED", amount="20", period_start="2025-02-01"),
            row(funding_stage="disbursed", amount="10", period_start="2025-04-01"),
        )
    )
    assert report.valid, messages(report.errors)
    (activity,) = report.activities
    budget, planned = activity.budgets[0], activity.planned_disbursements[0]
    assert (budget.type, budget.status, budget.value, budget.period_end) == (
        "1",
        "1",
        Decimal(40),
        dt.date(2027, 12, 31),
    )
    assert (planned.type, planned.value, planned.period_start) == ("1", Decimal(30), dt.date(2026, 1, 1))
    assert [(t.type, t.value, t.date, t.currency) for t in activity.transactions] == [
        ("2", Decimal(20), dt.date(2025, 2, 1), "EUR"),
        ("3", Decimal(10), dt.date(2025, 4, 1), "EUR"),
    ]
    assert activity.activity_status == ""  # not all pipeline and not given
    assert any(isinstance(problem, RowProblem) and problem.column == "Status" for problem in report.warnings)


def test_an_activity_whose_lines_are_all_pipeline_is_in_the_pipeline_unless_a_status_is_given() -> None:
    pipeline = {"funding_stage": "pipeline", "period_start": "2027-01-01", "period_end": "2027-12-31"}
    report = read(csv_file(row(identifier="A", **pipeline), row(identifier="B", status="implementation", **pipeline)))
    assert report.valid, messages(report.errors)
    assert [activity.activity_status for activity in report.activities] == ["1", "2"]
    assert report.activities[0].dates == {}


@pytest.mark.parametrize(
    ("status", "dates"),
    [
        ("pipeline", {"1": dt.date(2025, 1, 1), "3": dt.date(2026, 12, 31)}),
        ("implementation", {"2": dt.date(2025, 1, 1), "3": dt.date(2026, 12, 31)}),
        ("closed", {"2": dt.date(2025, 1, 1), "4": dt.date(2026, 12, 31)}),
        ("5", {"2": dt.date(2025, 1, 1), "4": dt.date(2026, 12, 31)}),
    ],
)
def test_start_and_end_dates_are_planned_or_actual_by_status(status: str, dates: dict[str, dt.date]) -> None:
    report = read(csv_file(row(status=status, start_date="2025-01-01", end_date="2026-12-31")))
    assert report.valid, messages(report.errors)
    assert report.activities[0].dates == dates


def test_the_reporter_funds_and_the_implementers_implement() -> None:
    implementers = "XM-NGO-1|Digital Defenders Partnership; Access Now ;  Small, local NGO"
    report = read(csv_file(row(implementing_organisations=implementers)))
    assert report.activities[0].reporting_org == REPORTER
    assert report.activities[0].participating_orgs == [
        ParticipatingOrg(role="1", ref="XM-DAC-7", type="10", name="Ministry of Foreign Affairs"),
        ParticipatingOrg(role="4", ref="XM-NGO-1", name="Digital Defenders Partnership"),
        ParticipatingOrg(role="4", name="Access Now"),
        ParticipatingOrg(role="4", name="Small, local NGO"),
    ]


@needs_codelists
def test_countries_regions_sectors_and_markers_are_read_with_their_shares() -> None:
    report = read(
        csv_file(
            row(
                recipient_countries="KE:50",
                recipient_regions="289:50%",
                sectors="15160:60; 15150:40",
                policy_markers="1:2\n11:1",
            )
        )
    )
    assert report.valid, messages(report.errors)
    (activity,) = report.activities
    assert activity.recipient_countries == [RecipientCountry("KE", Decimal(50))]
    assert activity.recipient_regions == [RecipientRegion("289", "1", Decimal(50))]
    assert activity.sectors == [Sector("1", "15160", Decimal(60)), Sector("1", "15150", Decimal(40))]
    assert activity.policy_markers == [PolicyMarker("1", "1", "2"), PolicyMarker("1", "11", "1")]


def test_a_three_digit_sector_is_a_dac_category() -> None:
    report = read(csv_file(row(sectors="151; 15160")), codelists=None)
    assert report.activities[0].sectors == [Sector("2", "151"), Sector("1", "15160")]


def test_a_row_without_funding_columns_only_describes_its_activity() -> None:
    descriptive = {"Identifier": "XM-DAC-7-9", "Title": "Pipeline idea", "Description": "Line one.\n\n  Line  two."}
    report = read(csv_file(descriptive))
    assert report.valid, messages(report.errors)
    (activity,) = report.activities
    assert activity.descriptions == {"1": {"en": "Line one.\nLine two."}}
    assert (activity.budgets, activity.planned_disbursements, activity.transactions) == ([], [], [])
    assert any("no funding line" in problem.message for problem in report.warnings)


def test_identical_rows_are_both_read_with_a_warning() -> None:
    report = read(csv_file(row(), row()))
    assert report.valid
    assert len(report.activities[0].transactions) == 2
    (warning,) = [problem for problem in report.warnings if "repeats" in problem.message]
    assert warning.line == 3 and "row 2" in warning.message


# ---------------------------------------------------------------------------------------------------------------
# Bad input: every problem names its row and column, and the report is not valid


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"amount": "-5"}, "Amount", "negative"),
        ({"amount": "a lot"}, "Amount", "not a number"),
        ({"amount": "1,5"}, "Amount", "not a number"),  # a decimal comma only in a ";" CSV
        ({"amount": "12345678901234567890"}, "Amount", "beyond any real amount"),  # issue 15 item 11: 20 digits
        ({"amount": "1000000000000000"}, "Amount", "beyond any real amount"),
        ({"amount": ""}, "Amount", "missing"),
        ({"currency": ""}, "Currency", "missing"),
        ({"currency": "EURO"}, "Currency", "not an ISO 4217"),
        ({"funding_stage": "promised"}, "Funding stage", "not pipeline, planned"),
        ({"funding_stage": ""}, "Funding stage", "missing"),
        ({"period_start": ""}, "Period start", "date it was committed"),
        ({"period_start": "31/01/2025"}, "Period start", "YYYY-MM-DD"),
        ({"funding_stage": "pipeline", "period_end": ""}, "Period end", "missing"),
        (
            {"period_start": "2025-05-01", "period_end": "2025-04-30", "funding_stage": "planned"},
            "Period end",
            "before",
        ),
        ({"start_date": "2026-01-01", "end_date": "2025-12-31"}, "End date", "before Start date 2026-01-01"),
        ({"status": "ongoing"}, "Status", "not a status"),
        ({"status": "9"}, "Status", "not a status"),
        ({"recipient_countries": "KEN"}, "Recipient countries", "two-letter"),
        ({"recipient_countries": "KE:60; UG:30"}, "Recipient countries", "add up to 90"),
        ({"recipient_countries": "KE:60; UG"}, "Recipient countries", "every country, or for none"),
        ({"recipient_countries": "KE:160"}, "Recipient countries", "from 0 to 100"),
        ({"recipient_countries": "KE; KE"}, "Recipient countries", "given twice"),
        ({"recipient_regions": "Africa"}, "Recipient regions", "not an IATI region code"),
        ({"sectors": "human rights"}, "Sectors", "5-digit"),
        ({"sectors": "15160:50; 22040:40"}, "Sectors", "add up to 90"),
        ({"sectors": "15160:60; 151:40"}, "Sectors", "not both"),
        ({"policy_markers": "1"}, "Policy markers", "needs a significance"),
        ({"implementing_organisations": "XM-1|"}, "Implementing organisations", "no organisation name"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_row_and_column(values: dict[str, str], column: str, words: str) -> None:
    report = read(csv_file(row(identifier="XM-DAC-7-0", amount="1"), row(**values)), codelists=None)
    problem = the_error(report)
    assert_names(problem, row=3, column=column)
    assert words in problem.message
    assert problem.identifier == "XM-DAC-7-1"


@needs_codelists
@pytest.mark.parametrize(
    ("values", "column", "code", "codelist"),
    [
        ({"currency": "XYZ"}, "Currency", "XYZ", "Currency"),
        ({"recipient_countries": "KE; QQ"}, "Recipient countries", "QQ", "Country"),
        ({"recipient_regions": "999"}, "Recipient regions", "999", "Region"),
        ({"sectors": "15160; 99999"}, "Sectors", "99999", "Sector"),
        ({"sectors": "999"}, "Sectors", "999", "SectorCategory"),
        ({"policy_markers": "1:2; 42:1"}, "Policy markers", "42", "PolicyMarker"),
        ({"policy_markers": "1:7"}, "Policy markers", "7", "PolicySignificance"),
        ({"status": "7"}, "Status", "7", ""),
    ],
)
def test_an_unknown_code_is_an_error_naming_its_row_column_and_codelist(
    values: dict[str, str], column: str, code: str, codelist: str
) -> None:
    problem = the_error(read(csv_file(row(), row(amount="2", **values))))
    assert_names(problem, row=3, column=column)
    assert f"“{code}”" in problem.message and codelist in problem.message


@needs_codelists
def test_a_withdrawn_code_is_a_warning() -> None:
    report = read(csv_file(row(recipient_regions="380")))
    assert report.valid
    (warning,) = [problem for problem in report.warnings if problem.kind == "codelist"]
    assert_names(warning, row=2, column="Recipient regions")
    assert "withdrawn" in warning.message


def test_without_codelists_codes_are_checked_for_their_shape_only_and_the_report_says_so() -> None:
    report = read(csv_file(row(recipient_countries="QQ", currency="XYZ")), codelists=None)
    assert report.valid
    assert any("code checks skipped" in problem.message for problem in report.warnings)
    assert all(isinstance(problem, RowProblem) for problem in report.warnings)


def test_country_and_region_percentages_add_up_to_100_together() -> None:
    report = read(csv_file(row(recipient_countries="KE:60", recipient_regions="289:60")), codelists=None)
    problem = the_error(report)
    assert "Recipient countries and Recipient regions" in problem.message and "120" in problem.message
    assert problem.line == 2


def test_a_row_without_an_identifier_is_an_error() -> None:
    report = read(csv_file(row(), row(identifier="  ")))
    problem = the_error(report)
    assert_names(problem, row=3, column="Identifier")
    assert problem.kind == "identifier"


def test_an_activity_without_a_title_is_an_error_on_its_first_row() -> None:
    report = read(csv_file(row(identifier="A"), row(identifier="B", title=""), row(identifier="B", title="")))
    problem = the_error(report)
    assert_names(problem, row=3, column="Title")
    assert problem.identifier == "B"


@pytest.mark.parametrize("file_name", ["funding.csv", "funding.xlsx"])
def test_a_missing_required_column_is_an_error_naming_the_column(file_name: str) -> None:
    header = [name for name in HEADER if name not in ("Amount", "Currency")]
    build = csv_file if file_name.endswith(".csv") else xlsx_file
    report = read(build(row(), header=header), file_name)
    assert [(problem.line, getattr(problem, "column", "")) for problem in report.errors] == [
        (1, "Amount"),
        (1, "Currency"),
    ]
    assert report.activities == []


def test_a_column_given_twice_is_an_error_and_an_unknown_column_a_warning() -> None:
    report = read(csv_file(row(), header=[*HEADER, "Notes", "AMOUNT"]))
    assert messages(report.errors) == ["row 1: the column “Amount” appears twice (columns M and R)"]
    assert "row 1: the column “Notes” (column Q) is not part of the template and is ignored" in messages(
        report.warnings
    )


@pytest.mark.parametrize(
    ("data", "file_name", "words"),
    [
        (b"", "funding.csv", "empty"),
        (b" \r\n\r\n", "funding.csv", "empty"),
        (b",,,\r\n,,\r\n", "funding.csv", "empty"),
        (xlsx_file(header=[]), "funding.xlsx", "empty"),
        (",".join(HEADER).encode(), "funding.csv", "no funding lines"),
        (xlsx_file(), "funding.xlsx", "no funding lines"),
    ],
    ids=["nothing", "blank lines", "blank cells", "blank workbook", "csv header only", "xlsx header only"],
)
def test_an_empty_file_or_one_with_only_a_header_is_refused(data: bytes, file_name: str, words: str) -> None:
    report = read(data, file_name)
    assert not report.valid
    assert words in report.errors[0].message
    assert report.activities == []


@pytest.mark.parametrize(
    ("data", "file_name"),
    [
        (b"PK\x03\x04 not really a zip", "funding.xlsx"),
        (spreadsheet.template_xlsx()[:2000], "funding.xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "funding.csv"),
        (b"<html><body>hello</body></html>", "funding.xlsx"),
        (bytes(range(256)) * 4, "funding.csv"),
    ],
    ids=["fake zip", "truncated workbook", "png", "html named xlsx", "binary"],
)
def test_garbage_is_reported_never_raised(data: bytes, file_name: str) -> None:
    report = read(data, file_name)
    assert not report.valid
    assert report.activities == []


def test_an_old_xls_workbook_is_refused_with_advice() -> None:
    report = read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "funding.xls")
    assert ".xlsx" in the_error(report).message


def test_an_opendocument_spreadsheet_is_refused_with_advice() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument" in the_error(read(buffer.getvalue(), "funding.xlsx")).message


# ---------------------------------------------------------------------------------------------------------------
# XLSX specifics: size, formulas, real cells


def test_a_zip_bomb_is_refused_from_its_directory_without_decompressing_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(64):
                member.write(bytes(1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the archive was opened for decompression")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    problem = the_error(read(data, "funding.xlsx"))
    assert "has a part (xl/worksheets/sheet1.xml) that unpacks to 64.0 MB" in problem.message
    assert problem.kind == "file"


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    report = read(spreadsheet.template_xlsx(), "funding.xlsx", max_bytes=1000)
    assert "files larger than 1,000 bytes are refused" in the_error(report).message


def test_a_sheet_with_too_many_rows_is_refused() -> None:
    report = read(xlsx_file(*(row(amount=str(n)) for n in range(6))), "funding.xlsx", max_rows=5)
    assert "more than 5 rows" in the_error(report).message
    assert report.activities == []
    assert read(xlsx_file(*(row(amount=str(n)) for n in range(5))), "funding.xlsx", max_rows=5).valid


def test_every_row_is_read_even_when_the_sheet_understates_its_size() -> None:
    data = xlsx_file(row(amount="1"), row(amount="2"), row(amount="3"))

    def understate(xml: bytes) -> bytes:
        assert b'<dimension ref="A1:P4"/>' in xml
        return xml.replace(b'<dimension ref="A1:P4"/>', b'<dimension ref="A1:B2"/>')

    report = read(rewrite_member(data, "xl/worksheets/sheet1.xml", understate), "funding.xlsx")
    assert [t.value for t in report.activities[0].transactions] == [Decimal(1), Decimal(2), Decimal(3)]


def test_a_formula_without_a_saved_result_is_an_error_naming_its_cell() -> None:
    report = read(xlsx_file(row(), row(amount="=1000*2")), "funding.xlsx")
    problem = the_error(report)
    assert_names(problem, row=3, column="Amount")
    assert "“=1000*2”" in problem.message and "save it again" in problem.message


def test_a_formula_with_its_saved_result_is_read_as_that_result() -> None:
    # openpyxl writes formulas without results; Excel and LibreOffice save the result beside the formula.
    data = xlsx_file(row(amount="=1000*2", title='="Internet "&"freedom"'))

    def save_results(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="B2"><f>', b'<c r="B2" t="str"><f>')
        title, amount = b'"Internet "&amp;"freedom"</f><v></v>', b"1000*2</f><v></v>"
        assert title in xml and amount in xml
        xml = xml.replace(title, b'"Internet "&amp;"freedom"</f><v>Internet freedom</v>')
        return xml.replace(amount, b"1000*2</f><v>2000</v>")

    report = read(rewrite_member(data, "xl/worksheets/sheet1.xml", save_results), "funding.xlsx")
    assert report.valid, messages(report.errors)
    assert report.activities[0].title == {"en": "Internet freedom"}
    assert report.activities[0].transactions[0].value == Decimal(2000)


def test_an_xlsx_with_real_date_and_number_cells_is_read() -> None:
    data = xlsx_file(
        row(
            identifier=20251,  # typed as a number
            start_date=dt.date(2025, 1, 1),
            end_date=dt.datetime(2026, 6, 30, 0, 0),
            sectors=15160,
            amount=1250.75,
            period_start=dt.datetime(2025, 2, 3),
        ),
        None,  # a blank row keeps its number
        row(identifier=20251, title=None, amount=0.1, funding_stage="disbursed", period_start=dt.date(2025, 9, 1)),
        row(identifier=20251, title=None, amount=-3),
    )
    report = read(data, "funding.xlsx", codelists=None)
    assert_names(the_error(report), row=5, column="Amount")
    (activity,) = report.activities
    assert activity.identifier == "20251"
    assert activity.dates == {"1": dt.date(2025, 1, 1), "3": dt.date(2026, 6, 30)}
    assert activity.sectors == [Sector("1", "15160")]
    assert [(t.value, t.date) for t in activity.transactions] == [
        (Decimal("1250.75"), dt.date(2025, 2, 3)),
        (Decimal("0.1"), dt.date(2025, 9, 1)),
    ]


def test_a_lone_policy_marker_that_excel_turned_into_a_time_is_read_as_typed() -> None:
    report = read(xlsx_file(row(policy_markers=dt.time(1, 2))), "funding.xlsx", codelists=None)
    assert report.valid, messages(report.errors)
    assert report.activities[0].policy_markers == [PolicyMarker("1", "1", "2")]


def test_the_funding_lines_sheet_is_read_wherever_it_is_and_headers_ignore_case() -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["not the data"])
    sheet = workbook.create_sheet("funding LINES")
    sheet.append([])
    sheet.append(["IDENTIFIER", "title", "funding_stage", "Value", "currency", "Period Start", "period end", "Country"])
    sheet.append(["XM-DAC-7-1", "Internet freedom fund", "planned", 10, "eur", "2026-01-01", None, "ke"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = read(buffer.getvalue(), "funding.xlsx", codelists=None)
    assert report.valid, messages(report.errors)
    (activity,) = report.activities
    assert (activity.line, activity.recipient_countries) == (3, [RecipientCountry("KE")])
    assert activity.planned_disbursements[0].currency == "EUR"


# ---------------------------------------------------------------------------------------------------------------
# CSV specifics


@pytest.mark.parametrize("bom", [True, False])
def test_a_utf8_csv_is_read_with_or_without_a_byte_order_mark(bom: bool) -> None:
    report = read(csv_file(row(title="Défense des défenseurs"), bom=bom))
    assert report.valid, messages(report.errors)
    assert report.activities[0].title == {"en": "Défense des défenseurs"}


def test_a_semicolon_csv_from_excel_is_read_with_its_decimal_commas() -> None:
    rows = [
        row(amount="250.000,50", recipient_countries="KE:33,5; UG:66,5"),
        row(amount="1,5", sectors="15160, 22040"),
    ]
    report = read(csv_file(*rows, delimiter=";"))
    assert report.valid, messages(report.errors)
    (activity,) = report.activities
    assert [t.value for t in activity.transactions] == [Decimal("250000.50"), Decimal("1.5")]
    assert [c.percentage for c in activity.recipient_countries] == [Decimal("33.5"), Decimal("66.5")]


def test_excels_sep_line_sets_the_delimiter_and_rows_are_numbered_as_excel_shows_them() -> None:
    data = b"sep=;\r\n" + csv_file(row(), row(amount="x"), delimiter=";")
    problem = the_error(read(data))
    assert_names(problem, row=3, column="Amount")


def test_thousands_separators_are_understood_in_a_comma_csv() -> None:
    report = read(csv_file(row(amount="1,250,000.75"), row(amount="2 500")))
    assert [t.value for t in report.activities[0].transactions] == [Decimal("1250000.75"), Decimal(2500)]


def test_a_csv_that_is_not_utf8_names_its_line() -> None:
    data = csv_file(row(), row(amount="5")).replace(b"Internet freedom fund", b"Libert\xe9", 1)
    problem = the_error(read(data))
    assert problem.line == 2 and "UTF-8" in problem.message


def test_blank_lines_in_a_csv_keep_the_row_numbers_people_see() -> None:
    data = csv_file(row()) + b"\r\n\r\n" + csv_file(row(currency="??"), header=HEADER).split(b"\r\n", 1)[1]
    assert_names(the_error(read(data, codelists=None)), row=5, column="Currency")
