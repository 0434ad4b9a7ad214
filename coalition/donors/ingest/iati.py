"""Read an IATI activity file (versions 2.01–2.03) into plain dataclasses, with a complete report (issue 8).

`read(data)` never raises for bad input and never saves anything: it returns a `Report` holding every activity it
could read, every error and every warning. The importer saves a file only when `report.valid` (no errors at all),
which is how "nothing partial is saved" is kept.

Checks, in order:

1. Size, before parsing: a `Path` is measured with `stat()` and a bytes object with `len()`, so a 200 MB file is
   refused without being read.
2. Safety: a DOCTYPE that declares entities or refers to an external DTD (billion laughs, XXE) is refused up front;
   the parser itself never expands entities, loads DTDs, touches the network or accepts huge text nodes, and the
   parsed tree is checked once more for declared entities. A file of more XML elements than
   `limits.MAX_IATI_ELEMENTS` is refused before lxml builds its tree.
3. The root element must be `<iati-activities>` (an organisation file or any other XML is refused).
4. Version (`iati-activities/@version`): 1.0x files are refused. 2.03 files are validated against the 2.03 schema;
   a schema finding is an error where it concerns what the platform keeps (the activity's identifier, organisations,
   texts, status, dates, places, sectors, markers, budgets, planned disbursements, transactions, related
   activities) and a warning where it concerns what the platform never stores (budget items, results, locations,
   aid types and the like, issue 15 item 15), so a file is not refused over a field nobody reads. **2.01 and 2.02
   files are also validated against the 2.03 schema, but its errors are reported as warnings**: 2.03 is a superset
   of 2.01/2.02 for almost everything, yet not exactly, and refusing a valid 2.01 file for a 2.03-only rule would be
   wrong. What the app relies on is still enforced for them: the
   reader's own checks (an identifier, budget/transaction values that are numbers, dates that are dates, periods
   present) are errors whenever the schema's verdict is not authoritative. Any other version string (the standard's
   own test files say "xx") gets a warning and is checked as 2.03.
5. Codes the app uses are checked against the IATI codelists (Country, Region, Sector/SectorCategory,
   SectorVocabulary, PolicyMarker, PolicySignificance, ActivityStatus, Currency, TransactionType, OrganisationRole,
   OrganisationType, BudgetType, BudgetStatus, ActivityDateType, AidType, FinanceType, FlowType,
   RelatedActivityType). An unknown code is an error where the platform uses it, a warning in a field it never
   stores (flow, finance and aid types, provider and receiver organisation types); a withdrawn code is a warning.
   Codes under vocabularies other than the DAC ones (e.g. sector vocabulary 99) are not checked.
6. Each `iati-identifier` may appear once per file; an empty identifier is a warning (the schema allows it and the
   standard's own should-pass files use it), which the importer may promote to a refusal.

The schema and codelist folders are parameters. Both default to `../shared/data/iati` beside the project, which
exists in development and CI; where a folder is absent the matching check is skipped with a warning, so the app
never requires that folder at run time (production should point these at a copy shipped with the app).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from coalition.core import limits
from coalition.donors.ingest.iati_schema import validate
from coalition.donors.ingest.model import (
    Activity,
    Budget,
    Kind,
    Organisation,
    ParticipatingOrg,
    PlannedDisbursement,
    PolicyMarker,
    Problem,
    RecipientCountry,
    RecipientRegion,
    RelatedActivity,
    Report,
    Sector,
    Transaction,
)

IATI_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "iati"
DEFAULT_CODELISTS = IATI_DATA / "codelists"
DEFAULT_SCHEMAS = IATI_DATA / "schema"
MAX_BYTES = 50 * 1024 * 1024
# No real budget or transaction reaches a thousand million million in any currency (the yen or rupiah amounts of the
# largest programmes stay below it); the money columns hold 18 digits before the point, so an amount below this limit
# can still be converted at a rate of up to 1,000, or summed over a thousand such lines, without overflowing them.
MAX_AMOUNT = Decimal(10) ** 15
MAX_AMOUNT_TEXT = f"{MAX_AMOUNT:,.0f}"  # as people write it: 1,000,000,000,000,000

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODELISTS = (
    "ActivityDateType",
    "ActivityStatus",
    "AidType",
    "BudgetStatus",
    "BudgetType",
    "Country",
    "Currency",
    "FinanceType",
    "FlowType",
    "OrganisationRole",
    "OrganisationType",
    "PolicyMarker",
    "PolicySignificance",
    "Region",
    "RelatedActivityType",
    "Sector",
    "SectorCategory",
    "SectorVocabulary",
    "TransactionType",
)

# ---------------------------------------------------------------------------------------------------------------
# Entry point


def read(
    data: bytes | Path,
    *,
    codelists: Path | None = DEFAULT_CODELISTS,
    schemas: Path | None = DEFAULT_SCHEMAS,
    max_bytes: int = MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check and parse an IATI activity file; see the module docstring for what is checked and how strictly.
    `progress(done, total)` is told of each activity read."""
    report = Report()
    content = _load(data, max_bytes=max_bytes, report=report)
    if content is None:
        return report
    root = _parse_safely(content, report=report)
    if root is None:
        return report
    report.version = (root.get("version") or "").strip()
    if not _acceptable_version(report):
        return report

    activity_elements = root.findall("iati-activity")
    starts = [element.sourceline or 0 for element in activity_elements]
    identifiers = [(element.findtext("iati-identifier") or "").strip() for element in activity_elements]

    def identifier_at(line: int | None) -> str:
        index = bisect.bisect_right(starts, line or 0) - 1
        return identifiers[index] if index >= 0 else ""

    schema_authoritative = validate(root, schemas=schemas, report=report, identifier_at=identifier_at)
    known = _known_codes(codelists, report=report)

    content_problems: list[Problem] = []
    for done, element in enumerate(activity_elements, start=1):
        reader = _ActivityReader(element, known=known, default_language=root.get(XML_LANG) or "")
        report.activities.append(reader.activity)
        report.errors.extend(reader.code_errors)
        report.warnings.extend(reader.warnings)
        content_problems.extend(reader.content_problems)
        if progress is not None:
            progress(done, len(activity_elements))
    if not schema_authoritative or not any(problem.kind == "schema" for problem in report.errors):
        report.errors.extend(content_problems)

    _check_identifiers(report.activities, report=report)
    if not report.activities and not report.errors:
        report.errors.append(Problem("the file contains no <iati-activity>", "file", root.sourceline))
    return report


# ---------------------------------------------------------------------------------------------------------------
# Size and safety


def _load(data: bytes | Path, *, max_bytes: int, report: Report) -> bytes | None:
    if isinstance(data, Path):
        try:
            size = data.stat().st_size
            if size > max_bytes:
                report.errors.append(Problem(too_large(size, max_bytes), "file"))
                return None
            with data.open("rb") as handle:
                content = handle.read(max_bytes + 1)  # a file growing while read still stops at the limit
        except OSError as error:
            report.errors.append(Problem(f"the file could not be read ({error.strerror or error})", "file"))
            return None
    else:
        content = bytes(data)
    if len(content) > max_bytes:
        report.errors.append(Problem(too_large(len(content), max_bytes), "file"))
        return None
    if not content.strip():
        report.errors.append(Problem("the file is empty", "file"))
        return None
    return content


def too_large(size: int, max_bytes: int) -> str:
    return f"the file is {_megabytes(size)}; files larger than {_megabytes(max_bytes)} are refused"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_DECLARES_ENTITY = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(r"<!DOCTYPE\s+[^\s\[>]+\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)
REFUSED_DOCTYPE = (
    "the file declares XML entities or an external DTD in a DOCTYPE; IATI files never need one, "
    "and such files are refused because they can be used to read server files or exhaust memory"
)


def _parse_safely(content: bytes, *, report: Report) -> Any:
    head = _decoded_head(content)
    doctype = _DOCTYPE.search(head)
    if doctype and (_DECLARES_ENTITY.search(head, doctype.start()) or _EXTERNAL_DTD.search(head, doctype.start())):
        report.errors.append(Problem(REFUSED_DOCTYPE, "file"))
        return None
    try:  # lxml holds the whole tree: count what it would build first (`coalition.core.limits`)
        limits.Work("the file").check_xml(content, limit=limits.MAX_IATI_ELEMENTS)
    except limits.WorkLimitExceeded as error:
        report.errors.append(Problem(error.message, "file"))
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or None
        message = re.sub(r",? line \d+, column \d+.*$", "", str(error.msg or error))
        report.errors.append(Problem(f"the file is not well-formed XML ({message})", "file", line))
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or dtd.system_url or dtd.external_id):
        report.errors.append(Problem(REFUSED_DOCTYPE, "file"))
        return None
    if root.tag != "iati-activities":
        report.errors.append(Problem(_wrong_root(root.tag), "file", root.sourceline))
        return None
    return root


def _decoded_head(content: bytes) -> str:
    """The first megabyte as text, so the DOCTYPE check also sees UTF-16 files."""
    head = content[: 1024 * 1024]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) > 1 and (head[0] == 0 or head[1] == 0)):
        encoding = "utf-16-be" if head[:2] == b"\xfe\xff" or head[0] == 0 else "utf-16-le"
        return head.decode(encoding, errors="replace")
    return head.decode("latin-1")


def _wrong_root(tag: Any) -> str:
    if tag == "iati-organisations":
        return "this is an IATI organisation file (<iati-organisations>); only activity files can be imported"
    return f"the root element is <{tag}>, not <iati-activities>: this is not an IATI activity file"


def _acceptable_version(report: Report) -> bool:
    version = report.version
    if version.startswith("1."):
        report.errors.append(
            Problem(f"this is an IATI {version} file; only versions 2.01, 2.02 and 2.03 can be imported", "file")
        )
        return False
    if version in ("2.01", "2.02"):
        report.warnings.append(
            Problem(f"version {version} file checked against the 2.03 schema: schema findings are warnings", "file")
        )
    elif version and version != "2.03":
        report.warnings.append(Problem(f"version “{version}” is not an IATI version; checked as 2.03", "file"))
    return True


# ---------------------------------------------------------------------------------------------------------------
# Codelists


@dataclass(frozen=True)
class _Codelist:
    name: str
    active: frozenset[str]
    withdrawn: frozenset[str]


def _known_codes(folder: Path | None, *, report: Report) -> dict[str, _Codelist] | None:
    if folder is None or not folder.is_dir():
        report.warnings.append(Problem("code checks skipped: the IATI codelists are not available", "file"))
        return None
    known = _codelists(folder.resolve())
    for name in CODELISTS:
        if name not in known:
            report.warnings.append(Problem(f"{name} codes not checked: the {name} codelist is missing", "file"))
    return known


Codelist = _Codelist


def load_codelists(folder: Path | None, *, report: Report) -> dict[str, Codelist] | None:
    """The codelists `read` checks codes against, for readers of other formats (the spreadsheet template).

    None, with a warning in `report`, where the folder is absent; a warning for each codelist missing from it.
    """
    return _known_codes(folder, report=report)


@functools.cache
def _codelists(folder: Path) -> dict[str, _Codelist]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    known = {}
    for name in CODELISTS:
        path = folder / f"{name}.xml"
        if not path.is_file():
            continue
        active: set[str] = set()
        withdrawn: set[str] = set()
        for item in etree.parse(str(path), parser).iterfind(".//codelist-item"):
            code = (item.findtext("code") or "").strip()
            (withdrawn if item.get("status") == "withdrawn" else active).add(code)
        known[name] = _Codelist(name, frozenset(active), frozenset(withdrawn))
    return known


def codelist_codes(folder: Path, name: str) -> frozenset[str]:
    """The codes of one IATI codelist (active and withdrawn), e.g. for checking a code a person types."""
    found = _codelists(folder.resolve()).get(name)
    return found.active | found.withdrawn if found else frozenset()


# ---------------------------------------------------------------------------------------------------------------
# One activity


class _ActivityReader:
    """Reads one <iati-activity> into an `Activity`, collecting code errors, content problems and warnings."""

    def __init__(self, element: Any, *, known: dict[str, _Codelist] | None, default_language: str) -> None:
        self.element = element
        self.known = known
        self.code_errors: list[Problem] = []
        self.content_problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.language = element.get(XML_LANG) or default_language
        identifier_element = element.find("iati-identifier")
        self.identifier = (identifier_element.text or "").strip() if identifier_element is not None else ""
        if identifier_element is None:
            self.content(element, "the activity has no <iati-identifier>")
        elif not self.identifier:
            self.warnings.append(Problem("the activity's <iati-identifier> is empty", "identifier", element.sourceline))
        self.default_currency = (element.get("default-currency") or "").strip()
        self.code("Currency", self.default_currency, "default-currency", element)
        self.activity = self.read()

    # -- problems

    def content(self, element: Any, message: str) -> None:
        self.content_problems.append(Problem(message, "content", element.sourceline, self.identifier))

    def code(self, codelist: str, code: str, what: str, element: Any, *, stored: bool = True) -> None:
        """Check a code; an unknown one is an error where the platform stores it, else (`stored=False`: flow,
        finance and aid types, transactions' organisations) a warning."""
        if not code or self.known is None or codelist not in self.known:
            return
        known = self.known[codelist]
        if code in known.active:
            return
        if code in known.withdrawn:
            message = f"{what} code “{code}” is withdrawn from the {codelist} codelist"
            self.warnings.append(Problem(message, "codelist", element.sourceline, self.identifier))
        else:
            message = f"{what} code “{code}” is not in the {codelist} codelist"
            target = self.code_errors if stored else self.warnings
            target.append(Problem(message, "codelist", element.sourceline, self.identifier))

    # -- values

    def decimal(
        self, element: Any, text: str | None, what: str, *, required: bool = False, money: bool = False
    ) -> Decimal | None:
        text = (text or "").strip()
        if not text:
            if required:
                self.content(element, f"{what} is missing")
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.content(element, f"{what} “{text}” is not a number")
            return None
        if money and abs(number) >= MAX_AMOUNT:
            self.content(element, f"{what} “{text}” is beyond any real amount ({MAX_AMOUNT_TEXT} or more)")
            return None
        return number

    def date(self, element: Any, what: str, *, attribute: str = "iso-date", required: bool = False) -> dt.date | None:
        if element is None:
            if required:
                self.content(self.element, f"{what} is missing")
            return None
        text = (element.get(attribute) or "").strip()
        if not text:
            if required:
                self.content(element, f"{what} is missing")
            return None
        try:
            return dt.date.fromisoformat(text[:10])  # xs:date may carry a zone offset, which a date ignores
        except ValueError:
            self.content(element, f"{what} “{text}” is not a date in the form YYYY-MM-DD")
            return None

    def narratives(self, element: Any) -> dict[str, str]:
        texts: dict[str, str] = {}
        if element is None:
            return texts
        for narrative in element.iterfind("narrative"):
            text = " ".join((narrative.text or "").split())
            language = narrative.get(XML_LANG) or self.language
            if text:
                texts[language] = f"{texts[language]}\n\n{text}" if language in texts else text
        return texts

    def first_narrative(self, element: Any) -> str:
        texts = self.narratives(element)
        return texts.get(self.language) or next(iter(texts.values()), "")

    def organisation(
        self, element: Any, *, activity_id_attribute: str, what: str, stored: bool = True
    ) -> Organisation | None:
        if element is None:
            return None
        org_type = _attribute(element, "type")
        self.code("OrganisationType", org_type, f"{what} type", element, stored=stored)
        return Organisation(
            ref=_attribute(element, "ref"),
            type=org_type,
            name=self.first_narrative(element),
            activity_id=_attribute(element, activity_id_attribute) if activity_id_attribute else "",
        )

    def money(self, element: Any, what: str) -> tuple[Decimal | None, str, dt.date | None]:
        value_element = element.find("value")
        if value_element is None:
            self.content(element, f"{what} has no <value>")
            return None, self.default_currency, None
        value = self.decimal(value_element, value_element.text, f"{what} value", required=True, money=True)
        currency = _attribute(value_element, "currency")
        self.code("Currency", currency, f"{what} currency", value_element)
        currency = currency or self.default_currency
        if not currency:
            self.warnings.append(
                Problem(
                    f"{what} value has no currency and the activity has no default-currency",
                    "content",
                    value_element.sourceline,
                    self.identifier,
                )
            )
        value_date = self.date(value_element, f"{what} value-date", attribute="value-date")
        return value, currency, value_date

    def sector(self, element: Any, *, percentage: bool) -> Sector:
        vocabulary = _attribute(element, "vocabulary") or "1"
        code = _attribute(element, "code")
        self.code("SectorVocabulary", vocabulary, "sector vocabulary", element)
        if vocabulary == "1":
            self.code("Sector", code, "sector", element)
        elif vocabulary == "2":
            self.code("SectorCategory", code, "sector", element)
        share = self.decimal(element, element.get("percentage"), "sector percentage") if percentage else None
        return Sector(vocabulary=vocabulary, code=code, percentage=share)

    # -- the activity

    def read(self) -> Activity:
        element = self.element
        hierarchy_text = _attribute(element, "hierarchy") or "1"
        activity = Activity(
            identifier=self.identifier,
            line=element.sourceline,
            reporting_org=self.organisation(
                element.find("reporting-org"), activity_id_attribute="", what="reporting-org"
            )
            or Organisation(),
            default_currency=self.default_currency,
            language=self.language,
            hierarchy=int(hierarchy_text) if hierarchy_text.lstrip("-").isdigit() else None,
            humanitarian=_attribute(element, "humanitarian") in ("1", "true"),
            last_updated_at=_aware(_attribute(element, "last-updated-datetime")),
            title=self.narratives(element.find("title")),
        )
        for description in element.iterfind("description"):
            by_language = activity.descriptions.setdefault(_attribute(description, "type") or "1", {})
            for language, text in self.narratives(description).items():
                by_language[language] = f"{by_language[language]}\n\n{text}" if language in by_language else text
        for org in element.iterfind("participating-org"):
            role, org_type = _attribute(org, "role"), _attribute(org, "type")
            self.code("OrganisationRole", role, "participating-org role", org)
            self.code("OrganisationType", org_type, "participating-org type", org)
            activity.participating_orgs.append(
                ParticipatingOrg(
                    role=role,
                    ref=_attribute(org, "ref"),
                    type=org_type,
                    name=self.first_narrative(org),
                    activity_id=_attribute(org, "activity-id"),
                )
            )
        status = element.find("activity-status")
        if status is not None:
            activity.activity_status = _attribute(status, "code")
            self.code("ActivityStatus", activity.activity_status, "activity-status", status)
        for date_element in element.iterfind("activity-date"):
            date_type = _attribute(date_element, "type")
            self.code("ActivityDateType", date_type, "activity-date type", date_element)
            on = self.date(date_element, "activity-date", required=True)
            if on is not None and date_type:
                activity.dates[date_type] = on
        for country in element.iterfind("recipient-country"):
            code = _attribute(country, "code")
            self.code("Country", code, "recipient-country", country)
            share = self.decimal(country, country.get("percentage"), "recipient-country percentage")
            activity.recipient_countries.append(RecipientCountry(code=code, percentage=share))
        for region in element.iterfind("recipient-region"):
            code, vocabulary = _attribute(region, "code"), _attribute(region, "vocabulary") or "1"
            if vocabulary == "1":
                self.code("Region", code, "recipient-region", region)
            share = self.decimal(region, region.get("percentage"), "recipient-region percentage")
            activity.recipient_regions.append(RecipientRegion(code=code, vocabulary=vocabulary, percentage=share))
        activity.sectors = [self.sector(sector, percentage=True) for sector in element.iterfind("sector")]
        for marker in element.iterfind("policy-marker"):
            vocabulary, code = _attribute(marker, "vocabulary") or "1", _attribute(marker, "code")
            significance = _attribute(marker, "significance")
            if vocabulary == "1":
                self.code("PolicyMarker", code, "policy-marker", marker)
                self.code("PolicySignificance", significance, "policy-marker significance", marker)
            activity.policy_markers.append(PolicyMarker(vocabulary=vocabulary, code=code, significance=significance))
        activity.default_flow_type = self.simple_code(element, "default-flow-type", "FlowType")
        activity.default_finance_type = self.simple_code(element, "default-finance-type", "FinanceType")
        activity.default_aid_types = self.aid_types(element, "default-aid-type")
        activity.budgets = [self.budget(budget) for budget in element.iterfind("budget")]
        activity.planned_disbursements = [self.planned(planned) for planned in element.iterfind("planned-disbursement")]
        activity.transactions = [self.transaction(transaction) for transaction in element.iterfind("transaction")]
        for related in element.iterfind("related-activity"):
            related_type = _attribute(related, "type")
            self.code("RelatedActivityType", related_type, "related-activity type", related)
            activity.related_activities.append(RelatedActivity(type=related_type, ref=_attribute(related, "ref")))
        return activity

    def simple_code(self, parent: Any, tag: str, codelist: str) -> str:
        element = parent.find(tag)
        if element is None:
            return ""
        code = _attribute(element, "code")
        self.code(codelist, code, tag, element, stored=False)  # flow and finance types are never stored
        return code

    def aid_types(self, parent: Any, tag: str) -> list[tuple[str, str]]:
        found = []
        for element in parent.iterfind(tag):
            vocabulary, code = _attribute(element, "vocabulary") or "1", _attribute(element, "code")
            if vocabulary == "1":
                self.code("AidType", code, tag, element, stored=False)  # aid types are never stored
            found.append((vocabulary, code))
        return found

    def budget(self, element: Any) -> Budget:
        # The standard's defaults when absent: type 1 (original), status 1 (indicative).
        budget_type, status = _attribute(element, "type") or "1", _attribute(element, "status") or "1"
        self.code("BudgetType", budget_type, "budget type", element)
        self.code("BudgetStatus", status, "budget status", element)
        value, currency, value_date = self.money(element, "budget")
        return Budget(
            type=budget_type,
            status=status,
            period_start=self.date(element.find("period-start"), "budget period-start", required=True),
            period_end=self.date(element.find("period-end"), "budget period-end", required=True),
            value=value,
            currency=currency,
            value_date=value_date,
        )

    def planned(self, element: Any) -> PlannedDisbursement:
        planned_type = _attribute(element, "type")
        self.code("BudgetType", planned_type, "planned-disbursement type", element)
        value, currency, value_date = self.money(element, "planned-disbursement")
        return PlannedDisbursement(
            type=planned_type,
            period_start=self.date(element.find("period-start"), "planned-disbursement period-start", required=True),
            period_end=self.date(element.find("period-end"), "planned-disbursement period-end"),
            value=value,
            currency=currency,
            value_date=value_date,
            provider=self.organisation(
                element.find("provider-org"),
                activity_id_attribute="provider-activity-id",
                what="provider-org",
                stored=False,
            ),
            receiver=self.organisation(
                element.find("receiver-org"),
                activity_id_attribute="receiver-activity-id",
                what="receiver-org",
                stored=False,
            ),
        )

    def transaction(self, element: Any) -> Transaction:
        type_element = element.find("transaction-type")
        transaction_type = _attribute(type_element, "code") if type_element is not None else ""
        if not transaction_type:
            self.content(element, "transaction has no <transaction-type> code")
        else:
            self.code("TransactionType", transaction_type, "transaction-type", type_element)
        value, currency, value_date = self.money(element, "transaction")
        country_element = element.find("recipient-country")
        country = _attribute(country_element, "code") if country_element is not None else ""
        if country_element is not None:
            self.code("Country", country, "transaction recipient-country", country_element)
        region_element = element.find("recipient-region")
        region = _attribute(region_element, "code") if region_element is not None else ""
        if region_element is not None and (_attribute(region_element, "vocabulary") or "1") == "1":
            self.code("Region", region, "transaction recipient-region", region_element)
        return Transaction(
            ref=_attribute(element, "ref"),
            type=transaction_type,
            date=self.date(element.find("transaction-date"), "transaction-date", required=True),
            value=value,
            currency=currency,
            value_date=value_date,
            provider=self.organisation(
                element.find("provider-org"),
                activity_id_attribute="provider-activity-id",
                what="provider-org",
                stored=False,
            ),
            receiver=self.organisation(
                element.find("receiver-org"),
                activity_id_attribute="receiver-activity-id",
                what="receiver-org",
                stored=False,
            ),
            description=self.first_narrative(element.find("description")),
            sectors=tuple(self.sector(sector, percentage=False) for sector in element.iterfind("sector")),
            recipient_country=country,
            recipient_region=region,
            flow_type=self.simple_code(element, "flow-type", "FlowType"),
            finance_type=self.simple_code(element, "finance-type", "FinanceType"),
            aid_types=tuple(self.aid_types(element, "aid-type")),
            line=element.sourceline,
        )


def _attribute(element: Any, name: str) -> str:
    return (element.get(name) or "").strip()


def _aware(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# ---------------------------------------------------------------------------------------------------------------
# Across activities


def _check_identifiers(activities: Iterable[Activity], *, report: Report) -> None:
    first_seen: dict[str, tuple[int, int | None]] = {}
    for position, activity in enumerate(activities, start=1):
        if not activity.identifier:
            continue
        if activity.identifier in first_seen:
            earlier_position, earlier_line = first_seen[activity.identifier]
            message = (
                f"iati-identifier “{activity.identifier}” is used twice: activity {earlier_position} "
                f"(line {earlier_line}) and activity {position} (line {activity.line})"
            )
            report.errors.append(Problem(message, "identifier", activity.line, activity.identifier))
        else:
            first_seen[activity.identifier] = (position, activity.line)


__all__ = [  # the parsed model, which the other readers and the importer name through this module
    "Activity",
    "Budget",
    "Codelist",
    "Kind",
    "Organisation",
    "ParticipatingOrg",
    "PlannedDisbursement",
    "PolicyMarker",
    "Problem",
    "RecipientCountry",
    "RecipientRegion",
    "RelatedActivity",
    "Report",
    "Sector",
    "Transaction",
    "codelist_codes",
    "load_codelists",
    "read",
    "too_large",
]
