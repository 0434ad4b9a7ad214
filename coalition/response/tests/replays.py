"""Replays of real shutdown episodes for corroboration (issue 15, item 4): signals arrive in the order the sources would
have delivered them, alerts are raised after each arrival, and the alerts a reviewer should see are written down.

Dates, places and kinds come from Access Now's STOP sheets (`../shared/data/shutdowns/accessnow-stop`) and from
public reporting of IODA and Cloudflare Radar on the same events; the hours of the measured outages and the OONI
measurements are modelled on that reporting (no IODA or Radar series of these events is stored here). Used by
`test_corroboration_replays.py` and by `bench/corroboration.py`, which prints expected and actual alerts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from coalition.directory.models import Country
from coalition.response import services
from coalition.response.models import Alert, Signal, SignalKind, Source

UTC = dt.UTC


@dataclass(frozen=True)
class Seen:
    """A signal as its source delivers it."""

    source: str
    country: str  # ISO 3166-1 alpha-2
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    region: str = ""
    asn: int | None = None
    whole_days: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """At `at`, these signals have come in and alerts are raised; `expect` lists every alert there should then be
    (country, sources, first signal, last signal), or is None where the step is not checked."""

    at: dt.datetime
    arrive: tuple[Seen, ...]
    expect: tuple[tuple[str, tuple[str, ...], str, str], ...] | None = None


@dataclass(frozen=True)
class Replay:
    name: str
    story: str
    steps: tuple[Step, ...]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def stop(
    country: str, first: str, last: str | None, area: str, kind: str = SignalKind.FULL_SHUTDOWN, **details: str
) -> Seen:
    """A STOP row: whole UTC days from `first` to `last` (None: no end recorded)."""
    ends_at = at(last) + dt.timedelta(days=1) if last else None
    return Seen(Source.STOP, country, kind, at(first), ends_at, region=area, whole_days=True, details=details)


def measured(source: str, country: str, start: str, end: str, kind: str = SignalKind.OUTAGE, **fields: Any) -> Seen:
    return Seen(source, country, kind, at(start), at(end), **fields)


def _days(first: str, last: str) -> Iterator[dt.date]:
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _myanmar_february() -> Replay:
    rakhine = stop("MM", "2020-02-03", None, "five townships in Rakhine State", shutdown_status="Ongoing")
    return Replay(
        "1. Ongoing regional shutdown + new national outage (Myanmar, February 2021)",
        "The mobile shutdown of five Rakhine townships (STOP, since 3 February 2020, ongoing) is a year old when the "
        "military cuts the whole country off on 1 February 2021, 03:00–10:00 local time, and again on 6–7 February. "
        "IODA sees each national outage first, Cloudflare Radar annotates it later.",
        (
            Step(at("2021-01-20 00:00"), (rakhine,), ()),
            Step(
                at("2021-02-01 04:00"),
                (measured(Source.IODA, "MM", "2021-01-31 20:30", "2021-02-01 03:30"),),
                (("MM", ("ioda", "stop"), "2021-01-31 20:30", "2021-02-01 03:30"),),
            ),
            Step(
                at("2021-02-01 06:00"),
                (measured(Source.CLOUDFLARE, "MM", "2021-01-31 20:30", "2021-02-01 04:00", SignalKind.FULL_SHUTDOWN),),
                (("MM", ("cloudflare", "ioda", "stop"), "2021-01-31 20:30", "2021-02-01 04:00"),),
            ),
            Step(
                at("2021-02-07 12:00"),
                (
                    measured(Source.IODA, "MM", "2021-02-06 03:30", "2021-02-07 07:30"),
                    measured(Source.CLOUDFLARE, "MM", "2021-02-06 03:30", "2021-02-07 07:30", SignalKind.FULL_SHUTDOWN),
                ),
                (
                    ("MM", ("cloudflare", "ioda", "stop"), "2021-01-31 20:30", "2021-02-01 04:00"),
                    ("MM", ("cloudflare", "ioda", "stop"), "2021-02-06 03:30", "2021-02-07 07:30"),
                ),
            ),
        ),
    )


def _myanmar_curfew() -> Replay:
    steps = [
        Step(
            at("2021-02-05 12:00"),
            (stop("MM", "2021-02-04", None, "National", SignalKind.PLATFORM_BLOCK, shutdown_status="Ongoing"),),
        )
    ]
    for day in _days("2021-02-15", "2021-04-28"):  # every night 01:00–09:00 local time (18:30–02:30 UTC)
        end = dt.datetime.combine(day, dt.time(2, 30), UTC)
        start, tested = end - dt.timedelta(hours=8), dt.datetime.combine(day, dt.time(6), UTC)
        steps.append(
            Step(
                tested + dt.timedelta(hours=1),
                (
                    Seen(Source.IODA, "MM", SignalKind.OUTAGE, start, end),
                    Seen(Source.CLOUDFLARE, "MM", SignalKind.FULL_SHUTDOWN, start, end),
                    Seen(Source.OONI, "MM", SignalKind.PLATFORM_BLOCK, tested, tested, asn=9988),
                ),
            )
        )
    curfew = stop("MM", "2021-02-14", "2021-04-27", "Near country-wide")  # the 2021 sheet, read a day later
    steps.append(
        Step(
            at("2021-04-29 12:00"),
            (curfew,),
            (
                ("MM", ("cloudflare", "ioda", "stop"), "2021-02-14 18:30", "2021-04-28 02:30"),
                ("MM", ("ooni", "stop"), "2021-02-15 06:00", "2021-04-28 06:00"),
            ),
        )
    )
    return Replay(
        "2. Daily curfew shutdowns (Myanmar, 15 February – 28 April 2021)",
        "Every night from 15 February the whole country goes offline from 01:00 to 09:00 local time (STOP: 'Near "
        "country-wide', 14 February – 27 April, read the day after it ends). IODA and Radar see each night; beside "
        "it, Facebook stays blocked (STOP service-based block since 4 February, ongoing) and OONI's daily test on "
        "MPT (AS9988) keeps finding the block.",
        tuple(steps),
    )


def _kashmir_and_routine_blocking() -> Replay:
    districts = [  # STOP 2021 sheet: district mobile shutdowns in Jammu and Kashmir (and one in Rajasthan)
        ("2021-06-21", "2021-06-22", "Sopore, Baramulla district of Jammu and Kashmir"),
        ("2021-06-23", "2021-06-23", "Shopian, Jammu and Kashmir"),
        ("2021-06-25", "2021-06-26", "Shopian, Jammu and Kashmir"),
        ("2021-06-29", "2021-06-30", "Budgam, Jammu and Kashmir"),
        ("2021-06-30", "2021-06-30", "Kulgam, Jammu and Kashmir"),
        ("2021-07-01", "2021-07-03", "Pulwama and Shopian, Jammu and Kashmir"),
        ("2021-07-07", "2021-07-08", "Pulwama and Awantipora, Jammu and Kashmir"),
        ("2021-07-07", "2021-07-08", "A bunch of cell towers in Kashmir Valley"),
        ("2021-07-08", "2021-07-08", "Kulgam, Jammu and Kashmir"),
        ("2021-07-09", "2021-07-09", "Kulgam, Jammu and Kashmir"),
        ("2021-07-11", "2021-07-12", "Baran, Rajasthan"),
        ("2021-07-14", "2021-07-14", "Pulwama, Jammu and Kashmir"),
        ("2021-07-18", "2021-07-19", "Shopian, Jammu and Kashmir"),
        ("2021-07-22", "2021-07-24", "Sopore, Jammu and Kashmir"),
    ]
    arrivals: dict[dt.datetime, list[Seen]] = {}
    for day in _days("2021-06-01", "2021-07-31"):  # OONI: the usual blocked websites, twice a day on two networks
        for hour, asn in itertools.product((4, 16), (55836, 45609)):
            moment = dt.datetime.combine(day, dt.time(hour), UTC)
            seen = Seen(Source.OONI, "IN", SignalKind.PLATFORM_BLOCK, moment, moment, asn=asn)
            arrivals.setdefault(dt.datetime.combine(day, dt.time(23), UTC), []).append(seen)
    for first, last, area in districts:  # each row known the day after it ends
        arrivals.setdefault(at(last) + dt.timedelta(hours=23), []).append(stop("IN", first, last, area))
    ioda = measured(Source.IODA, "IN", "2021-07-07 22:00", "2021-07-08 06:00", region="Jammu and Kashmir")
    arrivals[at("2021-07-08 23:00")].append(ioda)
    alone = measured(Source.IODA, "IN", "2021-07-27 10:00", "2021-07-27 13:00", region="Jammu and Kashmir")
    arrivals[at("2021-07-27 23:00")].append(alone)
    old = stop("IN", "2018-04-03", None, "Shupiyan, Pulwama, Kulgam and Anantnag and Ganderbal, Jammu and Kashmir")
    steps = [Step(at("2021-05-31 23:00"), (old,), ())]
    steps += [Step(moment, tuple(seen)) for moment, seen in sorted(arrivals.items())]
    final = steps[-1]
    steps[-1] = Step(final.at, final.arrive, (("IN", ("ioda", "stop"), "2021-07-07", "2021-07-09"),))
    return Replay(
        "3. Routine censorship beside a shutdown (India, June–July 2021)",
        "OONI finds the usual blocked websites on Jio and Airtel every day; STOP records 14 district mobile shutdowns "
        "(13 in Jammu and Kashmir, one in Rajasthan); IODA's Jammu and Kashmir region series dips on the night of "
        "7 July and on 27 July, a day no shutdown is recorded. A 2018 STOP row about Kashmir districts has no end "
        "recorded: not an ongoing shutdown.",
        tuple(steps),
    )


def _stop_alone() -> Replay:
    return Replay(
        "4. A nationwide shutdown in STOP alone (Sudan, October 2021)",
        "After the coup of 25 October 2021 STOP records a shutdown of the entire country, ongoing; beside it, an "
        "ended regional shutdown in Amhara, Ethiopia. IODA's record of Sudan arrives a day later.",
        (
            Step(
                at("2021-10-26 12:00"),
                (
                    stop("SD", "2021-10-25", None, "Entire country", shutdown_status="Ongoing"),
                    stop("ET", "2021-09-20", "2021-10-07", "Amhara"),
                ),
                (("SD", ("stop",), "2021-10-25", "2021-10-26 12:00"),),
            ),
            Step(
                at("2021-10-27 12:00"),
                (measured(Source.IODA, "SD", "2021-10-25 03:00", "2021-10-27 09:00"),),
                (("SD", ("ioda", "stop"), "2021-10-25", "2021-10-27 12:00"),),
            ),
        ),
    )


REPLAYS = (_myanmar_february(), _myanmar_curfew(), _kashmir_and_routine_blocking(), _stop_alone())


def alerts_now() -> list[tuple[str, tuple[str, ...], str, str]]:
    """Every alert as (country, sources, first signal, last signal), a whole-day signal shown as its day."""
    rows = []
    for alert in Alert.objects.select_related("country").order_by("first_signal_at", "pk"):
        first = alert.first_signal_at.astimezone(UTC)
        last = alert.last_signal_at.astimezone(UTC)
        rows.append(
            (
                alert.country.code,
                tuple(alert.sources),
                f"{first:%Y-%m-%d}" if alert.first_signal_whole_day else f"{first:%Y-%m-%d %H:%M}",
                f"{last - dt.timedelta(days=1):%Y-%m-%d}" if alert.last_signal_whole_day else f"{last:%Y-%m-%d %H:%M}",
            )
        )
    return rows


def replay(case: Replay) -> Iterator[tuple[Step, list[tuple[str, tuple[str, ...], str, str]]]]:
    """Play the case into an empty set of signals and alerts: after each step, the step and the alerts there are."""
    countries = {country.code: country for country in Country.objects.filter(code__in={"MM", "IN", "SD", "ET"})}
    serial = itertools.count(1)
    for step in case.steps:
        for seen in step.arrive:
            Signal.objects.create(
                source=seen.source,
                external_id=f"replay:{next(serial)}",
                country=countries[seen.country],
                kind=seen.kind,
                starts_at=seen.starts_at,
                ends_at=seen.ends_at,
                region=seen.region,
                asn=seen.asn,
                whole_days=seen.whole_days,
                details=seen.details,
            )
        services.raise_alerts(now=step.at)
        yield step, alerts_now()
