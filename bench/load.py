"""The load test (issue 20, "Load"): the production server on PostgreSQL with the demo coalition scaled ×20, under
Locust (headless, bounded in users and time, loopback only).

1. bench/scale_demo.py makes the scaled database (skipped with --skip-scale, to run again on the same one).
2. With production settings (DJANGO_ENV=production, a bench SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the field key the
   scaled database was made with, SECURE_SSL_REDIRECT=false, BEHIND_PROXY=true, Redis cache and task queue on
   REDIS_URL=redis://127.0.0.1:6379/<--redis-db>, flushed first), in this process: a statement is frozen for
   sign-on, another is signed, decided and published (the publication spike: it is published just before the
   readers arrive, its page never read before), and one session per load account is made in the database as a
   sign-in with password and TOTP would leave it (the account has its TOTP authenticator: the MFA middleware's
   check). Static files are collected.
3. The server: `gunicorn -c config/gunicorn.py config.wsgi` on 127.0.0.1:<--port> (its default 2 × cores + 1 sync
   workers), and the task worker (`manage.py run_worker`, which runs rqworker here).
4. Locust, headless: 400 signed-in sessions (officials, one focal point per member government, Support Unit staff)
   paced as people (5–15 s between pages), 50 anonymous readers of the new statement and 2 of the trivial view
   (paced the same); --duration seconds after a ramp of --spawn-rate users a second. Then, on the server started
   afresh (a saturated one keeps serving requests that people gave up on), the throughput of the statement page
   and of the trivial view, each alone, without pause, for --ratio-seconds each (8 users).
5. The server is stopped; a table per route (requests, failures, rps, p50/p95/p99) and the figures that the issue
   targets are printed, with the load average sampled every 5 s during the main run.

Run (about 8 minutes): .venv/bin/python bench/load.py
Again on the same database: .venv/bin/python bench/load.py --skip-scale
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from scale_demo import DEFAULT_DATABASE_URL, DEFAULT_VAR_DIR, LOAD_DOMAIN

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BENCH_SECRET_KEY = "load-test-only-" + "x" * 50  # a throwaway key for a throwaway database; never deployed
SIGNED_IN_CLASSES = ("MemberOfficial", "FocalPoint", "SupportStaff")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=20)
    parser.add_argument("--skip-scale", action="store_true", help="reuse the database the last run scaled")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--var-dir", default=DEFAULT_VAR_DIR)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--signed-in", type=int, default=400, help="signed-in sessions")
    parser.add_argument("--readers", type=int, default=50, help="anonymous readers of the new statement")
    parser.add_argument("--support-staff", type=int, default=10)
    parser.add_argument("--duration", type=int, default=300, help="seconds of the main run, ramp included")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--ratio-seconds", type=int, default=20)
    parser.add_argument("--ratio-only", action="store_true", help="only the throughput ratio (with --skip-scale)")
    return parser.parse_args()


def server_env(args: argparse.Namespace) -> dict[str, str]:
    key = (Path(args.var_dir) / "field-encryption.key").read_text().strip()
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FIELD_ENCRYPTION_KEYS": key,
        "SECURE_SSL_REDIRECT": "false",
        "BEHIND_PROXY": "true",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "TASKS_BACKEND": "redis",
        "DATABASE_URL": args.database_url,
        "COALITION_VAR_DIR": args.var_dir,
        "SITE_URL": f"https://127.0.0.1:{args.port}",
        "PORT": str(args.port),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """In this process, under the server's settings: the two statements and the sessions (see the module's text)."""
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from coalition.accounts.models import User, UserSession
    from coalition.directory.models import Position
    from coalition.statements import services as statements
    from coalition.statements.models import Freeze

    support = User.objects.get(email="support@demo.coalition.example")
    chair = User.objects.get(email="chair@demo.coalition.example")
    now = timezone.now()
    stamp = f"{now:%H%M%S}"
    open_one = statements.create_statement(
        by=support, title=f"Load test: statement open for sign-on ({stamp})", text="We call on all states.\n\nSign."
    )
    sign_on = statements.freeze(
        statement=open_one, by=chair, deadline=now + dt.timedelta(hours=2), deadline_time_zone="UTC"
    )
    focal_users = list(User.objects.filter(email__startswith="load-focal-").select_related("person"))
    spike = statements.create_statement(
        by=support,
        title=f"Joint statement published during the load test ({stamp})",
        text="The coalition is deeply concerned by internet shutdowns.\n\n" * 12,
    )
    frozen = statements.freeze(
        statement=spike, by=chair, deadline=now + dt.timedelta(hours=2), deadline_time_zone="UTC"
    )
    for user in focal_users:
        organisation = Position.objects.get(person=user.person, kind=Position.Kind.FOCAL_POINT).organisation
        assert organisation is not None
        statements.respond(freeze=frozen, by=user, organisation=organisation, kind="signed")
    statements.decide(frozen, now=frozen.deadline)
    spike = statements.publish(statement=spike, by=support)

    def session_of(user: Any) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["coalition_auth_at"] = store["coalition_seen_at"] = time.time()
        # allauth's record of how the session was authenticated: the password, then the TOTP code.
        store["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "id": user.authenticator_set.get().pk, "type": "totp"},
        ]
        store.create()
        assert store.session_key is not None
        UserSession.objects.create(session_key=store.session_key, user=user, ip="127.0.0.1", user_agent="locust")
        return str(store.session_key)

    focal = [
        {
            "session": session_of(user),
            "organisation": Position.objects.get(person=user.person, kind=Position.Kind.FOCAL_POINT).organisation_id,
        }
        for user in focal_users
    ]
    support_staff = User.objects.filter(email__startswith="load-support-").order_by("pk")[: args.support_staff]
    officials_wanted = args.signed_in - len(focal) - args.support_staff
    officials = User.objects.filter(email__startswith="load-official-", email__endswith=LOAD_DOMAIN).order_by("pk")
    try:
        resolve("/healthz")
        trivial = "/healthz"
    except Resolver404:
        trivial = "/ledger/checkpoint"  # before /healthz lands: the latest checkpoint, a few lines of text
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "year": now.year,
        "sign_on_slug": open_one.slug,
        "sign_on_freeze": sign_on.pk,
        "published_slug": spike.slug,
        "published_at": spike.published_at.isoformat() if spike.published_at else None,
        "trivial_path": trivial,
        "freeze_outcome": Freeze.objects.get(pk=frozen.pk).outcome,
        "sessions": {
            "officials": [{"session": session_of(u)} for u in officials[:officials_wanted]],
            "focal_points": focal,
            "support": [{"session": session_of(u)} for u in support_staff],
        },
    }


def start_server(args: argparse.Namespace, env: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    web = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "web.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [PY, "manage.py", "run_worker"],  # the backend's own worker (rqworker here), with its heartbeat
        cwd=ROOT,
        env=env,
        stdout=(logs / "worker.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return [web, worker]


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


def wait_until_serving(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def warm_up(port: int, plan: dict[str, Any], *, statement: bool = False) -> None:
    """A few anonymous rounds of the mix's pages, so that every web worker has imported its views and compiled its
    templates before the people arrive (the statement page excepted: its first reader is part of the spike)."""
    pages = ["/", "/members/", "/people/", f"/programme/{plan['year']}/", "/meetings/", "/library/?q=rights"]
    if statement:
        pages.append(f"/statements/{plan['published_slug']}/")
    for _round in range(4):
        for page in [*pages, plan["trivial_path"]]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{page}", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()


def server_times(log: Path, since: float) -> str:
    """Each route's time inside the server (gunicorn's access log, %D), which excludes the time spent queued."""
    import re
    import statistics

    times: dict[str, list[float]] = {}
    line_re = re.compile(r'"(GET|POST) (\S+) HTTP[^"]*" \d+ \d+ (\d+)us')
    for line in log.read_text(errors="replace").splitlines()[int(since) :]:
        found = line_re.search(line)
        if found:
            path = re.sub(r"/\d{4}/$", "/YEAR/", re.sub(r"\?.*", "", found.group(2)))
            path = re.sub(r"^/statements/(load-test|joint-statement)[^/]*/", "/statements/<new>/", path)
            times.setdefault(f"{found.group(1)} {path}", []).append(int(found.group(3)) / 1000)
    lines = ["| route (server side) | requests | p50 ms | p95 ms |", "|---|---|---|---|"]
    for route, values in sorted(times.items(), key=lambda item: -len(item[1])):
        if len(values) >= 2:
            p95 = statistics.quantiles(values, n=20)[-1]
            lines.append(f"| {route} | {len(values)} | {statistics.median(values):.0f} | {p95:.0f} |")
    return "\n".join(lines)


def locust(
    args: argparse.Namespace, env: dict[str, str], prefix: Path, users: int, rate: float, seconds: int, *classes: str
) -> None:
    command = [
        PY, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(rate), "-t", f"{seconds}s", "--stop-timeout", "20",
        "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary", *classes,
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=env, check=False, timeout=seconds + 120)


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


class LoadSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(5):
            self.samples.append(os.getloadavg()[0])


def report(rows: list[dict[str, str]], alone: dict[str, dict[str, str]], load: list[float], seconds: int) -> str:
    lines = [
        "| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} | "
            f"{row['50%']} | {row['95%']} | {row['99%']} |"
        )
    statement = float(alone["statement"]["Requests/s"])
    trivial = float(alone["trivial"]["Requests/s"])
    lines.append("")
    lines.append(
        f"Alone, 8 users without pause, {seconds} s each: statement page {statement:.1f} req/s "
        f"(p50 {alone['statement']['50%']} ms), trivial view {trivial:.1f} req/s (p50 {alone['trivial']['50%']} ms): "
        f"the statement page serves {statement / trivial:.2f}× the trivial view's throughput "
        f"(trivial ÷ statement = {trivial / statement:.2f}; target ≤ 3)."
    )
    if load:
        lines.append(
            f"Load average (1 min) during the main run: mean {sum(load) / len(load):.1f}, max {max(load):.1f} "
            f"on {os.cpu_count()} cores."
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if not args.skip_scale:
        subprocess.run(
            [
                PY,
                str(ROOT / "bench" / "scale_demo.py"),
                "--factor",
                str(args.factor),
                "--database-url",
                args.database_url,
                "--var-dir",
                args.var_dir,
            ],
            check=True,
            cwd=ROOT,
        )
    env = server_env(args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    runs = Path(args.var_dir) / "load"
    runs.mkdir(parents=True, exist_ok=True)
    children = start_server(args, env, runs)
    try:
        plan = prepare(args)
        plan_file = runs / "plan.json"
        plan_file.write_text(json.dumps(plan))
        counts = {kind: len(rows) for kind, rows in plan["sessions"].items()}
        print(f"sessions: {counts}; published {plan['published_slug']}; trivial view {plan['trivial_path']}")
        wait_until_serving(f"http://127.0.0.1:{args.port}{plan['trivial_path']}")
        warm_up(args.port, plan)
        locust_env = {
            **env,
            "LOAD_SESSIONS": str(plan_file),
            "LOAD_OFFICIALS": str(counts["officials"]),
            "LOAD_FOCAL_POINTS": str(counts["focal_points"]),
            "LOAD_SUPPORT": str(counts["support"]),
            "LOAD_READERS": str(args.readers),
            "LOAD_TRIVIAL": "2",
        }
        users = sum(counts.values()) + args.readers + 2
        log_lines_before = len((runs / "web.log").read_text(errors="replace").splitlines())
        sampler = LoadSampler()
        sampler.start()
        started = time.perf_counter()
        if not args.ratio_only:
            locust(args, locust_env, runs / "main", users, args.spawn_rate, args.duration,
                   *SIGNED_IN_CLASSES, "StatementReader", "TrivialReader")  # fmt: skip
        sampler.done.set()
        inside = "" if args.ratio_only else server_times(runs / "web.log", log_lines_before)
        print(f"main run: {time.perf_counter() - started:.0f} s", flush=True)
        # Requests that people gave up on stay queued in a saturated server (a sync worker finds out only when it
        # answers): the throughput phases start on fresh servers, warmed up, with the same database and cache.
        # Each phase on its own fresh server: a phase answers thousands of requests, and gunicorn's max-requests
        # recycling (its workers restart after 2,000 ± 200) must not fall into one phase and not the other.
        alone = {}
        for kind, user_class in (("statement", "SpikeStatement"), ("trivial", "SpikeTrivial")):
            stop(children)
            children = start_server(args, env, runs)
            wait_until_serving(f"http://127.0.0.1:{args.port}{plan['trivial_path']}")
            warm_up(args.port, plan, statement=True)
            locust(args, locust_env, runs / kind, 8, 8, args.ratio_seconds, user_class)
            alone[kind] = next(r for r in read_stats(runs / kind) if r["Name"] == "Aggregated")
    finally:
        stop(children)
    main_rows = [] if args.ratio_only else read_stats(runs / "main")
    text = report(main_rows, alone, sampler.samples if main_rows else [], args.ratio_seconds) + "\n\n" + inside
    (runs / "report.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
