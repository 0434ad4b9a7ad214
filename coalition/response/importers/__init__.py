"""Signal importers (PoA 1B.3): monitoring data in its real formats, normalised to `Signal` rows.

One entry point, `import_file`, takes a file as it was downloaded and applies it whole or not at all. Each format has
a parser that yields a `Row` (a normalised signal), a `Skip` (a row that is legitimately not a signal, reported in
`ImportBatch.skipped`) or a `RowError` (a data error: the whole file is refused with a per-row list). A file that
cannot be read at all (truncated JSON, not a CSV, not a workbook or a workbook whose sheet is cut off, columns
renamed or missing) is refused with one message: whatever a reader raises is a refusal, never a server error.
STOP sheets are CSV or XLSX; OONI, IODA and Radar files are JSON as their APIs return it, and anything else given as
one of them is refused as not JSON.
Imports are idempotent: `(source, external_id)` already present counts as `unchanged` and is left alone.

Row numbers are what a person sees: for a sheet, the spreadsheet row (the header is row 1, the first event row 2);
for JSON, the position of the item in its list (1-based: the measurement, annotation or series).

Mapping decisions
-----------------
Access Now #KeepItOn STOP sheets (CSV or XLSX; the first non-blank row is the header; header names are compared
without case and surrounding or repeated spaces). Three layouts, told apart by their columns. A workbook is read
sheet by sheet, as the raw #KeepItOn workbook keeps one sheet per year or group of years ("2016+2017+2018 ", "2019",
"2020 Data", …) beside notes: every sheet whose header has half or more of a layout's columns is read in it (and
refused, naming the sheet, for the columns it lacks); any other sheet (notes, a summary table, an empty sheet, a
chart) is reported in `skipped` with the sheet's name and why, without a row. In a workbook of several sheets, rows
are named by sheet and row ("sheet “2019”, row 12"); a file with no STOP sheet at all is refused.

- 2016–2018 (`id`, `year`, `shutdown_type_group`, `shutdown_type`, …): `shutdown_type_group` decides the kind:
  "Service-based" → platform_block, "Throttling" → throttling, "Full network" / "Mobile Internet" / "Broadband
  Internet" → full_shutdown; when the group is blank, `shutdown_type` is read the same way.
- 2019 (`ID`, `shutdown_type_new`, `affected_network`, `full or service-based`, …) and 2020+ (45 columns:
  `shutdown_type`, `affected_network`, `shutdown_extent`, …): a type naming "Shutdown" is full_shutdown when the
  extent names the full network, platform_block when the extent is only service-based (service-based blocking);
  a type of only "Throttle" is throttling (bandwidth throttling); a type of "unknown" is read from the extent alone.
  A row whose kind cannot be read is skipped with the values it had.
- `affected_network` (or, 2016–2018, `shutdown_type`) → network; `area_name` → region; evidence is the first URL of
  `an_link`, else of `news_link` / `info_source_link`. No ASN in STOP.
- Dates: date cells, Excel serial numbers and ISO text (YYYY-MM-DD) are read; text written month first (US) or day
  first is read where the column's name says so ("start_date (mm/dd/yyyy)", "end_date (dd/mm/yyyy)"), and refused,
  naming the expected format, where it does not (3/5/2021 is March or May). A number is a serial date only if it
  lands between 2000 and a year from now, and any day before 2000 is refused: a bare year (2022) in a date column
  would otherwise read as 1905-07-14. A STOP date is a whole UTC day: `starts_at` is the start day's 00:00 UTC and
  `ends_at` 00:00 UTC of the day after the end day, and `whole_days` tells pages to show those days (so do OONI
  daily aggregates). An end given as words ("ongoing", "Unknown", "4/1/2018 upon CAF
  visit") leaves `ends_at` empty and keeps the words in `details["end_note"]`.
- Dataset year: the `dataset_year` argument, else the row's `year` column (the 2016–2018 sheet), else the single
  year in the sheet's name ("2020 Data"), else the single year in the file name (`stop_2019.csv`,
  `stop_2020_data.csv`). A workbook of several STOP sheets takes each sheet's year from the sheet: a `dataset_year`
  given for it is refused, and so is a sheet that says no year. A sheet lists the events that started in its year
  and some long-running ones from before, so a given (or named) year that none of the events start in, or that some
  start after, is refused naming `dataset_year`. The identity never depends on that year: external_id is
  `"<layout>:<id column>"` ("2016-2018:17", "2019:17": each layout's sheet numbers its own rows), or, for the 2020+
  layout that has no id, the hash of start, end, country, area, type, network, extent and evidence link; a second
  row with the same hash is skipped as "same event as row N" (the sheets with an id column are keyed by it: rows 202
  and 203 of the 2016–2018 sheet look alike but have their own ids, durations and causes, so both are kept; a repeated
  id refuses the sheet, as does an id two sheets of one layout in a workbook both use). An event the 2020 and 2021
  sheets both list word for word is one signal, of the first sheet imported (in one workbook, the later row is
  skipped as the same event); one whose end the later sheet filled in is a row of its own.
- The real sheets are hand-kept. Three rows of the 2020 sheet end before they start; such a STOP row is a reported
  skip, not a refusal of the sheet (the JSON sources, machine-made, are refused for it). Every country in the real
  sheets resolves, so an unknown country refuses a STOP sheet like any other file.
- Countries by name: the directory's names, then `pycountry`'s exact lookups, then `country_converter`'s regular
  expressions ("Russia", "SriLanka", "Iran (Islamic Republic of)", "DemocraticRepublicCongo", "Myanmar (Burma)").

OONI (API bodies, or the stored HTTP fixtures `{"status", "contentType", "body"}` which are unwrapped):

- A measurement (`measurement_meta`, or each item of a `/measurements` search listing): anomaly or confirmed in a
  platform test (web_connectivity, whatsapp, telegram, signal, facebook_messenger, and the circumvention tools tor,
  vanilla_tor, torsf, psiphon, riseupvpn) → platform_block at `measurement_start_time`, `ends_at` the same instant
  (one observation), ASN from `probe_asn` (812 or "AS812"), evidence `https://explorer.ooni.org/m/<uid>`, external_id
  the `measurement_uid`. Skipped: no anomaly; failed measurements; anomalies in tests that do not show a blocked
  platform (middlebox, performance tests); probe country "ZZ" (OONI's unknown).
- An aggregation: one signal per (country, network, day) when `confirmed_count` ≥ 1 (a known block page was seen) or
  the anomaly share is ≥ 30 % of at least 20 measurements; other days are skipped with their figures. The country is
  `probe_cc` of the row, else the caller's `country`; an aggregation without either (the stored sample is global)
  has its days skipped. The test name comes from the file name (`test_name-web_connectivity`) when given.

IODA API v2 `signals`: each series (entity × datasource) is a row. Reachability datasources (bgp, ping-slash24,
merit-nt, gtr, gtr-norm) give one `outage` signal per run of points below 50 % of the series' median; other
datasources (the upstream-delay latency series in the samples) are skipped. Country entities carry their ISO code;
ASN and region entities have no country in the response, so they use the caller's `country` or are skipped.
`values` must be a list of numbers and nulls: anything else (a string, an object, a quoted number) refuses the file
naming the field, never read letter by letter as "no data".

Cloudflare Radar `annotations/outages`: one signal per annotation and location (ISO-2); outageCause
GOVERNMENT_DIRECTED → full_shutdown, any other cause → outage; a single listed ASN goes to `asn`; `scope` → region;
`linkedUrl` → evidence; external_id is the annotation's `id`, or a hash of its content, with the location appended.
`locations` must be a list of codes and `asns` a list of AS numbers; a string there refuses the file naming the field
and what it should be (it was read letter by letter: "unknown country code “I”").

The package has one module per source format (`stop`, `ooni`, `ioda`, `cloudflare`), what they share (`rows`: what a
parser yields; `values`: countries, cells, days, JSON), and the entry point (`importing`).
"""

from coalition.response.importers.importing import detect_source, import_file, ingest_file, parse_file
from coalition.response.importers.ooni import OONI_PLATFORM_TESTS
from coalition.response.importers.rows import IMPORTABLE, MAX_ROWS, Row, RowError, Skip, describe_skip
from coalition.response.importers.values import Countries

__all__ = [
    "IMPORTABLE",
    "MAX_ROWS",
    "OONI_PLATFORM_TESTS",
    "Countries",
    "Row",
    "RowError",
    "Skip",
    "describe_skip",
    "detect_source",
    "import_file",
    "ingest_file",
    "parse_file",
]
