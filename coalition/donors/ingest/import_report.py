"""What an import report warns of beyond the file's own validity (issue 15, item 17): amounts no exchange rate
converts, a file another publisher reports, and activities of the file that look like the same one several times.

None of these refuses a file (each can be right: a rate not yet recorded, a member importing what its agency
published, three tranches of one grant); each is said in the report, where the member reads it while it can still
act, and not only later on the heatmap. Django-free: the service passes in what it knows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from coalition.donors.ingest import iati

# IATI OrganisationType codes of public bodies: government, local government, other public sector.
PUBLIC_TYPES = frozenset({"10", "11", "15"})
TYPE_NAMES = {
    "21": "an international NGO",
    "22": "a national NGO",
    "23": "a regional NGO",
    "24": "a partner-country NGO",
    "30": "a public-private partnership",
    "40": "a multilateral organisation",
    "60": "a foundation",
    "70": "a private company",
    "71": "a private company",
    "72": "a private company",
    "73": "a private company",
    "80": "an academic or research body",
    "90": "an organisation",
}

# The OECD DAC donor codes of the DAC's member governments, as IATI identifiers carry them ("XM-DAC-7" is the
# Netherlands): what places a government publisher whose identifier has no country prefix.
DAC_MEMBERS = {
    "1": "AT", "2": "BE", "3": "DK", "4": "FR", "5": "DE", "6": "IT", "7": "NL", "8": "NO", "9": "PT",
    "10": "SE", "11": "CH", "12": "GB", "18": "FI", "20": "IS", "21": "IE", "22": "LU", "40": "GR", "50": "ES",
    "61": "SI", "68": "CZ", "69": "SK", "75": "HU", "76": "PL", "82": "EE", "83": "LV", "84": "LT", "301": "CA",
    "302": "US", "701": "JP", "742": "KR", "801": "AU", "820": "NZ",
}  # fmt: skip
_DAC = re.compile(r"XM-DAC-(\d+)(?:-|$)")
_COUNTRY_AGENCY = re.compile(r"([A-Z]{2})-[A-Z0-9_]+(?:-|$)")  # "GB-GOV-1", "NL-KVK-…", "SE-0": an agency of a country
_NOT_COUNTRIES = frozenset({"XM", "XI", "XB", "EU"})  # international registration agencies and EU institutions
SHOWN = 5  # identifiers named in one warning before "and n more"


def publisher_country(ref: str) -> str:
    """The country an organisation identifier places its organisation in, or "" where it does not say."""
    ref = ref.strip().upper()
    found = _DAC.match(ref)
    if found:
        return DAC_MEMBERS.get(found.group(1), "")
    found = _COUNTRY_AGENCY.match(ref)
    if found and found.group(1) not in _NOT_COUNTRIES:
        return found.group(1)
    return ""


def _named(identifiers: Sequence[str]) -> str:
    shown = ", ".join(identifiers[:SHOWN])
    more = len(identifiers) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def another_publisher(activities: Sequence[iati.Activity], *, member: str, member_country: str) -> list[iati.Problem]:
    """One warning for each reporting organisation of the file that is not the importing member's government: not a
    public body, or a publisher its identifier places in another country."""
    by_publisher: dict[tuple[str, str, str], list[iati.Activity]] = defaultdict(list)
    for activity in activities:
        org = activity.reporting_org
        by_publisher[(org.ref.strip(), org.type, org.name.strip())].append(activity)
    warnings = []
    for (ref, kind, name), reported in by_publisher.items():
        who = f"{name} ({ref})" if name and ref else name or ref
        country = publisher_country(ref)
        if kind and kind not in PUBLIC_TYPES:
            why = f"{who}, {TYPE_NAMES.get(kind, 'not a government')}"
        elif country and member_country and country != member_country:
            why = f"{who}, a publisher of {country}"
        else:
            continue
        one = len(reported) == 1
        warnings.append(
            iati.Problem(
                f"the reporting-org of {len(reported)} activit{'y' if one else 'ies'} is {why}, not {member}: "
                f"{'it is' if one else 'they are'} kept as {member}'s own funding. Import only what {member} funds",
                "file",
                reported[0].line,
            )
        )
    return warnings


def missing_rates(
    records: Sequence[dict[str, Any]], lines: Sequence[int | None], *, own: str, rated: frozenset[str]
) -> list[iati.Problem]:
    """One warning for each currency of the file that no exchange rate converts: its amounts are kept as reported but
    count in no total, heatmap or gap until the Support Unit records a rate."""
    by_currency: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for currency in sorted({line["currency"] for line in record["lines"]} - {own, ""} - rated):
            by_currency[currency].append(index)
    return [
        iati.Problem(
            f"no exchange rate for {currency}: the amounts of {len(found)} activit{'y' if len(found) == 1 else 'ies'} "
            f"({_named([records[i]['identifier'] for i in found])}) are kept as reported but not converted into "
            f"{own}, so they count in no total until the Support Unit records a {currency} rate",
            "amount",
            lines[found[0]],
        )
        for currency, found in sorted(by_currency.items())
    ]


def _same_words(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.casefold()))


def near_duplicates(
    records: Sequence[dict[str, Any]], lines: Sequence[int | None], amount_of: Callable[[dict[str, Any]], Any]
) -> list[iati.Problem]:
    """One warning for each group of the file's activities with the same title, dates and amount under different
    identifiers (overlap detection compares members with each other, never a member with itself). Every activity of
    the group is named with its line, so that the member can see whether it reported one activity several times."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        fields = record["fields"]
        title = _same_words(fields["title"])
        amount = amount_of(record)
        if title and amount:
            groups[(title, fields["starts_on"], fields["ends_on"], amount)].append(index)
    warnings = []
    for (_title, start, end, _amount), members in groups.items():
        if len(members) < 2:
            continue
        named = "; ".join(f"{records[i]['identifier']} (line {lines[i]})" for i in members)
        warnings.append(
            iati.Problem(
                f"{len(members)} activities have the same title, dates ({start or '—'} to {end or '—'}) and amount: "
                f"{named}. If they are one activity reported more than once, its money counts {len(members)} times",
                "content",
                lines[members[0]],
                records[members[0]]["identifier"],
            )
        )
    return warnings
