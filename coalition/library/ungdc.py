"""Importing the UN General Debate Corpus (Jankin, Baturo & Dasandi; one JSON object per speech and line) into the
library: each speech becomes a public `speech` source of the UN General Assembly, dated to its year, delivered by
its country's government when the directory has one. Importing the same file again adds nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.library import services
from coalition.library.models import Source


@dataclass
class Report:
    imported: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)  # "line 12: why"
    sources: list[int] = field(default_factory=list)  # the ids of the speeches imported


def import_speeches(path: Path, *, by: Any, detect: bool = False) -> Report:
    report = Report()
    countries = {c.alpha3: c for c in Country.objects.all()}
    governments = {o.country_id: o for o in Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT)}
    known = set(Source.objects.filter(kind=Source.Kind.SPEECH).values_list("origin", flat=True))
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                iso3, year, session, text = row["iso3"], int(row["year"]), int(row["session"]), row["text"]
                origin = str(row.get("source_path") or f"UNGDC/{iso3}_{session}_{year}")[:300]
            except (ValueError, KeyError, TypeError) as error:
                report.skipped.append(f"line {number}: not a speech record ({error})")
                continue
            if origin in known:
                report.already += 1
                continue
            country = countries.get(iso3)
            speaker = country.name if country else iso3
            try:
                source = services.import_text(
                    by=by,
                    text=text,
                    file_name=origin,
                    kind=Source.Kind.SPEECH,
                    title=f"{speaker}: General Debate, {ordinal(session)} session of the General Assembly ({year})",
                    forum="UNGA",
                    year=year,
                    author=speaker,
                    author_country=country,
                    endorsed_by=[governments[country.pk]] if country and country.pk in governments else [],
                    classification=Classification.PUBLIC,
                    detect=detect,
                )
            except InvalidInput as error:
                report.skipped.append(f"line {number} ({iso3} {year}): {error.message}")
                continue
            known.add(origin)
            report.imported += 1
            report.sources.append(source.pk)
    return report


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 73rd: the title is English whatever the reader's language, so
    this is not the translated ordinal of `django.contrib.humanize`."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{_SUFFIXES.get(number % 10, 'th')}"


_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}
