"""Validating an IATI activity file against the IATI schema, from the schema's own folder (never the web), and the
schema's findings in plain words. A finding is an error in a 2.03 file where it touches what the platform reads and
stores of an activity, and a warning otherwise (`read` decides which versions are checked this way)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from coalition.donors.ingest.model import Problem, Report

MAX_SCHEMA_PROBLEMS = 200
ACTIVITY_SCHEMA = "iati-activities-schema.xsd"
SCHEMA_FILES = (ACTIVITY_SCHEMA, "iati-common.xsd", "xml.xsd")


class _LocalSchemaFiles(etree.Resolver):
    """Resolves the schema's includes and imports (iati-common.xsd, xml.xsd) from its own folder, never the web."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        name = system_url.replace("\\", "/").rsplit("/", 1)[-1]
        if name not in SCHEMA_FILES:
            raise etree.XMLSchemaParseError(f"refusing to load {system_url}: not one of the IATI schema files")
        return self.resolve_filename(str(self.folder / name), context)


@functools.cache
def _schema(folder: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalSchemaFiles(folder))
    return etree.XMLSchema(etree.parse(str(folder / ACTIVITY_SCHEMA), parser))


def validate(root: Any, *, schemas: Path | None, report: Report, identifier_at: Callable[[int | None], str]) -> bool:
    """Validate; True when schema errors are errors (a 2.03 file), False when they are warnings or not checked."""
    if schemas is None or not (schemas / ACTIVITY_SCHEMA).is_file():
        report.warnings.append(Problem("schema validation skipped: the IATI 2.03 schema is not available", "file"))
        return False
    schema = _schema(schemas.resolve())
    authoritative = report.version not in ("2.01", "2.02")
    if schema.validate(root):
        return authoritative
    tree = root.getroottree()
    entries = list(schema.error_log)
    for entry in entries[:MAX_SCHEMA_PROBLEMS]:
        target = report.errors if authoritative and _relied_on(entry.path) else report.warnings
        target.append(Problem(_plain_words(entry, tree), "schema", entry.line, identifier_at(entry.line)))
    if len(entries) > MAX_SCHEMA_PROBLEMS:
        refused = authoritative and any(problem.kind == "schema" for problem in report.errors)
        target = report.errors if refused else report.warnings
        target.append(Problem(f"… and {len(entries) - MAX_SCHEMA_PROBLEMS} more schema problems", "schema"))
    return authoritative


# What the platform reads and stores of an activity (`records.record_of`): a schema finding in any other child of
# <iati-activity> (<country-budget-items>, <default-aid-type>, <result>, <location>, an extension…) or in a child
# of these that is never stored is a warning, so a file is not refused over what the platform never uses.
RELIED_ON = frozenset(
    {"iati-identifier", "reporting-org", "title", "description", "participating-org", "activity-status"}
    | {"activity-date", "recipient-country", "recipient-region", "sector", "policy-marker", "budget"}
    | {"planned-disbursement", "transaction", "related-activity"}
)
NEVER_STORED_INSIDE = {
    "transaction": frozenset(
        {"description", "provider-org", "receiver-org", "disbursement-channel", "flow-type", "finance-type"}
        | {"aid-type", "tied-status"}
    ),
    "planned-disbursement": frozenset({"provider-org", "receiver-org"}),
}
_STEP = re.compile(r"^(?:\*\[local-name\(\)\s*=\s*'(?P<local>[^']*)'\]|(?P<name>[^\[]*))")


def _relied_on(path: str | None) -> bool:
    """Whether a schema finding at `path` (libxml2's XPath of the element) is in what the platform relies on; the
    file's root, an activity's own attributes and anything whose place is unknown are."""
    steps = []
    for step in (path or "").split("/"):
        found = _STEP.match(step)
        steps.append((found["local"] or found["name"]) if found else step)
    if "iati-activity" not in steps:
        return True
    inside = steps[steps.index("iati-activity") + 1 :]
    if not inside:
        return True
    if inside[0] not in RELIED_ON:
        return False
    return len(inside) < 2 or inside[1] not in NEVER_STORED_INSIDE.get(inside[0], frozenset())


_ENTRY = re.compile(r"^Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<rest>.*)$", re.S)
_NOT_EXPECTED = re.compile(
    r"^This element is not expected\.(?: Expected is (?P<one_of>one of )?\( (?P<expected>.*) \))?"
)
_MISSING_CHILD = re.compile(r"^Missing child element\(s\)\. Expected is (?P<one_of>one of )?\( (?P<expected>.*) \)")
_REQUIRED_ATTRIBUTE = re.compile(r"^The attribute '(?P<name>[^']+)' is required but missing")
_ATTRIBUTE_NOT_ALLOWED = re.compile(r"^The attribute '(?P<name>[^']+)' is not allowed")
_BAD_VALUE = re.compile(
    r"^'(?P<value>.*)' is not a valid value of the (?:local )?(?:atomic|union|list) type(?: '(?P<type>[^']+)')?"
)
_FACET = re.compile(r"^\[facet '[^']+'\] (?P<message>.*)$", re.S)
_TEXT_NOT_ALLOWED = "Character content other than whitespace is not allowed"
TYPE_WORDS = {
    "xs:decimal": "a number",
    "xs:date": "a date in the form YYYY-MM-DD",
    "xs:dateTime": "a date and time such as 2014-09-10T07:15:37Z",
    "xs:boolean": "1, 0, true or false",
    "xs:int": "a whole number",
    "xs:integer": "a whole number",
    "xs:positiveInteger": "a whole number above zero",
    "xs:nonNegativeInteger": "a whole number, zero or more",
    "xs:anyURI": "a web address",
}


def _plain_words(entry: Any, tree: Any) -> str:
    """Translate libxml2's schema messages, e.g. "<budget> needs a <period-start> before <value>"."""
    raw = entry.message.strip()
    matched = _ENTRY.match(raw)
    if not matched:
        return raw
    element, attribute, rest = matched["element"], matched["attribute"], matched["rest"].strip()
    tag = f"<{element}>"
    if found := _NOT_EXPECTED.match(rest):
        node = _node(tree, entry.path)
        parent = f"<{node.getparent().tag}>" if node is not None and node.getparent() is not None else "its parent"
        if node is not None and any(sibling.tag == node.tag for sibling in node.itersiblings(preceding=True)):
            return f"{parent} has more than one {tag}; only one is allowed"
        expected = _names(found["expected"] or "")
        if expected and not found["one_of"] and "##other" not in (found["expected"] or ""):
            return f"{parent} needs {_a(expected[0])} before {tag}"
        if expected:
            return f"{tag} is not allowed here in {parent} (expected {_or(expected)})"
        return f"{tag} is not allowed here in {parent}"
    if found := _MISSING_CHILD.match(rest):
        expected = _names(found["expected"])
        if not found["one_of"] and len(expected) == 1:
            return f"{tag} needs {_a(expected[0])}"
        return f"{tag} is incomplete: it needs {_or(expected)}"
    if found := _REQUIRED_ATTRIBUTE.match(rest):
        return f"{tag} needs the attribute {found['name']}"
    if found := _ATTRIBUTE_NOT_ALLOWED.match(rest):
        return f"{tag} does not allow the attribute {found['name']}"
    if found := _BAD_VALUE.match(rest):
        wanted = TYPE_WORDS.get(found["type"] or "", "an allowed value")
        where = f'{tag} attribute {attribute}="{found["value"]}"' if attribute else f"{tag} “{found['value']}”"
        return f"{where} is not {wanted}"
    if rest.startswith(_TEXT_NOT_ALLOWED):
        return f"{tag} must not contain text (only attributes and child elements)"
    if found := _FACET.match(rest):
        return f"{tag}{f' attribute {attribute}' if attribute else ''}: {found['message']}"
    return f"{tag}{f' attribute {attribute}' if attribute else ''}: {rest}"


def _node(tree: Any, path: str | None) -> Any:
    if not path:
        return None
    try:
        found = tree.xpath(path)
    except etree.XPathError:
        return None
    return found[0] if isinstance(found, list) and found and etree.iselement(found[0]) else None


def _names(expected: str) -> list[str]:
    return [f"<{name.strip()}>" for name in expected.split(",") if name.strip() and not name.strip().startswith("##")]


def _a(name: str) -> str:
    return f"{'an' if name[1:2] in 'aeiou' else 'a'} {name}"


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"one of {', '.join(names)}"
