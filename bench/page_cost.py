"""Page cost (issue 20): the worker CPU of each page of the load mix, under the production server, before and after.

Two gunicorn servers run side by side with production settings (`DJANGO_ENV=production`, `SERVER_TIMING=1`) on one
PostgreSQL database holding the demo coalition: one from this checkout ("after") and one from a worktree of the
commit before any page-cost work ("before", `--base-tree`). Each has one worker process with one thread, so the
worker's CPU during a request is the request's. Both are measured the same way: the worker's CPU time read from
`/proc/<pid>/schedstat` (nanoseconds run on a CPU, user and system) before the request is sent and after its answer
is read and the worker is idle again; `/proc/<pid>/stat`'s utime+stime (10 ms ticks) over the whole run gives the
mean as a cross-check, and "after" also reports its own `Server-Timing` CPU (coalition/core/timing.py, which the
"before" tree does not have). Requests alternate between the two servers, so a busy machine weighs on both alike.

Readers: a member's official and Support Unit staff, signed in through the real forms (password, then the TOTP
code of `manage.py demo_totp`), and anonymous visitors. The cookies are `__Host-` and Secure in production; this
client keeps them itself and sends them over plain http to the loopback address (SECURE_SSL_REDIRECT=false).

Run (the database is dropped and made again with --fresh, or when it does not exist):
    git worktree add /work/pagecost-base 928ac5a
    .venv/bin/python bench/page_cost.py --runs 30 [--fresh]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coalition_bench_pages"
DEFAULT_VAR_DIR = "/tmp/coalition-bench-pages"
DEFAULT_BASE_TREE = "/work/pagecost-base"
SEARCH = "freedom of expression online"
TICKS = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="measured requests per page and server (default 30)")
    parser.add_argument("--warm", type=int, default=3, help="requests per page before measuring (default 3)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--var-dir", default=DEFAULT_VAR_DIR, help="keys, index and static files of the bench")
    parser.add_argument("--base-tree", default=DEFAULT_BASE_TREE, help="worktree of the 'before' commit ('' = none)")
    parser.add_argument("--fresh", action="store_true", help="drop and load the bench database again")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--only", default="", help="measure only the pages whose name holds this text")
    return parser.parse_args()


# --- Setting up: database, demo, keys, static files ----------------------------------------------------------------


def database_exists(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as server:
        return bool(server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone())


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def shared_env(args: argparse.Namespace) -> dict[str, str]:
    """What both servers and the setup share: the database, the keys and the library's index."""
    var = Path(args.var_dir)
    var.mkdir(parents=True, exist_ok=True)
    keys = var / "keys.json"
    if not keys.exists():
        from cryptography.fernet import Fernet

        keys.write_text(json.dumps({"secret": secrets.token_urlsafe(64), "field": Fernet.generate_key().decode()}))
    known = json.loads(keys.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "DB_"))}
    env.update(
        DATABASE_URL=args.database_url,
        SECRET_KEY=known["secret"],
        FIELD_ENCRYPTION_KEYS=known["field"],
        LEDGER_SIGNING_KEY_FILE=str(var / "ledger-signing.key"),
        LEDGER_CHECKPOINT_FILE=str(var / "ledger-checkpoint"),
        LIBRARY_INDEX_DIR=str(var / "library-index"),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def manage(tree: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} in {tree} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


LOOKUP = """
import json
from coalition.demo.logins import demo_logins
from coalition.meetings.models import Meeting
from coalition.programme.models import Programme
from coalition.statements.models import Freeze, Statement
from django.utils import timezone
now = timezone.now()
logins = {l.email.split("@")[0]: [l.email, l.totp_secret] for l in demo_logins()}
# The page of a round open for sign-on, or (the demo decides its round at once) of the latest round's statement.
open_round = (Freeze.objects.filter(decided_at__isnull=True, deadline__gt=now).order_by("deadline").first()
              or Freeze.objects.order_by("-deadline").first())
public = Statement.objects.filter(published_at__lte=now).order_by("-published_at").first()
print(json.dumps({
    "logins": logins,
    "year": Programme.objects.order_by("-year").first().year,
    "sign_on": open_round.statement.slug if open_round else None,
    "public": public.slug if public else None,
}))
"""


def set_up(args: argparse.Namespace, trees: dict[str, Path]) -> dict[str, Any]:
    """The bench database with the demo (loaded by this checkout, in development: the demo refuses production),
    the ledger's key, each tree's collected static files; the logins and addresses the pages need."""
    env = {**shared_env(args), "DJANGO_ENV": "development", "TASKS_BACKEND": "immediate"}
    if args.fresh or not database_exists(args.database_url):
        recreate_database(args.database_url)
        started = time.perf_counter()
        manage(ROOT, env, "migrate", "--noinput", "-v0")
        manage(ROOT, env, "createcachetable")
        manage(ROOT, env, "load_demo")
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        manage(ROOT, env, "migrate", "--noinput", "-v0")
    manage(ROOT, env, "shell", "-c", "from coalition.core import checkpoints; checkpoints.signer()")
    for name, tree in trees.items():
        static = Path(args.var_dir) / f"static-{name}"
        manage(tree, production_env(args, name), "collectstatic", "--noinput", "-v0")
        assert (static / "staticfiles.json").exists(), f"collectstatic wrote no manifest in {static}"
    return json.loads(manage(ROOT, env, "shell", "-c", LOOKUP).strip().splitlines()[-1])


def production_env(args: argparse.Namespace, name: str) -> dict[str, str]:
    # Each tree has its own var folder (its collected static files); keys and index are shared (shared_env).
    var = Path(args.var_dir) / f"var-{name}"
    var.mkdir(parents=True, exist_ok=True)
    static = Path(args.var_dir) / f"static-{name}"
    if not (var / "staticfiles").exists():
        (var / "staticfiles").symlink_to(static, target_is_directory=True)
    static.mkdir(parents=True, exist_ok=True)
    return {
        **shared_env(args),
        "DJANGO_ENV": "production",
        "COALITION_VAR_DIR": str(var),
        "SECURE_SSL_REDIRECT": "false",
        "SERVER_TIMING": "1",
        "TASKS_BACKEND": "database",
    }


# --- The servers ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    name: str
    tree: Path
    port: int
    process: subprocess.Popen[bytes]
    worker: int = 0
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start(args: argparse.Namespace, name: str, tree: Path) -> Server:
    """gunicorn from `tree` with the same options for both trees: one sync worker, one thread, no access log, no
    restart after N requests (which would change the worker mid-run)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--chdir",
        str(tree),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "1",
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--max-requests",
        "0",
        "--error-logfile",
        "-",
        "--log-level",
        "warning",
        "config.wsgi",
    ]
    process = subprocess.Popen(command, cwd=tree, env=production_env(args, name))
    server = Server(name, tree, port, process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {name} exited with {process.returncode}")
        try:
            status, _headers, _body = request(server, "GET", "/", {})
        except OSError:
            time.sleep(0.5)
            continue
        if status == 200:
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
            assert len(children) == 1, f"{name}: expected one worker, found {children}"
            server.worker = int(children[0])
            return server
        raise SystemExit(f"{name}: / answered {status}")
    raise SystemExit(f"gunicorn for {name} did not answer within two minutes")


# --- A client that keeps `__Host-` cookies over plain http ----------------------------------------------------------


def request(
    server: Server, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    headers = {"Host": "127.0.0.1", "Accept": "text/html", "Connection": "close", "User-Agent": "page-cost-bench"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    for line in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        value = rest.split(";", 1)[0]
        if "max-age=0" in line.lower() or value == '""':
            cookies.pop(name, None)
        else:
            cookies[name] = value
    return response.status, response.headers, content


CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_form(server: Server, path: str, cookies: dict[str, str], form: dict[str, str]) -> tuple[int, str]:
    status, _headers, page = request(server, "GET", path, cookies)
    assert status == 200, f"{path}: {status}"
    token = CSRF.search(page)
    assert token, f"{path}: no CSRF token"
    status, headers, _page = request(server, "POST", path, cookies, {**form, "csrfmiddlewaretoken": token[1].decode()})
    return status, headers.get("Location", "")


def sign_in(server: Server, email: str, totp_secret: str) -> dict[str, str]:
    from allauth.mfa.totp.internal.auth import hotp_value

    from coalition.demo.logins import DEMO_PASSWORD

    cookies: dict[str, str] = {}
    status, where = post_form(server, "/accounts/login/", cookies, {"login": email, "password": DEMO_PASSWORD})
    assert status == 302 and "2fa" in where, f"sign-in of {email}: {status} {where}"
    for _attempt in range(2):
        # A code is taken once (replay protection): one refused because a recent run used it is tried again with
        # the next window's code.
        code = f"{hotp_value(totp_secret, int(time.time()) // 30):06d}"
        status, then = post_form(server, urlsplit(where).path, cookies, {"code": code})
        if status == 302:
            return cookies
        time.sleep(31 - time.time() % 30)
    raise SystemExit(f"second factor of {email}: {status} {then}")


# --- Measuring -----------------------------------------------------------------------------------------------------


def worker_cpu_ns(pid: int) -> int:
    """Nanoseconds the worker has run on a CPU (user and system), once it is idle again (not running)."""
    for _ in range(200):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state != "R":
            break
        time.sleep(0.001)
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def worker_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


TIMING = re.compile(r"cpu;dur=([\d.]+), db;dur=([\d.]+);desc=\"(\d+) queries\"")


@dataclass
class Figures:
    proc_ms: list[float] = field(default_factory=list)
    timing_ms: list[float] = field(default_factory=list)
    queries: int = 0
    bytes: int = 0
    ticks: int = 0


def measure_once(server: Server, path: str, cookies: dict[str, str], figures: Figures | None) -> None:
    before, ticks = worker_cpu_ns(server.worker), worker_ticks(server.worker)
    status, headers, body = request(server, "GET", path, cookies)
    after, ticks = worker_cpu_ns(server.worker), worker_ticks(server.worker) - ticks
    assert status == 200, f"{server.name} {path}: {status}"
    if figures is None:
        return
    figures.proc_ms.append((after - before) / 1e6)
    figures.ticks += ticks
    figures.bytes = len(body)
    timing = TIMING.search(headers.get("Server-Timing", ""))
    if timing:
        figures.timing_ms.append(float(timing[1]))
        figures.queries = int(timing[3])


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    args = parse_args()
    os.environ.update({**shared_env(args), "DJANGO_ENV": "development", "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()

    trees = {"after": ROOT}
    if args.base_tree:
        trees = {"before": Path(args.base_tree), "after": ROOT}
    found = set_up(args, trees)
    readers = {"official": found["logins"]["official"], "support": found["logins"]["support"]}
    pages: list[tuple[str, str, str]] = [
        ("anonymous", "home", "/"),
        ("official", "home", "/"),
        ("official", "members directory", "/members/"),
        ("official", "programme", f"/programme/{found['year']}/"),
        ("official", "meetings", "/meetings/"),
        ("official", "library search", "/library/?" + urlencode({"q": SEARCH})),
        ("official", "people directory", "/people/"),
        ("official", "notifications", "/notifications/"),
        ("support", "home", "/"),
        ("support", "members directory", "/members/"),
        ("support", "programme", f"/programme/{found['year']}/"),
        ("support", "statements", "/statements/"),
        ("support", "documents", "/documents/"),
        ("support", "response", "/response/"),
        ("support", "audit log", "/audit/"),
        ("support", "accounts", "/support/accounts/"),
    ]
    if found["sign_on"]:
        pages.insert(6, ("official", "statement sign-on", f"/statements/{found['sign_on']}/"))
    if found["public"]:
        pages.insert(1, ("anonymous", "published statement", f"/statements/{found['public']}/"))
    pages = [(reader, page, path) for reader, page, path in pages if args.only in f"{page} ({reader})"]
    load_before = os.getloadavg()
    servers = [start(args, name, tree) for name, tree in trees.items()]
    try:
        # Signed in once, through the first server: the session lives in the shared database, so the same cookies
        # serve both (a second sign-in would have to wait for a new TOTP code, which replay protection requires).
        cookies = {login: sign_in(servers[0], email, secret) for login, (email, secret) in readers.items()}
        for server in servers:
            server.cookies = {"anonymous": {}, **cookies}
        results: dict[str, dict[str, Figures]] = {}
        for reader, page, path in pages:
            row = results.setdefault(f"{page} ({reader})", {s.name: Figures() for s in servers})
            for server in servers:
                for _ in range(args.warm):
                    measure_once(server, path, server.cookies[reader], None)
            for _ in range(args.runs):
                for server in servers:
                    measure_once(server, path, server.cookies[reader], row[server.name])
    finally:
        for server in servers:
            server.stop()
    load_after = os.getloadavg()
    report(args, results, load_before, load_after)


def report(
    args: argparse.Namespace,
    results: dict[str, dict[str, Figures]],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    names = list(next(iter(results.values())))
    print(
        f"\n{args.runs} requests per page and server; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after"
    )
    head = "| page (reader) |" + "".join(f" {n} median | {n} p90 |" for n in names)
    if len(names) == 2:
        head += " ratio (median) |"
    head += " Server-Timing cpu median | queries | KiB |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    total_requests = 0
    for page, by in results.items():
        line = f"| {page} |"
        for name in names:
            line += f" {statistics.median(by[name].proc_ms):.1f} | {p90(by[name].proc_ms):.1f} |"
        if len(names) == 2:
            line += f" {statistics.median(by[names[0]].proc_ms) / statistics.median(by[names[1]].proc_ms):.1f}× |"
        after = by[names[-1]]
        timing = f"{statistics.median(after.timing_ms):.1f}" if after.timing_ms else "–"
        line += f" {timing} | {after.queries} | {after.bytes / 1024:.0f} |"
        total_requests += len(after.proc_ms)
        print(line)
    for name in names:
        mean = statistics.mean(x for by in results.values() for x in by[name].proc_ms)
        ticks_ms = sum(by[name].ticks for by in results.values()) / TICKS * 1000
        print(f"{name}: schedstat mean {mean:.1f} ms a request; utime+stime {ticks_ms / total_requests:.1f} ms")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    page: {
                        n: {"proc_ms": f.proc_ms, "timing_ms": f.timing_ms, "queries": f.queries} for n, f in by.items()
                    }
                    for page, by in results.items()
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
