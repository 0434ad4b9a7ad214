"""The 2023 annual report of the demo coalition, with evidence of every kind the platform registers — reuse found in
the library included — answers in every format (page, PDF, CSV, JSON) for every role, and a visitor gets only what
is public (issue 17 item 1: a reuse record had no classification the policy could state, so every format answered
500 for everyone once the library had linked its uptake evidence)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, TestCase
from pypdf import PdfReader

from coalition.accounts.models import User
from coalition.core import policy
from coalition.core.evidence import registered
from coalition.core.policy import Classification
from coalition.demo.loader import DEMO_DOMAIN, load_demo
from coalition.directory.models import Country
from coalition.library import services as library
from coalition.library.models import Paragraph, ReuseRecord, Source
from coalition.programme import services
from coalition.programme.models import Activity, EvidenceLink
from coalition.response.services import open_situation

PAGE, PDF, CSV, JSON = (
    "/programme/2023/report/",
    "/programme/2023/report.pdf",
    "/programme/2023/export.csv",
    "/programme/2023/export.json",
)
LOGINS = ["support", "chair", "focal", "official", "observer", "advisory", None]
MEMBERS_ONLY_TITLE = "Members-only demarche text (report test)"
SITUATION_TITLE = "Ethiopia: regional shutdown (report test)"
RECORDS_PER_KIND = 4  # of each kind, enough to hold public and non-public records where the demo has both


@pytest.fixture(scope="module")
def report_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo coalition as `load_demo` leaves it once committed (its library indexed and the reuse between its
    texts detected and linked to 1A.6 as uptake evidence), then records of every registered evidence kind linked to
    2023 activities, and a members-only text that takes up the demo resolution, linked too. Loaded once for the
    module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):  # what the demo does once its transaction commits
            load_demo()
        support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
        activities = list(Activity.objects.filter(objective__goal__programme__year=2023).order_by("pk"))
        uptake = next(a for a in activities if a.code == "1A.6")
        assert EvidenceLink.objects.filter(activity=uptake, record_type="library.reuse").exists()
        members_only = _members_only_reuse(support)
        services.link_evidence(activity=uptake, record_type="library.reuse", record_id=str(members_only.pk), by=support)
        # The demo opens no situation: a members-only one, as a Support Unit would from an alert.
        open_situation(by=support, country=Country.objects.get(code="ET"), title=SITUATION_TITLE)
        for n, (key, kind) in enumerate(sorted(registered().items())):
            for record in kind.records_for(support).order_by("pk")[:RECORDS_PER_KIND]:
                services.link_evidence_if_new(
                    activity=activities[n % len(activities)], record_type=key, record_id=str(record.pk), by=support
                )
        linked = set(EvidenceLink.objects.filter(activity__in=activities).values_list("record_type", flat=True))
        assert linked == set(registered()), set(registered()) - linked
        yield {"members_only": members_only}
        transaction.set_rollback(True)


def _members_only_reuse(support: User) -> ReuseRecord:
    """A members-only text whose one paragraph takes up the first paragraph of the demo's public resolution."""
    resolution = Source.objects.get(symbol="A/HRC/RES/DEMO/1")
    origin = Paragraph.objects.filter(source=resolution).order_by("position").first()
    assert origin is not None
    source = library.import_text(
        by=support,
        text=origin.text,
        kind=Source.Kind.OTHER,
        title=MEMBERS_ONLY_TITLE,
        classification=Classification.MEMBERS,
        detect=False,
    )
    target = source.paragraphs.get()
    return ReuseRecord.objects.create(origin=origin, target=target, kind=ReuseRecord.Kind.VERBATIM, similarity=1.0)


def _client(login: str | None) -> Client:
    client = Client()
    if login:
        client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    return client


def _user(login: str | None) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return User.objects.get(email=f"{login}@{DEMO_DOMAIN}") if login else AnonymousUser()


def _text(url: str, content: bytes) -> str:
    """What a reader finds in the format: the PDF's extracted text, else the body as text."""
    if url == PDF:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8-sig")


def _hidden_titles(login: str | None) -> set[str]:
    """The titles of linked evidence records that the reader may not see, by the evidence kind's own filter."""
    user = _user(login)
    hidden = set()
    for key, kind in registered().items():
        ids = list(EvidenceLink.objects.filter(record_type=key).values_list("record_id", flat=True))
        visible = {str(pk) for pk in kind.records_for(user).filter(pk__in=ids).values_list("pk", flat=True)}
        for record in kind.model._default_manager.filter(pk__in=ids):
            if str(record.pk) not in visible:
                hidden.add(kind.title(record))
    return hidden


@pytest.mark.parametrize("url", [PAGE, PDF, CSV, JSON])
@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login or "anonymous")
def test_every_report_format_answers_every_role_with_reuse_evidence(report_demo, db, login, url):
    response = _client(login).get(url)
    assert response.status_code == 200, response.content[:2000]
    text = _text(url, response.content)
    assert "1A.6" in text and "3D.1" in text  # the whole programme, not an empty shell
    if url == CSV:
        rows = {row["Code"]: row for row in csv.DictReader(io.StringIO(text))}
        assert rows["1A.6"]["Title"]


@pytest.mark.parametrize("url", [PAGE, JSON])
@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login or "anonymous")
def test_the_report_lists_the_reuse_the_reader_may_read(report_demo, db, login, url):
    """The page and the JSON list each piece of evidence by its title: the reuse between public demo texts for
    everyone, the members-only text's for the governments only."""
    text = _text(url, _client(login).get(url).content)
    public_reuse = [
        record
        for record in ReuseRecord.objects.filter(target__source__classification=Classification.PUBLIC)
        if record.origin.source.classification == Classification.PUBLIC
        and EvidenceLink.objects.filter(record_type="library.reuse", record_id=str(record.pk)).exists()
        and record.target.source.statement is None
    ]
    assert public_reuse
    escaped = (lambda s: s) if url == JSON else (lambda s: s.replace("'", "&#x27;").replace("&", "&amp;"))
    for record in public_reuse:
        assert f"takes up {record.origin.source}" in text or escaped(f"takes up {record.origin.source}") in text
    members_can = login in {"support", "chair", "focal", "official"}
    assert (MEMBERS_ONLY_TITLE in text) is members_can


@pytest.mark.parametrize("url", [PAGE, PDF, CSV, JSON])
def test_a_visitor_gets_nothing_but_public_evidence_in_any_format(report_demo, db, url):
    response = _client(None).get(url)
    text = _text(url, response.content)
    hidden = _hidden_titles(None)
    assert MEMBERS_ONLY_TITLE in "".join(hidden) and SITUATION_TITLE in hidden
    for title in hidden:
        assert title not in text, title
    if url == JSON:
        data = json.loads(text)["programme"]
        assert data["classification"] == Classification.PUBLIC


@pytest.mark.parametrize("url", [PAGE, JSON])
def test_the_members_only_reuse_marks_the_governments_report_members(report_demo, db, url):
    """The reuse of a members-only text reads as members-only: a government's report is marked so."""
    record = report_demo["members_only"]
    assert policy.effective_classification(record) == Classification.MEMBERS
    text = _text(url, _client("official").get(url).content)
    assert MEMBERS_ONLY_TITLE in text
    if url == JSON:
        assert json.loads(text)["programme"]["classification"] == Classification.MEMBERS
