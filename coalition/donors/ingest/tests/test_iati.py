"""The IATI activity-file reader: the standard's own tests and real publisher files (realdata), and bad input reported.

Small files are built here; the standard's schema, codelists and test files are read from ../shared/data/iati.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from lxml import etree

from coalition.donors.ingest import iati
from coalition.donors.ingest.iati import Organisation, ParticipatingOrg, PolicyMarker, RecipientCountry, Sector
from coalition.donors.models import Allocation, FundingActivity, FundingLine

IATI = Path(settings.BASE_DIR).parent / "shared" / "data" / "iati"
CODELISTS = IATI / "codelists"
SCHEMAS = IATI / "schema"
SHOULD_PASS = sorted(path for path in (IATI / "schema-tests-should-pass").rglob("*") if path.is_file())
SHOULD_FAIL = sorted(path for path in (IATI / "schema-tests-should-fail").rglob("*") if path.is_file())
# Should-fail files whose only finding is in an element the platform never stores (issue 15, item 15): imported,
# with the finding as a warning. The rest must still be refused.
NEVER_STORED_FOLDERS = {
    "activity-scope", "capital-spend", "collaboration-type", "conditions", "contact-info", "country-budget-items",
    "crs-add", "default-aid-type", "default-finance-type", "default-flow-type", "default-tied-status",
    "document-link", "fss", "legacy-data", "location", "other-identifier", "result",
}  # fmt: skip
NEVER_STORED_FILES = {
    "02-top-level-extensibility.xml", "humanitarian/03-humanitarian-scope-no-code.xml",
    "humanitarian/04-humanitarian-scope-no-type.xml", "humanitarian/06-humanitarian-scope-no-vocab.xml",
    "planned-disbursement/14-multiple-provider-orgs.xml", "planned-disbursement/15-multiple-receiver-orgs.xml",
    "transaction/08-two-descriptions.xml", "transaction/09-two-provider-org.xml", "transaction/10-two-receiver-org.xml",
    "transaction/14-two-flow-type.xml", "transaction/15-two-finance-type.xml", "transaction/17-two-tied-status.xml",
    "transaction/18-two-disbursement-channel.xml", "transaction/24-missing-attribute-disbursement-channel-code.xml",
    "transaction/25-missing-attribute-tied-status-code.xml", "transaction/26-missing-attribute-aid-type-code.xml",
    "transaction/27-missing-attribute-finance-type-code.xml", "transaction/28-missing-attribute-flow-type-code.xml",
    "transaction/34-contains-text-flow-type.xml", "transaction/35-contains-text-finance-type.xml",
    "transaction/36-contains-text-aid-type.xml", "transaction/37-contains-text-tied-status.xml",
    "transaction/38-contains-text-disbursement-channel.xml",
}  # fmt: skip


def about_what_is_never_stored(path: Path) -> bool:
    name = str(path.relative_to(IATI / "schema-tests-should-fail"))
    return name.split("/")[0] in NEVER_STORED_FOLDERS or name in NEVER_STORED_FILES


SHOULD_BE_REFUSED = [path for path in SHOULD_FAIL if not about_what_is_never_stored(path)]
ONLY_WARNED = [path for path in SHOULD_FAIL if about_what_is_never_stored(path)]
REAL_FILES = sorted((IATI / "real-activities").glob("*.xml"))
IOM = IATI / "real-activities" / "IOM-XM-DAC-47066_577-activities_2.03.xml"
NL_MFA = IATI / "real-activities" / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"
EXAMPLE = IATI / "activity-standard-example-annotated-2.03.xml"

ABSENT = pytest.mark.skipif(not IATI.is_dir(), reason="../shared/data/iati is not beside the repository")


def needs_standard(test: Callable[..., None]) -> Callable[..., None]:
    """Marks a test that reads the standard's schema, codelists or files from ../shared/data (realdata).

    Our own small files need the schema and codelists too; only the safety and size refusals, decided before the
    schema is looked at, run without them.
    """
    return pytest.mark.realdata(ABSENT(test))


def relative(path: Path) -> str:
    return str(path.relative_to(IATI))


def activity(
    identifier: str = "XM-TEST-1",
    *,
    country: str = "NI",
    sector: str = "15160",
    body: str = "",
    attributes: str = 'default-currency="EUR"',
) -> str:
    return f"""
  <iati-activity {attributes} xml:lang="en" last-updated-datetime="2024-05-01T10:00:00">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="XM-TEST" type="10"><narrative>Test ministry</narrative></reporting-org>
    <title><narrative>Digital rights defenders</narrative><narrative xml:lang="es">Defensores</narrative></title>
    <description type="1"><narrative>Support to defenders.</narrative></description>
    <participating-org role="1" ref="XM-TEST" type="10"><narrative>Test ministry</narrative></participating-org>
    <participating-org role="4" type="21" activity-id="XM-NGO-7"><narrative>An NGO</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2024-01-01"/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="60"/>
    <sector vocabulary="2" code="151" percentage="40"/>
    <policy-marker vocabulary="1" code="1" significance="1"/>
    <budget type="1" status="2">
      <period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>
      <value value-date="2024-01-01">250000.50</value>
    </budget>
    {body}
    <transaction>
      <transaction-type code="2"/><transaction-date iso-date="2024-02-01"/>
      <value currency="USD" value-date="2024-02-01">1000</value>
      <receiver-org ref="XM-NGO" type="21"><narrative>An NGO</narrative></receiver-org>
      <sector vocabulary="1" code="{sector}"/>
      <recipient-country code="{country}"/>
    </transaction>
  </iati-activity>"""


def iati_file(*activities: str, version: str = "2.03") -> bytes:
    body = "".join(activities) or activity()
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">'
    return f"{head}{body}\n</iati-activities>\n".encode()


def read(data: bytes | Path, **kwargs: Any) -> iati.Report:
    kwargs.setdefault("codelists", CODELISTS)
    kwargs.setdefault("schemas", SCHEMAS)
    return iati.read(data, **kwargs)


def messages(problems: list[iati.Problem]) -> list[str]:
    return [str(problem) for problem in problems]


# ---------------------------------------------------------------------------------------------------------------
# The standard's own test files


@pytest.mark.parametrize("path", SHOULD_PASS, ids=relative)
@needs_standard
def test_every_should_pass_file_of_the_standard_is_valid_and_read(path: Path) -> None:
    # The standard's test files use placeholder codes ("xx"), so they are schema tests: codes are not checked.
    report = read(path, codelists=None)
    assert report.valid, messages(report.errors)
    assert len(report.activities) == 1
    assert any("code checks skipped" in problem.message for problem in report.warnings)


@pytest.mark.parametrize("path", SHOULD_BE_REFUSED, ids=relative)
@needs_standard
def test_every_should_fail_file_of_the_standard_is_refused_with_a_readable_reason(path: Path) -> None:
    report = read(path, codelists=None)
    assert not report.valid
    reason = report.errors[0]
    print(f"{relative(path)}: {reason}")
    assert reason.kind in ("schema", "file")
    assert reason.line
    assert "<" in reason.message or "not well-formed" in reason.message
    for jargon in ("Element '", "atomic type", "##other", "content type is"):
        assert jargon not in str(reason)


@pytest.mark.parametrize("path", ONLY_WARNED, ids=relative)
@needs_standard
def test_a_should_fail_file_about_what_is_never_stored_is_read_with_a_readable_warning(path: Path) -> None:
    report = read(path, codelists=None)
    assert report.valid, messages(report.errors)
    (reason, *_) = [problem for problem in report.warnings if problem.kind == "schema"]
    assert reason.line and "<" in reason.message
    for jargon in ("Element '", "atomic type", "##other", "content type is"):
        assert jargon not in str(reason)


@needs_standard
def test_the_schema_reason_names_what_is_missing_and_where() -> None:
    report = read(IATI / "schema-tests-should-fail" / "budget" / "02-missing-period-start.xml", codelists=None)
    assert messages(report.errors) == ["line 21: <budget> needs a <period-start> before <period-end>"]


@needs_standard
def test_a_file_that_is_not_well_formed_is_refused_with_its_line() -> None:
    report = read(IATI / "schema-tests-should-fail" / "participating-org" / "01-activity-id-cardinality")
    assert messages(report.errors) == ["line 8: the file is not well-formed XML (Attribute activity-id redefined)"]


@needs_standard
def test_the_annotated_example_reads_every_element_family() -> None:
    report = read(EXAMPLE)
    assert report.valid, messages(report.errors)
    assert report.version == "2.03"
    (example,) = report.activities
    assert example.identifier == "AA-AAA-123456789-ABC123"
    assert example.reporting_org == Organisation(ref="AA-AAA-123456789", type="40", name="Organisation name")
    assert (example.default_currency, example.language, example.hierarchy, example.humanitarian) == (
        "USD",
        "en",
        1,
        True,
    )
    assert example.last_updated_at == dt.datetime(2014, 9, 10, 7, 15, 37, tzinfo=dt.UTC)
    assert example.title == {"en": "Activity title", "fr": "Titre de l'activité", "es": "Título de la actividad"}
    assert set(example.descriptions) == {"1", "2", "3"}
    assert example.descriptions["2"]["fr"].startswith("Objectifs")
    assert example.participating_orgs[0] == ParticipatingOrg(
        role="1", ref="BB-BBB-123456789", type="40", name="Name of Agency B", activity_id="BB-BBB-123456789-1234"
    )
    assert example.activity_status == "2"
    assert example.dates == {"1": dt.date(2012, 4, 15), "2": dt.date(2012, 4, 28), "3": dt.date(2015, 12, 31)}
    assert example.recipient_countries == [RecipientCountry("AF", Decimal(25)), RecipientCountry("AG", Decimal(25))]
    assert [(region.code, region.vocabulary, region.percentage) for region in example.recipient_regions] == [
        ("489", "1", Decimal(25)),
        ("A1", "99", Decimal(25)),
    ]
    assert example.sectors == [
        Sector("1", "11110", Decimal(50)),
        Sector("1", "11120", Decimal(50)),
        Sector("98", "A1", Decimal(100)),
    ]
    assert example.policy_markers[:2] == [PolicyMarker("1", "2", "3"), PolicyMarker("1", "9", "4")]
    assert (example.default_flow_type, example.default_finance_type) == ("10", "110")
    assert example.default_aid_types == [("1", "A01"), ("2", "1"), ("4", "1")]
    (budget,) = example.budgets
    assert (budget.type, budget.status, budget.period_start, budget.period_end) == (
        "1",
        "1",
        dt.date(2014, 1, 1),
        dt.date(2014, 12, 31),
    )
    assert (budget.value, budget.currency, budget.value_date) == (Decimal(1000), "AUD", dt.date(1994, 1, 1))
    first, second = example.planned_disbursements
    assert (first.value, first.currency, first.provider, first.receiver) == (
        Decimal(1000),
        "JPY",
        Organisation("BB-BBB-123456789", "10", "Agency B", "BB-BBB-123456789-1234AA"),
        Organisation("AA-AAA-123456789", "23", "Agency A", "AA-AAA-123456789-1234"),
    )
    assert (second.value, second.currency, second.provider) == (Decimal(3000), "EUR", None)
    (transaction,) = example.transactions
    assert (transaction.type, transaction.date, transaction.value, transaction.currency) == (
        "1",
        dt.date(1995, 1, 1),
        Decimal(1000),
        "AUD",
    )
    assert transaction.description == "Transaction description text"
    assert (transaction.recipient_country, transaction.recipient_region, transaction.finance_type) == (
        "TM",
        "88",
        "110",
    )
    assert transaction.aid_types == (("1", "A01"), ("2", "1"))
    assert transaction.provider is not None and transaction.provider.ref == "BB-BBB-123456789"
    assert [(related.type, related.ref) for related in example.related_activities] == [("1", "AA-AAA-123456789-6789")]


# ---------------------------------------------------------------------------------------------------------------
# Real publisher files


def counted_activities(path: Path) -> int:
    return sum(1 for _ in etree.iterparse(str(path), tag="iati-activity", events=("end",)))


@pytest.mark.parametrize("path", REAL_FILES, ids=relative)
@needs_standard
def test_a_real_publisher_file_reads_one_activity_per_iati_activity_element(path: Path) -> None:
    report = read(path)
    assert report.valid, messages(report.errors)
    assert report.version == "2.03"
    assert len(report.activities) == counted_activities(path)
    assert len({activity.identifier for activity in report.activities}) == len(report.activities)


def as_written(element: Any) -> dict[str, Any]:
    """What the XML says about one activity, read independently of the reader, to compare against it."""
    default_currency = element.get("default-currency", "")

    def money(parent: Any) -> tuple[Decimal, str]:
        value = parent.find("value")
        return Decimal(value.text.strip()), value.get("currency") or default_currency

    return {
        "identifier": element.findtext("iati-identifier").strip(),
        "participating": [(org.get("role"), org.get("ref", "")) for org in element.findall("participating-org")],
        "sectors": [
            (sector.get("vocabulary", "1"), sector.get("code"), sector.get("percentage"))
            for sector in element.findall("sector")
        ],
        "markers": [
            (marker.get("code"), marker.get("significance", "")) for marker in element.findall("policy-marker")
        ],
        "budgets": [money(budget) for budget in element.findall("budget")],
        "transactions": [
            (
                transaction.find("transaction-type").get("code"),
                transaction.find("transaction-date").get("iso-date"),
                *money(transaction),
            )
            for transaction in element.findall("transaction")
        ],
    }


def as_read(activity: iati.Activity) -> dict[str, Any]:
    return {
        "identifier": activity.identifier,
        "participating": [(org.role, org.ref) for org in activity.participating_orgs],
        "sectors": [
            (sector.vocabulary, sector.code, None if sector.percentage is None else str(sector.percentage))
            for sector in activity.sectors
        ],
        "markers": [(marker.code, marker.significance) for marker in activity.policy_markers],
        "budgets": [(budget.value, budget.currency) for budget in activity.budgets],
        "transactions": [
            (transaction.type, str(transaction.date), transaction.value, transaction.currency)
            for transaction in activity.transactions
        ],
    }


@pytest.mark.parametrize("path", REAL_FILES, ids=relative)
@needs_standard
def test_every_real_activity_matches_its_xml_for_orgs_sectors_markers_budgets_and_transactions(path: Path) -> None:
    report = read(path)
    written = [as_written(element) for element in etree.parse(str(path)).getroot().iterfind("iati-activity")]
    assert [as_read(activity) for activity in report.activities] == written


@needs_standard
def test_a_netherlands_activity_is_read_field_by_field() -> None:
    report = read(NL_MFA)
    ictj = next(activity for activity in report.activities if activity.identifier == "NL-1-PPR-24706")
    assert ictj.title == {"nl": "ICTJ 2013-2014"}
    assert ictj.reporting_org.name == "Ministry of Foreign Affairs (DGIS)"
    assert ParticipatingOrg(role="4", type="21", name="ICTJ") in ictj.participating_orgs
    assert ictj.sectors == [Sector("1", "15220")]
    assert PolicyMarker("1", "3", "2") in ictj.policy_markers
    assert [(budget.period_start, budget.period_end, budget.value, budget.currency) for budget in ictj.budgets] == [
        (dt.date(2014, 1, 1), dt.date(2016, 7, 25), Decimal(2000000), "EUR")
    ]
    assert [(planned.period_start, planned.value) for planned in ictj.planned_disbursements] == [
        (dt.date(2014, 1, 1), Decimal(1500000)),
        (dt.date(2015, 1, 1), Decimal(500000)),
    ]
    assert [(transaction.type, transaction.value) for transaction in ictj.transactions] == [
        ("2", Decimal(2000000)),
        ("3", Decimal(1500000)),
        ("3", Decimal(500000)),
    ]
    assert ictj.transactions[0].receiver == Organisation(name="ICTJ")
    assert ictj.transactions[0].aid_types == (("1", "A01"), ("2", "B01"))
    assert ictj.last_updated_at == dt.datetime(2018, 6, 22, 10, 22, 7, tzinfo=dt.UTC)


@needs_standard
def test_an_iom_activity_is_read_with_its_countries_regions_and_usd_values() -> None:
    report = read(IOM)
    malakal = report.activities[0]
    assert malakal.identifier == "XM-DAC-47066-CC.0001"
    assert malakal.recipient_countries == [RecipientCountry("SS", Decimal(100))]
    assert [(region.code, region.percentage) for region in malakal.recipient_regions] == [("298", Decimal(100))]
    assert Sector("1", "72050") in malakal.sectors
    assert malakal.budgets[0].value == Decimal("200000.06")
    assert (malakal.budgets[0].currency, malakal.budgets[0].status) == ("USD", "2")
    assert malakal.transactions[0].type == "11"
    assert malakal.transactions[0].provider == Organisation(name="SOUTH SUDAN COMMON HUMANITARIAN FUND")


@needs_standard
def test_a_withdrawn_sector_code_in_a_real_file_is_a_warning() -> None:
    report = read(IOM)
    assert report.valid
    assert any("“74010” is withdrawn from the Sector codelist" in problem.message for problem in report.warnings)


# ---------------------------------------------------------------------------------------------------------------
# Small files of our own: what the importer relies on


@needs_standard
def test_a_small_file_is_valid_and_money_carries_its_currency() -> None:
    report = read(iati_file(activity()))
    assert report.valid, messages(report.errors)
    assert report.warnings == []
    (read_activity,) = report.activities
    assert read_activity.budgets[0].value == Decimal("250000.50")
    assert read_activity.budgets[0].currency == "EUR"  # the activity's default
    assert read_activity.transactions[0].currency == "USD"  # the value's own
    assert read_activity.transactions[0].sectors == (Sector("1", "15160"),)
    assert read_activity.transactions[0].recipient_country == "NI"
    assert read_activity.sectors == [Sector("1", "15160", Decimal(60)), Sector("2", "151", Decimal(40))]
    assert read_activity.line == 3


@needs_standard
def test_an_unknown_country_and_sector_are_errors_naming_the_activity() -> None:
    report = read(iati_file(activity("NL-1-XYZ", country="XX", sector="99999")))
    assert not report.valid
    found = [problem.message for problem in report.errors if problem.identifier == "NL-1-XYZ"]
    assert "recipient-country code “XX” is not in the Country codelist" in found
    assert "sector code “99999” is not in the Sector codelist" in found
    assert "transaction recipient-country code “XX” is not in the Country codelist" in found
    assert all(problem.kind == "codelist" and problem.line for problem in report.errors)
    assert any(str(problem).startswith("line ") and "activity NL-1-XYZ: " in str(problem) for problem in report.errors)


@needs_standard
def test_unknown_codes_are_reported_in_every_family_the_app_uses() -> None:
    body = """
    <default-flow-type code="999"/>
    <planned-disbursement type="7">
      <period-start iso-date="2024-01-01"/><value currency="ZZZ" value-date="2024-01-01">5</value>
    </planned-disbursement>
    <related-activity type="9" ref="XM-OTHER"/>"""
    data = iati_file(activity(body=body, attributes='default-currency="EUR"'))
    data = data.replace(b'<activity-status code="2"/>', b'<activity-status code="42"/>')
    data = data.replace(b'role="4"', b'role="8"').replace(b'significance="1"', b'significance="9"')
    report = read(data)
    found = {problem.message for problem in report.errors}
    assert found >= {
        "activity-status code “42” is not in the ActivityStatus codelist",
        "participating-org role code “8” is not in the OrganisationRole codelist",
        "policy-marker significance code “9” is not in the PolicySignificance codelist",
        "planned-disbursement type code “7” is not in the BudgetType codelist",
        "planned-disbursement currency code “ZZZ” is not in the Currency codelist",
        "related-activity type code “9” is not in the RelatedActivityType codelist",
    }
    # the platform never stores flow types: an unknown one is reported, not refused (issue 15, item 15)
    assert "default-flow-type code “999” is not in the FlowType codelist" in {p.message for p in report.warnings}


@needs_standard
def test_codes_under_a_publishers_own_vocabulary_are_not_checked() -> None:
    data = iati_file(activity()).replace(
        b'<sector vocabulary="2"', b'<sector vocabulary="99" code="MY-OWN"/><sector vocabulary="2"'
    )
    report = read(data)
    assert report.valid
    assert Sector("99", "MY-OWN") in report.activities[0].sectors


@needs_standard
def test_without_codelists_codes_are_not_checked_and_the_report_says_so(tmp_path: Path) -> None:
    report = read(iati_file(activity(country="XX")), codelists=tmp_path / "absent")
    assert report.valid
    assert "code checks skipped: the IATI codelists are not available" in messages(report.warnings)


@needs_standard
def test_a_duplicate_identifier_is_an_error_naming_both_positions() -> None:
    report = read(iati_file(activity("XM-TEST-1"), activity("XM-TEST-2"), activity("XM-TEST-1")))
    assert not report.valid
    (duplicate,) = report.errors
    first, third = report.activities[0].line, report.activities[2].line
    assert duplicate.message == (
        f"iati-identifier “XM-TEST-1” is used twice: activity 1 (line {first}) and activity 3 (line {third})"
    )
    assert duplicate.kind == "identifier"


@needs_standard
def test_an_empty_identifier_is_a_warning_the_importer_can_act_on() -> None:
    report = read(iati_file(activity("")))
    assert report.valid
    assert [problem.kind for problem in report.warnings] == ["identifier"]


@needs_standard
def test_a_schema_error_in_a_203_file_names_its_line_and_activity() -> None:
    data = iati_file(activity("XM-TEST-9")).replace(b'<period-start iso-date="2024-01-01"/>', b"", 1)
    report = read(data)
    assert not report.valid
    (problem,) = report.errors
    assert (
        str(problem) == f"line {problem.line}: activity XM-TEST-9: <budget> needs a <period-start> before <period-end>"
    )


@needs_standard
def test_reading_the_same_file_twice_gives_the_same_report() -> None:
    data = iati_file(activity("XM-TEST-1"), activity("XM-TEST-2"))
    assert read(data) == read(data)


# ---------------------------------------------------------------------------------------------------------------
# Versions 2.01 and 2.02


@needs_standard
@pytest.mark.parametrize("version", ["2.01", "2.02"])
def test_a_201_or_202_file_is_checked_against_the_203_schema_and_read(version: str) -> None:
    report = read(iati_file(activity(), version=version))
    assert report.valid, messages(report.errors)
    assert report.version == version
    assert len(report.activities) == 1
    assert messages(report.warnings) == [
        f"version {version} file checked against the 2.03 schema: schema findings are warnings"
    ]


@needs_standard
def test_in_a_202_file_a_203_schema_finding_is_only_a_warning() -> None:
    data = iati_file(activity(), version="2.02").replace(b'<description type="1">', b'<description type="1" foo="1">')
    report = read(data)
    assert report.valid
    assert any(problem.message == "<description> does not allow the attribute foo" for problem in report.warnings)


@needs_standard
def test_in_a_201_file_a_budget_value_that_is_not_a_number_is_still_an_error() -> None:
    data = iati_file(activity("XM-OLD-1"), version="2.01").replace(b">250000.50<", b">lots<")
    report = read(data)
    assert not report.valid
    assert messages(report.errors) == [
        f"line {report.errors[0].line}: activity XM-OLD-1: budget value “lots” is not a number"
    ]
    assert any(problem.kind == "schema" for problem in report.warnings)


@needs_standard
def test_in_a_201_file_a_transaction_without_a_date_is_an_error() -> None:
    data = iati_file(activity("XM-OLD-2"), version="2.01").replace(b'<transaction-date iso-date="2024-02-01"/>', b"")
    report = read(data)
    assert [problem.message for problem in report.errors] == ["transaction-date is missing"]


@needs_standard
def test_a_version_1_file_is_refused() -> None:
    report = read(iati_file(activity(), version="1.05"))
    assert messages(report.errors) == ["this is an IATI 1.05 file; only versions 2.01, 2.02 and 2.03 can be imported"]
    assert report.activities == []


@needs_standard
def test_without_the_schema_the_readers_own_checks_are_errors(tmp_path: Path) -> None:
    data = iati_file(activity()).replace(b">250000.50<", b">lots<")
    report = read(data, schemas=tmp_path / "absent")
    assert "schema validation skipped: the IATI 2.03 schema is not available" in messages(report.warnings)
    assert [problem.message for problem in report.errors] == ["budget value “lots” is not a number"]


# ---------------------------------------------------------------------------------------------------------------
# Bad input: refused whole, with a clear report


def refused(report: iati.Report) -> str:
    assert not report.valid
    assert report.activities == []
    assert all(problem.kind == "file" for problem in report.errors)
    return report.errors[0].message


def test_an_external_entity_is_refused_and_nothing_is_read() -> None:
    data = iati_file(activity()).replace(
        b"<iati-activities", b'<!DOCTYPE iati-activities [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<iati-activities'
    )
    data = data.replace(b"Support to defenders.", b"&xxe;")
    message = refused(iati.read(data, codelists=None, schemas=None))
    assert "declares XML entities or an external DTD" in message
    assert "root:" not in message


def test_a_billion_laughs_file_is_refused() -> None:
    laughs = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    doctype = f"<!DOCTYPE lolz [{''.join(laughs)}]>"
    data = f'<?xml version="1.0"?>{doctype}<iati-activities version="2.03">&lol9;</iati-activities>'
    assert "declares XML entities" in refused(iati.read(data.encode(), codelists=None, schemas=None))


def test_a_billion_laughs_file_in_utf16_is_refused_too() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
        '<iati-activities version="2.03">&a;</iati-activities>'
    )
    assert "declares XML entities" in refused(iati.read(data.encode("utf-16"), codelists=None, schemas=None))


def test_entities_declared_after_a_megabyte_of_comments_are_still_refused() -> None:
    data = b"<!--" + b" " * (1024 * 1024 + 10) + b'-->\n<!DOCTYPE x [<!ENTITY a "b">]><iati-activities version="2.03"/>'
    assert "declares XML entities" in refused(iati.read(data, codelists=None, schemas=None))


def test_an_external_dtd_is_refused() -> None:
    data = iati_file(activity()).replace(
        b"<iati-activities", b'<!DOCTYPE iati-activities SYSTEM "http://example.org/iati.dtd">\n<iati-activities'
    )
    assert "external DTD" in refused(iati.read(data, codelists=None, schemas=None))


def test_a_200_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: nothing is written to disk
    assert refused(iati.read(path)) == "the file is 200.0 MB; files larger than 50.0 MB are refused"


def test_bytes_over_the_limit_are_refused() -> None:
    assert refused(iati.read(iati_file(activity()), max_bytes=100)).startswith("the file is ")


def test_an_organisation_file_is_refused() -> None:
    data = b'<iati-organisations version="2.03"><iati-organisation/></iati-organisations>'
    assert refused(iati.read(data)) == (
        "this is an IATI organisation file (<iati-organisations>); only activity files can be imported"
    )


def test_arbitrary_xml_is_refused() -> None:
    assert refused(iati.read(b"<html><body/></html>")) == (
        "the root element is <html>, not <iati-activities>: this is not an IATI activity file"
    )


def test_a_file_that_is_not_xml_is_refused() -> None:
    assert refused(iati.read(b"iati-identifier,title\nXM-1,Hello\n")).startswith("the file is not well-formed XML")


def test_an_empty_file_is_refused() -> None:
    assert refused(iati.read(b"")) == "the file is empty"


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    assert refused(iati.read(tmp_path / "nowhere.xml")).startswith("the file could not be read")


@needs_standard
def test_a_file_without_activities_is_invalid() -> None:
    report = read(b'<iati-activities version="2.03"></iati-activities>')
    assert not report.valid


def test_the_largest_amount_accepted_still_fits_the_money_columns_after_conversion_and_summing() -> None:
    """Issue 15 item 11: what the readers accept, the database can store, even converted at a rate of 1,000 (or
    summed over a thousand lines of that size)."""

    for field in (
        FundingLine._meta.get_field("value"),
        FundingLine._meta.get_field("converted"),
        FundingActivity._meta.get_field("total"),
        Allocation._meta.get_field("amount"),
    ):
        assert Decimal(10) ** (field.max_digits - field.decimal_places) >= iati.MAX_AMOUNT * 1000, field
