"""Small valid IATI 2.03 files for tests (the app's tests and the browser journeys)."""

from __future__ import annotations


def funding(
    identifier: str,
    *,
    reporter: str = "XM-DAC-7",
    title: str = "Digital rights defenders",
    description: str = "Support to human rights defenders working online.",
    country: str = "KE",
    sector: str = "15160",
    implementer: str = "Internews",
    implementer_ref: str = "",
    start: str = "2024-01-01",
    end: str = "2025-12-31",
    status: str = "2",
    currency: str = "EUR",
    budget: str = "1000000",
    extra: str = "",
) -> str:
    """One valid 2.03 <iati-activity> (schema order kept) with one budget and one commitment."""
    ref = f' ref="{implementer_ref}"' if implementer_ref else ""
    return f"""
  <iati-activity default-currency="{currency}" xml:lang="en" last-updated-datetime="2024-05-01T10:00:00">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="{reporter}" type="10"><narrative>Reporter {reporter}</narrative></reporting-org>
    <title><narrative>{title}</narrative></title>
    <description type="1"><narrative>{description}</narrative></description>
    <participating-org role="1" ref="{reporter}" type="10"><narrative>Funder</narrative></participating-org>
    <participating-org role="4" type="21"{ref}><narrative>{implementer}</narrative></participating-org>
    <activity-status code="{status}"/>
    <activity-date type="1" iso-date="{start}"/>
    <activity-date type="3" iso-date="{end}"/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    <budget type="1" status="1">
      <period-start iso-date="{start}"/><period-end iso-date="{end}"/>
      <value value-date="{start}">{budget}</value>
    </budget>
    <transaction>
      <transaction-type code="2"/><transaction-date iso-date="{start}"/>
      <value value-date="{start}">{budget}</value>
    </transaction>{extra}
  </iati-activity>"""


def iati_file(*activities: str, version: str = "2.03") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">'
    return f"{head}{''.join(activities)}\n</iati-activities>\n".encode()
