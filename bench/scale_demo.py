"""The demo coalition scaled ×20 on PostgreSQL, for the load test (issue 20, "Load"; bench/load.py runs it).

The database is dropped and created anew, migrated, and the demo (`load_demo`) loaded; then bench/search.py's
`scale_up` copies every searchable record FACTOR - 1 times (members with their participation, people with their
positions, programme activities, meetings, documents, statements, library paragraphs, situations, funding
activities), and this script adds the activity around them: progress updates and notifications ×FACTOR, and the
accounts that the load test signs in as (each with a person, a position and a TOTP authenticator, so that the
MFA middleware lets them through legitimately):
- members' officials (`load-official-<n>@…`), an official position at a member government each, round robin;
- one focal point per member government (`load-focal-<code>@…`), who may sign on that member's behalf;
- Support Unit staff (`load-support-<n>@…`).
Their accounts have no usable password: the load test makes their sessions directly (bench/load.py).

Run: .venv/bin/python bench/scale_demo.py --factor 20 \
         --database-url postgres://postgres@127.0.0.1:5432/coalition_bench_load --var-dir /tmp/coalition-bench-load
The var folder (field-encryption and ledger-signing keys made on first use) is emptied too: the production server of
the load test reads the same keys from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coalition_bench_load"
DEFAULT_VAR_DIR = str(Path(tempfile.gettempdir()) / "coalition-bench-load")
LOAD_DOMAIN = "load.coalition.example"
OFFICIALS = 400
SUPPORT_STAFF = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=20, help="copies of the demo's activity (default 20)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="a PostgreSQL database to drop and make")
    parser.add_argument("--var-dir", default=DEFAULT_VAR_DIR, help="the platform's var folder (keys); emptied")
    parser.add_argument("--officials", type=int, default=OFFICIALS, help="members' officials' accounts")
    parser.add_argument("--support-staff", type=int, default=SUPPORT_STAFF, help="Support Unit staff accounts")
    return parser.parse_args(argv)


def recreate_database(url: str) -> None:
    """Drop the database named in `url` and create it empty (connected to the server's `postgres` database)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or not name:
        raise SystemExit(f"--database-url must name a PostgreSQL database, not {url!r}")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _copy_rows(model: Any, rows: list[Any], copies: range, **changes_of: Any) -> int:
    """Bulk-insert each row `len(copies)` times; `changes_of[name](row, n)` gives a field's value in copy n."""
    made = []
    for row in rows:
        for n in copies:
            new = model.objects.get(pk=row.pk)
            new.pk = None
            new._state.adding = True
            for name, change in changes_of.items():
                setattr(new, name, change(row, n))
            made.append(new)
    model.objects.bulk_create(made, batch_size=1000)
    return len(made)


def add_activity(factor: int) -> dict[str, int]:
    """Progress updates and notifications ×factor (the copies spread over the copied activities' originals)."""
    from coalition.notifications.models import Notification
    from coalition.programme.models import ProgressUpdate

    copies = range(1, factor)
    return {
        "progress updates": _copy_rows(ProgressUpdate, list(ProgressUpdate.objects.all()), copies),
        "notifications": _copy_rows(
            Notification, list(Notification.objects.all()), copies, key=lambda row, n: f"{row.key}-load-{n}"[:200]
        ),
    }


def _account(template_login: str, email: str, full_name: str, organisation: Any, kind: str) -> Any:
    """A person copied from a demo login's person (time zone, classification), one position, an account without a
    usable password, the demo login's TOTP authenticator, and copies of that login's notifications."""
    from allauth.mfa.models import Authenticator

    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN
    from coalition.directory.models import Person, Position
    from coalition.notifications.models import Notification

    template = User.objects.select_related("person").get(email=f"{template_login}@{DEMO_DOMAIN}")
    assert template.person_id is not None
    person = Person.objects.get(pk=template.person_id)
    person.pk = None
    person._state.adding = True
    person.full_name = full_name
    person.email = email
    person.save()
    position = Position.objects.filter(person=template.person, kind=kind).first()
    assert position is not None, f"the demo's {template_login} has no {kind} position"
    position.pk = None
    position._state.adding = True
    position.person = person
    position.organisation = organisation
    position.save()
    user = User.objects.create_user(email=email, password=None, person=person)
    totp = Authenticator.objects.get(user=template, type=Authenticator.Type.TOTP)
    Authenticator.objects.create(user=user, type=totp.type, data=totp.data)
    notes = list(Notification.objects.filter(recipient=template))
    for note in notes:
        note.pk = None
        note._state.adding = True
        note.recipient = user
    Notification.objects.bulk_create(notes)
    return user


def add_accounts(*, officials: int, support_staff: int) -> dict[str, int]:
    from coalition.directory.models import Organisation, Position

    template = Position.objects.get(person__account__email__startswith="official@", kind=Position.Kind.OFFICIAL)
    focal = Position.objects.get(person__account__email__startswith="focal@", kind=Position.Kind.FOCAL_POINT)
    governments = list(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, positions__kind=Position.Kind.FOCAL_POINT)
        .distinct()
        .order_by("name")
    )
    for n in range(officials):
        government = governments[n % len(governments)]
        _account("official", f"load-official-{n}@{LOAD_DOMAIN}", f"Load Official {n}", government, template.kind)
    for government in governments:
        code = government.country.code.lower() if government.country_id else str(government.pk)  # type: ignore[union-attr]
        _account("focal", f"load-focal-{code}@{LOAD_DOMAIN}", f"Load Focal {code.upper()}", government, focal.kind)
    support = Position.objects.get(person__account__email__startswith="support@")
    for n in range(support_staff):
        _account(
            "support",
            f"load-support-{n}@{LOAD_DOMAIN}",
            f"Load Support {n}",
            support.organisation,
            support.kind,
        )
    return {"officials": officials, "focal points": len(governments), "support staff": support_staff}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    recreate_database(args.database_url)
    shutil.rmtree(args.var_dir, ignore_errors=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["COALITION_VAR_DIR"] = args.var_dir
    os.environ["DJANGO_ENV"] = "development"  # the demo is refused in production; the load test serves production
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # the demo's mail, not printed
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import search  # bench/search.py: sets Django up, and its scale_up copies the searchable records
    from django.core.management import call_command
    from django.db import transaction

    from coalition.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    load_demo()
    search.open_situations()
    print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
    search.SCALE = args.factor
    counts: dict[str, Any] = dict(search.scale_up())
    with transaction.atomic():
        counts.update(add_activity(args.factor))
        counts.update(add_accounts(officials=args.officials, support_staff=args.support_staff))
    call_command("search_index", "--rebuild", verbosity=0)
    print(f"scaled ×{args.factor} in {time.perf_counter() - started:.0f} s: {counts}", flush=True)


if __name__ == "__main__":
    main()
