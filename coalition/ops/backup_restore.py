"""`manage.py restore ARCHIVE`: put a backup (coalition/ops/backup.py) back into an empty database, then prove it.

Nothing is touched before every file of the archive matches its SHA-256 in the manifest (and the manifest its own
sum), nor while the database holds rows of its own (unless `force`). After the restore: the row counts are compared
with the manifest, the audit ledger is verified (its chain and signed checkpoints), every encrypted value is tried
with the configured keys (and what cannot be read is named, with the fingerprint of the key it needs), the library's
index is rebuilt and its drift checked, and the platform search's index repaired where it drifted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from coalition.core import crypto, search
from coalition.core.checkpoints import verify_checkpoints
from coalition.core.ledger import verify_chain
from coalition.library import indexing
from coalition.ops.backup import (
    FORMAT,
    MANIFEST,
    MANIFEST_SUM,
    MEDIA,
    POSTGRES_FILE,
    SQLITE_FILE,
    BackupError,
    field_encryption_keys,
    fingerprint,
    key_fingerprints,
    media_files,
    media_root,
    members,
    postgres_environment,
    row_counts,
    run_tool,
    sha256_of,
)

# Rows `manage.py migrate` writes into a new database itself: a database holding only these counts as empty.
MIGRATE_WRITES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "core_ledgerhead",
    "donors_topicmapping",
}
# Where allauth keeps an authenticator's secrets (as accounts' migration 0002 encrypts them).
MFA_SECRETS = {"totp": ["secret"], "recovery_codes": ["seed", "migrated_codes"]}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- Before anything is touched ------------------------------------------------------------------------------


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def verify_archive(path: Path) -> dict[str, Any]:
    """The archive's manifest, once every file in it matches its SHA-256; else BackupError naming the file."""
    try:
        with tarfile.open(path, "r:") as archive:
            files = {member.name: member for member in members(archive)}
            if MANIFEST not in files or MANIFEST_SUM not in files:
                raise BackupError(f"{path.name} is not a Coalition backup: it has no {MANIFEST}")
            body = _read(archive, files[MANIFEST])
            if sha256_of_bytes(body) != _read(archive, files[MANIFEST_SUM]).decode().split()[0]:
                raise BackupError(f"{MANIFEST} in {path.name} does not match its SHA-256: the archive was changed")
            manifest = json.loads(body)
            if manifest.get("format") != FORMAT:
                raise BackupError(f"{MANIFEST} in {path.name} is of format {manifest.get('format')}, not {FORMAT}")
            expected: dict[str, str] = manifest["files"]
            for name, member in files.items():
                if name in (MANIFEST, MANIFEST_SUM):
                    continue
                if name not in expected or not _safe(name):
                    raise BackupError(f"{name} in {path.name} is not in its manifest: the archive was changed")
                handle = archive.extractfile(member)
                assert handle is not None
                if sha256_of(handle) != expected[name]:
                    raise BackupError(
                        f"{name} in {path.name} does not match its SHA-256 in the manifest: the archive is damaged "
                        "or was changed, and nothing was restored"
                    )
            missing = sorted(set(expected) - set(files))
            if missing:
                raise BackupError(f"{', '.join(missing)} named in the manifest of {path.name} is missing from it")
    except (tarfile.TarError, OSError, ValueError, KeyError) as error:
        raise BackupError(f"{path.name} cannot be read as a Coalition backup: {error}") from None
    return dict(manifest)


def sha256_of_bytes(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def rows_held() -> dict[str, int]:
    """The tables of the configured database holding rows `migrate` did not write itself."""
    with connection.cursor() as cursor:
        counts = row_counts(cursor, connection.vendor)
    return {
        table: count
        for table, count in counts.items()
        if count and table not in MIGRATE_WRITES and "_fts" not in table  # FTS shadow tables mirror their table
    }


def refuse_to_overwrite() -> None:
    held = rows_held()
    if held:
        tables = ", ".join(f"{table} ({count})" for table, count in sorted(held.items())[:12])
        more = f" and {len(held) - 12} more tables" if len(held) > 12 else ""
        raise BackupError(
            f"The database is not empty: {tables}{more} hold rows. Restore into an empty database, or say --force to "
            "replace what it holds"
        )
    files = media_files()
    if files:
        raise BackupError(f"The uploaded files folder {media_root()} holds {len(files)} files; say --force to replace")


def refuse_newer_migrations(manifest: dict[str, Any], path: Path) -> None:
    """A backup made by a later version holds tables this code does not know: restore it with that version."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"].items()
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            f"{path.name} was made by a later version of Coalition (migrations {', '.join(unknown)} are unknown "
            "here): restore it with that version"
        )


# --- The restore ---------------------------------------------------------------------------------------------


def _restore_database(archive: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> None:
    name = manifest["database"]
    if name not in (POSTGRES_FILE, SQLITE_FILE):
        raise BackupError(f"{name}: not a database file this version restores")
    archive.extract(name, path=work, set_attrs=False, filter="data")
    extracted = work / name
    connection.close()
    if name == POSTGRES_FILE:
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        command += ["--exit-on-error", "-d", str(connection.settings_dict["NAME"]), str(extracted)]
        run_tool(command, postgres_environment(connection.settings_dict))
    else:
        target = contextlib.closing(sqlite3.connect(connection.settings_dict["NAME"]))
        with contextlib.closing(sqlite3.connect(extracted)) as source, target as live:
            source.backup(live)
    connection.close()


def _restore_media(archive: tarfile.TarFile, manifest: dict[str, Any]) -> int:
    root = media_root()
    restored = 0
    for name in manifest["files"]:
        if not name.startswith(f"{MEDIA}/"):
            continue
        target = root.joinpath(*PurePosixPath(name).parts[1:])
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(name)
        assert source is not None
        with source, target.open("wb") as handle:
            shutil.copyfileobj(source, handle)
        restored += 1
    return restored


def restore(path: Path, *, force: bool = False) -> Report:
    """Verify, refuse or restore, then check what was restored. BackupError before anything was touched."""
    manifest = verify_archive(path)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"{path.name} holds a {manifest['vendor']} database; the configured one is {connection.vendor}"
        )
    refuse_newer_migrations(manifest, path)
    if not force:
        refuse_to_overwrite()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="coalition-restore-") as work, tarfile.open(path, "r:") as archive:
        _restore_database(archive, manifest, Path(work))
        files = _restore_media(archive, manifest)
    report.lines.append(f"Restored {path.name} (made {manifest['created']}, {manifest['vendor']}), {files} files.")
    check_counts(manifest, report)
    check_migrations(report)
    check_ledger(manifest, report)
    check_keys(manifest, report)
    check_indexes(report)
    return report


# --- After the restore ---------------------------------------------------------------------------------------


def check_counts(manifest: dict[str, Any], report: Report) -> None:
    with connection.cursor() as cursor:
        counts = row_counts(cursor, connection.vendor)
    expected: dict[str, int] = manifest["tables"]
    differ = [
        f"{table}: {counts.get(table)} rows, the manifest says {count}"
        for table, count in sorted(expected.items())
        if counts.get(table) != count
    ]
    report.problems += differ
    total = sum(expected.values())
    if not differ:
        report.lines.append(f"Row counts match the manifest: {len(expected)} tables, {total} rows.")


def check_migrations(report: Report) -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        report.warnings.append(f"{len(plan)} migrations of this version are not applied: run `manage.py migrate`.")


def check_ledger(manifest: dict[str, Any], report: Report) -> None:
    result = verify_chain()
    if not result.ok:
        report.problems.append(f"Ledger broken at event #{result.broken_seq}: {result.reason}")
        return
    try:
        problems = verify_checkpoints(result.checked)
    except ImproperlyConfigured as error:
        problems = [str(error)]
    if problems:
        note = signing_key_note(manifest)
        report.problems.append(
            " ".join(["Ledger contradicts its signed checkpoints:", *problems, *([note] if note else [])])
        )
    else:
        report.lines.append(f"Ledger intact: {result.checked} events verified.")


def _unreadable(tokens: Iterator[str], usable: bool) -> int:
    count = 0
    for token in tokens:
        if not usable:
            count += 1
            continue
        try:
            crypto.decrypt(token)
        except ImproperlyConfigured:
            count += 1
    return count


def _mfa_tokens(data: dict[str, Any], keys: list[str]) -> Iterator[str]:
    for key in keys:
        value = data.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("gAAAAA"):  # a Fernet token (accounts.adapters)
                yield item


def check_keys(manifest: dict[str, Any], report: Report) -> None:
    """Try every encrypted value with the configured keys; say how many cannot be read and which key they need."""
    usable = bool(field_encryption_keys())  # never make a new key file here: it could read nothing restored
    authenticator = apps.get_model("mfa", "Authenticator")
    secrets = 0
    for kind, data in authenticator.objects.filter(type__in=MFA_SECRETS).values_list("type", "data").iterator():
        secrets += bool(_unreadable(_mfa_tokens(data or {}, MFA_SECRETS[kind]), usable))
    details: dict[str, int] = {}
    for model in apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]
        if not columns:
            continue
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            names = ", ".join(quote(str(column)) for column in columns)
            cursor.execute(f"SELECT {names} FROM {quote(model._meta.db_table)}")  # noqa: S608
            values = (str(value) for row in cursor.fetchall() for value in row if value)
            count = _unreadable(values, usable)
        if count:
            details[model._meta.label] = count
    if not secrets and not details:
        report.lines.append("Every encrypted value reads with the configured keys.")
        return
    configured = {fingerprint(key) for key in field_encryption_keys()}
    needed = [key for key in manifest["keys"]["field_encryption"] if key not in configured]
    which = f"key fingerprint {', '.join(needed)} is needed" if needed else "the backup's key is not configured"
    where = ", ".join(f"{count} in {label}" for label, count in sorted(details.items()))
    report.warnings.append(
        f"{secrets} TOTP secrets / recovery seeds and {sum(details.values())} encrypted contact details"
        f"{f' ({where})' if where else ''} cannot be decrypted with the keys configured: {which} "
        "(set FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEY_FILE)."
    )


def check_indexes(report: Report) -> None:
    paragraphs = indexing.rebuild()
    missing, stale = indexing.drift()
    if missing or stale:
        report.problems.append(f"Library index drift after rebuild: {len(missing)} missing, {len(stale)} left in it.")
    else:
        report.lines.append(f"Library index rebuilt: {paragraphs} paragraphs, no drift.")
    drifted = [drift for drift in search.check_drift(repair=True) if drift.count]
    if drifted:
        kinds = ", ".join(f"{drift.kind} ({drift.count})" for drift in drifted)
        report.lines.append(f"Search index repaired where it drifted: {kinds}.")
    else:
        report.lines.append("Search index matches the records.")


def signing_key_note(manifest: dict[str, Any]) -> str | None:
    """A word when the ledger signing key configured is not the one the backup was made with."""
    made_with = manifest["keys"].get("ledger_signing")
    now = key_fingerprints()["ledger_signing"]
    if made_with and now != made_with:
        return f"The ledger's checkpoints were signed with the key of fingerprint {made_with}; configure it."
    return None
