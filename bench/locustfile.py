"""Locust's user classes for the load test (issue 20, "Load"): bench/load.py starts the server and runs this file.

The server runs with production settings behind the loopback "proxy" that this client plays: every request says
`X-Forwarded-Proto: https` (the server runs with BEHIND_PROXY=true, as behind the documented reverse proxy, and
gunicorn believes the header from 127.0.0.1 only), and each simulated person carries its own `__Host-`/Secure
cookies in a Cookie header over loopback HTTP, as the proxy's TLS leg would (requests never sends a Secure cookie
over http). POSTs send the https Referer that Django's CSRF
check wants of a secure request.

Sessions are made by bench/load.py directly in the database (the file named by LOAD_SESSIONS), one per account, as a
sign-in with password and TOTP would leave them: each account has a TOTP authenticator, which is what the MFA
middleware checks. Mix:
- MemberOfficial (×officials): home, members, people, programme, meetings, library search, notifications;
- FocalPoint (one per member government): the same, plus a sign-on response through the real form on the
  statement open for sign-on (GET the page, POST its form with the CSRF token; sign, then withdraw, in turn);
- SupportStaff: home, statements, documents, response, programme, members, audit log;
- StatementReader (anonymous): the newly published statement (the publication spike);
- TrivialReader: the trivial view, for the throughput ratio (also measured alone by bench/load.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from typing import Any, ClassVar

from locust import HttpUser, between, constant, task

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_SESSIONS"]).read()) if "LOAD_SESSIONS" in os.environ else {}  # noqa: SIM115
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "5"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "15"))
# A person (or the proxy in front) gives up after this long: gunicorn's own worker timeout (config/gunicorn.py).
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))
READER_WAIT_MIN = float(os.environ.get("LOAD_READER_WAIT_MIN", "5"))
READER_WAIT_MAX = float(os.environ.get("LOAD_READER_WAIT_MAX", "15"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGNED_IN = 'action="/accounts/logout/"'  # the sign-out form of every signed-in page (core/base.html)
QUERIES = ("internet shutdowns", "freedom of expression", "privacy", "human rights online", "surveillance", "digital")

# Each simulated person takes the next unused session of its kind.
_handed_out: dict[str, itertools.count[int]] = {}


class Person(HttpUser):
    abstract = True
    kind: ClassVar[str] = ""
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-Proto"] = "https"
        # requests never sends a Secure cookie over http (it copies the jar into a default-policy one per request):
        # the person carries its cookies itself, as the TLS leg of the proxy would.
        self.jar: dict[str, str] = {}
        self.account: dict[str, Any] = {}
        if self.kind:
            sessions = PLAN["sessions"][self.kind]
            number = next(_handed_out.setdefault(self.kind, itertools.count()))
            self.account = sessions[number % len(sessions)]
            self.jar[PLAN["session_cookie"]] = self.account["session"]

    def headers(self, **more: str) -> dict[str, str]:
        cookies = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        return {"Cookie": cookies, **more} if cookies else more

    def keep_cookies(self, answer: Any) -> None:
        for cookie in answer.cookies:
            self.jar[cookie.name] = cookie.value

    def page(self, path: str, name: str | None = None) -> Any:
        with self.client.get(
            path, name=name or path, headers=self.headers(), allow_redirects=False, catch_response=True, timeout=TIMEOUT
        ) as answer:
            self.keep_cookies(answer)
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} (expected 200)")
            elif self.kind and SIGNED_IN not in (answer.text or ""):
                answer.failure("answered as to an anonymous reader: the session was not carried")
            return answer


class MemberOfficial(Person):
    kind = "officials"
    fixed_count = int(os.environ.get("LOAD_OFFICIALS", "381"))

    @task(3)
    def home(self) -> None:
        self.page("/")

    @task(2)
    def members(self) -> None:
        self.page("/members/")

    @task(2)
    def people(self) -> None:
        self.page(f"/people/?page={random.randint(1, 5)}", name="/people/?page=N")

    @task(2)
    def programme(self) -> None:
        self.page(f"/programme/{PLAN['year']}/", name="/programme/YEAR/")

    @task(2)
    def meetings(self) -> None:
        self.page("/meetings/")

    @task(2)
    def library_search(self) -> None:
        self.page(f"/library/?q={random.choice(QUERIES)}", name="/library/?q=…")

    @task(1)
    def notifications(self) -> None:
        self.page("/notifications/")


class FocalPoint(MemberOfficial):
    kind = "focal_points"
    fixed_count = int(os.environ.get("LOAD_FOCAL_POINTS", "9"))

    def on_start(self) -> None:
        super().on_start()
        self.next_kind = "signed"

    @task(2)
    def sign_on(self) -> None:
        """The statement's working page, then the member's response through its form (sign, then withdraw)."""
        path = f"/statements/{PLAN['sign_on_slug']}/"
        answer = self.page(path, name="/statements/SIGN-ON/")
        found = CSRF_INPUT.search(answer.text or "")
        if found is None:
            return
        data = {
            "csrfmiddlewaretoken": found.group(1),
            "freeze": PLAN["sign_on_freeze"],
            "organisation": self.account["organisation"],
            "kind": self.next_kind,
        }
        referer = f"https://{self.host.split('//', 1)[-1]}{path}"  # type: ignore[union-attr]
        with self.client.post(
            f"{path}respond/",
            data=data,
            headers=self.headers(Referer=referer),
            name="POST /statements/SIGN-ON/respond/",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT,
        ) as posted:
            if posted.status_code != 302:
                posted.failure(f"{posted.status_code} (expected 302 after the response was recorded)")
                return
            self.keep_cookies(posted)
        self.next_kind = "withdrawn" if self.next_kind == "signed" else "signed"


class SupportStaff(Person):
    kind = "support"
    fixed_count = int(os.environ.get("LOAD_SUPPORT", "10"))

    @task(2)
    def home(self) -> None:
        self.page("/")

    @task(2)
    def statements(self) -> None:
        self.page("/statements/")

    @task(1)
    def documents(self) -> None:
        self.page("/documents/")

    @task(1)
    def response(self) -> None:
        self.page("/response/")

    @task(1)
    def programme(self) -> None:
        self.page(f"/programme/{PLAN['year']}/", name="/programme/YEAR/")

    @task(1)
    def members(self) -> None:
        self.page("/members/")

    @task(1)
    def audit(self) -> None:
        self.page("/audit/")


class StatementReader(Person):
    """An anonymous reader of the statement just published, paced as a person (they all arrive in the ramp)."""

    fixed_count = int(os.environ.get("LOAD_READERS", "50"))
    wait_time = between(READER_WAIT_MIN, READER_WAIT_MAX)

    @task
    def statement(self) -> None:
        self.page(f"/statements/{PLAN['published_slug']}/", name="/statements/PUBLISHED/ (anonymous)")


class TrivialReader(Person):
    fixed_count = int(os.environ.get("LOAD_TRIVIAL", "2"))
    wait_time = between(READER_WAIT_MIN, READER_WAIT_MAX)

    @task
    def trivial(self) -> None:
        self.page(PLAN["trivial_path"], name=f"{PLAN['trivial_path']} (trivial)")


class SpikeStatement(Person):
    """Only for bench/load.py's throughput phase: the published statement, without pause."""

    wait_time = constant(0)

    @task
    def statement(self) -> None:
        self.page(f"/statements/{PLAN['published_slug']}/", name="statement alone")


class SpikeTrivial(Person):
    """Only for bench/load.py's throughput phase: the trivial view, without pause."""

    wait_time = constant(0)

    @task
    def trivial(self) -> None:
        self.page(PLAN["trivial_path"], name="trivial alone")
