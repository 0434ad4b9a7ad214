"""The restore drill: the demo coalition and some fresh activity, backed up, restored into a fresh database, is the
same row for row and page for page. And a restore refuses what it must: a changed byte, a database that holds rows,
and it names what the configured keys cannot read."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import json
import re
import tarfile
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from coalition.accounts.models import User
from coalition.core import crypto, ledger
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.demo.logins import DEMO_DOMAIN
from coalition.demo.tests.snapshot import demo_coalition
from coalition.directory.models import Person
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.library import indexing
from coalition.ops.backup import create_backup, fingerprint, row_counts
from coalition.programme import services as programme
from coalition.programme.models import Activity

# Signed-in pages of the Support Unit that read most of the tables: home, people, members, programme, statements
# and the audit log (where the drill's own ledger event shows).
PAGES = ["/", "/members/", "/people/", "/programme/", "/statements/", "/audit/"]
# What differs between two renders of the same data: the CSRF token, the CSP nonce, the session's seconds left.
VOLATILE = [
    (re.compile(rb'(data-session-seconds-left=")[^"]*'), rb"\1-"),
    (re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*'), rb"\1-"),
    (re.compile(rb'(nonce=")[^"]*'), rb"\1-"),
    (re.compile(rb'(name="csrf-token" content=")[^"]*'), rb"\1-"),
]


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return row_counts(cursor, connection.vendor)


@contextlib.contextmanager
def fresh_database(tmp_path: Path) -> Iterator[None]:
    """The default connection pointed, for a while, at a new empty database (a file, or a database of its own)."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    postgres = connection.vendor == "postgresql"
    name = f"{original}_restored" if postgres else str(tmp_path / "restored.sqlite3")
    if postgres:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = original
        if postgres:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def signed_in() -> Client:
    """The Support Unit signed in before the backup: its session (and the ledger's sign-in event) are in both."""
    browser = Client()
    browser.force_login(User.objects.get(email=f"support@{DEMO_DOMAIN}"))
    return browser


def render(browser: Client, pages: list[str]) -> dict[str, bytes]:
    cache.clear()  # a page cached from one database must not answer for the other
    rendered = {}
    for page in pages:
        response = browser.get(page, follow=True)
        assert response.status_code == 200, page
        body = response.content
        for pattern, replacement in VOLATILE:
            body = pattern.sub(replacement, body)
        rendered[page] = body
    return rendered


def generated_activity() -> None:
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    activity = Activity.objects.order_by("pk").first()
    assert activity is not None
    programme.post_update(activity=activity, by=support, narrative="Restore drill: the backup was taken after this.")
    document = Document.objects.exclude(phase=Document.Phase.FINAL).order_by("pk").first()
    assert document is not None
    documents.add_comment(document=document, by=support, paragraph=1, text="Drill comment.", visibility="members")
    with transaction.atomic():
        ledger.record("ops.restore_drill", actor=support, data={"drill": True})


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as opened:
        handle = opened.extractfile("manifest.json")
        assert handle is not None
        return dict(json.load(handle))


def restore(archive: Path, *arguments: str) -> str:
    out = StringIO()
    call_command("restore", str(archive), *arguments, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_gives_back_every_row_and_the_same_pages(tmp_path: Path) -> None:
    demo_coalition()
    started = time.perf_counter()
    generated_activity()
    browser = signed_in()
    archive = create_backup(output=tmp_path)
    manifest = manifest_of(archive)
    before = counts()
    assert manifest["tables"] == before
    pages = render(browser, PAGES)

    with fresh_database(tmp_path):
        assert not any(counts().values())
        report = restore(archive)
        assert "Row counts match the manifest" in report
        assert "Ledger intact" in report
        assert "Every encrypted value reads with the configured keys." in report
        assert counts() == before
        assert AuditEvent.objects.filter(action="ops.restore_drill").exists()
        again = render(browser, PAGES)
    for page in PAGES:
        assert again[page] == pages[page], (
            page
            + "\n"
            + "".join(
                difflib.unified_diff(pages[page].decode().splitlines(True), again[page].decode().splitlines(True), n=1)
            )
        )

    print(f"restore drill on {connection.vendor}: {time.perf_counter() - started:.1f} s after the demo")
    indexing.rebuild()  # the in-memory library index holds the restored database's paragraphs: the original's again


@pytest.mark.django_db
def test_no_key_ever_enters_the_archive(tmp_path: Path, settings: Any) -> None:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    archive = create_backup(output=tmp_path)
    assert key.encode() not in archive.read_bytes()
    signing = Path(settings.LEDGER_SIGNING_KEY_FILE)
    if signing.exists():
        assert signing.read_bytes().strip() not in archive.read_bytes()
    manifest = manifest_of(archive)
    assert manifest["keys"]["field_encryption"] == [fingerprint(key)]


def flip_one_byte(archive: Path, name: str) -> None:
    with tarfile.open(archive) as opened:
        member = opened.getmember(name)
    with archive.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0x01]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("changed", ["database", "manifest.json", "media/minutes/scan.txt"])
def test_an_archive_with_one_byte_changed_is_refused_naming_the_file(
    changed: str, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "minutes").mkdir(parents=True)
    (tmp_path / "media" / "minutes" / "scan.txt").write_text("an uploaded file")
    User.objects.create_user(email="kept@example.org", password="a-long-enough-test-passphrase")
    archive = create_backup(output=tmp_path / "backups")
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames())[-1] == "media/minutes/scan.txt"
        names = opened.getnames()
    name = changed if changed != "database" else manifest_of(archive)["database"]
    assert name in names
    flip_one_byte(archive, name)
    with pytest.raises(CommandError, match=re.escape(name)) as refused:
        restore(archive, "--force")
    assert "changed" in str(refused.value)
    assert User.objects.filter(email="kept@example.org").exists()  # nothing was touched


@pytest.mark.django_db(transaction=True)
def test_a_database_that_holds_rows_is_replaced_only_with_force(tmp_path: Path) -> None:
    User.objects.create_user(email="backed-up@example.org", password="a-long-enough-test-passphrase")
    archive = create_backup(output=tmp_path)
    User.objects.create_user(email="later@example.org", password="a-long-enough-test-passphrase")
    with pytest.raises(CommandError, match=r"not empty: .*accounts_user \(2\).*--force"):
        restore(archive)
    assert User.objects.count() == 2

    # Over a migrated database that holds rows (pg_restore --clean; SQLite's backup API replaces every page).
    report = restore(archive, "--force")
    assert "Row counts match the manifest" in report
    assert list(User.objects.values_list("email", flat=True)) == ["backed-up@example.org"]


@pytest.fixture
def forget_keys() -> Iterator[None]:
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_restoring_without_the_encryption_key_names_what_cannot_be_read(
    tmp_path: Path, settings: Any, make_user: Any, forget_keys: None
) -> None:
    old_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    user = make_user(Role.MEMBER_OFFICIAL)  # a TOTP secret
    Person.objects.filter(pk=user.person.pk).update(email="", phone="", secure_messaging="")
    person = Person.objects.get(pk=user.person.pk)
    person.email, person.phone = "kwame@example.org", "+233 20 000 0000"
    person.save()
    archive = create_backup(output=tmp_path)

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # another machine, another key
    crypto._fernet.cache_clear()
    with fresh_database(tmp_path):
        report = restore(archive)
    assert (
        "1 TOTP secrets / recovery seeds and 2 encrypted contact details (2 in directory.Person) cannot be decrypted "
        f"with the keys configured: key fingerprint {fingerprint(old_key)} is needed"
    ) in report


@pytest.mark.django_db
def test_a_backup_of_a_later_version_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    archive = create_backup(output=tmp_path)
    manifest = manifest_of(archive)
    manifest["migrations"]["core"] = "9999_from_the_future"
    body = json.dumps(manifest).encode()
    later = tmp_path / "later.tar"
    with tarfile.open(archive) as source, tarfile.open(later, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                data = body
            elif member.name == "manifest.json.sha256":
                data = f"{hashlib.sha256(body).hexdigest()}  manifest.json\n".encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match=r"later version of Coalition \(migrations core.9999_from_the_future"):
        restore(later, "--force")
