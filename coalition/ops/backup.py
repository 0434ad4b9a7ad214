"""`manage.py backup`: one consistent, timestamped archive of what the platform holds.

The archive (`coalition-backup-<UTC time>.tar`) holds the database — a PostgreSQL custom-format dump (`pg_dump -Fc`)
or a copy made by SQLite's online backup API — the uploaded files (the default storage's folder, under `media/`), and
`manifest.json`: the format, when and from which database vendor it was made, the latest migration of each app, the
rows of every table, and the SHA-256 of every other file in the archive. On PostgreSQL the row counts and the dump read
the same exported snapshot, so they agree even while people keep working.

It never holds the field-encryption keys nor the ledger signing key: those are kept elsewhere (docs/operations.md).
The manifest records only a short fingerprint of each, so a restore can say which key it needs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from coalition.core.errors import CoalitionError

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"  # the manifest's own sum, so a changed byte in it is caught too
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(CoalitionError):
    """A backup or a restore could not be made; the message says why."""


def sha256_of(handle: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def fingerprint(key: str) -> str:
    """The first 8 hex digits of the key's SHA-256: enough to tell keys apart, nothing to recover one from."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:8]


def field_encryption_keys() -> list[str]:
    """The configured field-encryption keys, newest first, without creating a key file where none is."""
    keys = [key for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if keys:
        return keys
    path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
    return [path.read_text().strip()] if path.exists() else []


def ledger_signing_key() -> str:
    if settings.LEDGER_SIGNING_KEY:
        return str(settings.LEDGER_SIGNING_KEY)
    path = Path(settings.LEDGER_SIGNING_KEY_FILE)
    return path.read_text().strip() if path.exists() else ""


def key_fingerprints() -> dict[str, Any]:
    signing = ledger_signing_key()
    return {
        "field_encryption": [fingerprint(key) for key in field_encryption_keys()],
        "ledger_signing": fingerprint(signing) if signing else None,
    }


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files() -> list[Path]:
    root = media_root()
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else []


# --- Reading a database's tables and migrations (any DB-API cursor) --------------------------------------------


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor: Any, vendor: str) -> dict[str, int]:
    counts = {}
    for table in table_names(cursor, vendor):
        # Names read from the catalogue, never from a person.
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def latest_migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# --- The database --------------------------------------------------------------------------------------------


def postgres_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq variables that point pg_dump and pg_restore at the database Django uses."""
    env = dict(os.environ)
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")]:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(settings_dict["OPTIONS"]["sslmode"])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed)") from None
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")


def _postgres_connect(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    try:
        return psycopg.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None,
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot reach the database {settings_dict['NAME']}: {str(error).strip()}") from None


def dump_postgres(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """pg_dump -Fc of the database, and its row counts and migrations read in the same snapshot."""
    settings_dict = connection.settings_dict
    with contextlib.closing(_postgres_connect(settings_dict)) as held:
        with held.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(cursor, "postgresql")
            migrations = latest_migrations(cursor)
            command = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)]
            run_tool(command, postgres_environment(settings_dict))
        held.rollback()
    return counts, migrations


def copy_sqlite(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """A copy through SQLite's online backup API (consistent while others write), and its row counts."""
    if not Path(connection.settings_dict["NAME"]).is_file():
        raise BackupError(f"No database at {connection.settings_dict['NAME']}")
    source = contextlib.closing(sqlite3.connect(connection.settings_dict["NAME"]))
    with source as live, contextlib.closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    with contextlib.closing(sqlite3.connect(target)) as copy:
        cursor = copy.cursor()
        cursor.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return row_counts(cursor, "sqlite"), latest_migrations(cursor)


# --- The archive ---------------------------------------------------------------------------------------------


def archive_name(created: dt.datetime) -> str:
    return f"coalition-backup-{created:%Y%m%dT%H%M%SZ}.tar"


def create_backup(*, output: Path) -> Path:
    """Write the archive into the folder `output` and return its path. It appears under its name only once whole."""
    output.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = output / archive_name(created)
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"No backup for a {vendor} database")
    with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as work:
        database = Path(work) / (POSTGRES_FILE if vendor == "postgresql" else SQLITE_FILE)
        counts, migrations = (dump_postgres if vendor == "postgresql" else copy_sqlite)(database)
        files: list[tuple[str, Path]] = [(database.name, database)]
        root = media_root()
        files += [(f"{MEDIA}/{file.relative_to(root).as_posix()}", file) for file in media_files()]
        sums = {}
        for name, file in files:
            with file.open("rb") as handle:
                sums[name] = sha256_of(handle)
        manifest = {
            "format": FORMAT,
            "created": created.isoformat().replace("+00:00", "Z"),
            "vendor": vendor,
            "database": database.name,
            "migrations": migrations,
            "tables": counts,
            "keys": key_fingerprints(),
            "files": sums,
        }
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
            line = f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n".encode()
            info = tarfile.TarInfo(MANIFEST_SUM)
            info.size, info.mtime, info.mode = len(line), int(created.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(line))
            for name, file in files:
                archive.add(file, arcname=name, recursive=False)
        partial.chmod(0o600)  # personal data: readable by the operator only
        partial.replace(path)
    return path


def members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in archive.getmembers():
        if member.isfile():
            yield member
