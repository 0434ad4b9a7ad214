"""Security review of donor coordination, requests (the scene: `security_scene`): hostile text is escaped, CSV
cells cannot run and uploads are refused by size before they are read; POSTs need a CSRF token and GET changes
nothing; signed-in pages are not cached; every view declares a rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from coalition.core.access import declared_policy, routes
from coalition.core.policy import RULES, Tier
from coalition.core.tests.clients import text_of
from coalition.donors import services
from coalition.donors.models import (
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    ImportBatch,
    Overlap,
    Participation,
    TopicMapping,
)
from coalition.donors.tests.conftest import funding, iati_file, imported, needs_standard
from coalition.donors.tests.security_scene import (
    BY_ID,
    DE_ET,
    NL_MECH,
    PAIRS,
    SAME_WORK,
    SE_ET,
    SECRET_ID,
    Scene,
    activity_state,
    browser,
    build_scene,
    csv_rows,
    not_cached,
    review_state,
    tier_state,
)

pytestmark = [pytest.mark.django_db, needs_standard]


@pytest.fixture
def scene(member: Any, support: Any, advisory: Any) -> Scene:
    return build_scene(member, support, advisory)


# --- Hostile input ------------------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script>'


def test_hostile_text_and_file_names_are_escaped_wherever_they_are_shown(scene: Scene, worker: Any) -> None:
    """A title and a file name written as HTML come back as text on every page that shows them."""
    nl = scene.people["NL"]
    hostile = funding(
        "XM-DAC-NL-XSS",
        title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
        country="ET",
        implementer="Access Shield",
        description=SAME_WORK,  # so that it overlaps DE's and SE's records and shows on the overlaps pages
    )
    upload = SimpleUploadedFile('<img src=x onerror="alert(1)">.xml', iati_file(hostile))
    client = browser(nl)
    with worker():
        report = client.post(reverse("donors:import"), {"file": upload, "tier": Tier.MECHANISM})
    report = client.get(report["Location"])
    assert report.status_code == 200 and "onerror=" in text_of(report).replace("&quot;", '"')
    services.detect_overlaps()
    record = FundingActivity.objects.get(identifier="XM-DAC-NL-XSS")
    assert record.title == XSS
    for page, shown in (
        (report, "&lt;img src=x"),
        (client.get(reverse("donors:index")), "&lt;img src=x"),
        (client.get(reverse("donors:activities")), "&lt;script&gt;alert"),
        (client.get(reverse("donors:activity", args=[record.pk])), "&lt;script&gt;alert"),
        (client.get(reverse("donors:overlaps")), "&lt;script&gt;alert"),
        (client.get(reverse("donors:timeline")), "&lt;script&gt;alert"),
        (browser(scene.people["DE"]).get(reverse("donors:overlaps")), "&lt;script&gt;alert"),
    ):
        html = page.content.decode()
        assert shown in html and "<script>alert" not in html and "<img src=x" not in html, page.request["PATH_INFO"]


def test_no_csv_cell_can_run_as_a_formula(scene: Scene) -> None:
    """CSV injection: identifiers and titles starting with = + - @ are quoted in the export."""
    nl = scene.people["NL"]
    formulas = {"=1+2": "=HYPERLINK(1)", "+1+2": "+SUM(1)", "-1+2": "-SUM(1)", "@SUM(1)": "@SUM(2)"}
    imported(nl, *(funding(identifier, title=title, country="UG") for identifier, title in formulas.items()))
    rows = csv_rows(browser(nl).get(reverse("donors:activities"), {"format": "csv"}))
    cells = [cell for row in rows for cell in row.values()]
    numbers = re.compile(r"-\d+(?:\.\d+)?")  # a refund stays a number
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not numbers.fullmatch(cell)]
    assert {"'=1+2", "'@SUM(1)"} <= {row["identifier"] for row in rows}


@override_settings(DONORS_MAX_FILE_BYTES=1000)
def test_an_upload_over_the_limit_is_refused_before_a_byte_is_read(scene: Scene, monkeypatch: Any) -> None:
    """The form refuses by the size the request declares; the importer never opens the file."""

    def never(upload: Any) -> Any:
        raise AssertionError("the upload was read")

    monkeypatch.setattr("coalition.donors.views.imports.upload_data", never)
    before, batches = activity_state(), ImportBatch.objects.count()
    upload = SimpleUploadedFile("big.xml", iati_file(*(funding(f"XM-DAC-NL-BIG-{n}") for n in range(3))))
    refused = browser(scene.people["NL"]).post(reverse("donors:import"), {"file": upload, "tier": Tier.MECHANISM})
    assert refused.status_code == 400 and "files of up to" in text_of(refused)
    assert activity_state() == before and ImportBatch.objects.count() == batches


def test_the_template_download_is_for_reporters_and_carries_no_members_data(scene: Scene) -> None:
    for fmt in ("csv", "xlsx"):
        url = reverse("donors:template", args=[fmt])
        answer = browser(scene.people["SE"]).get(url)
        assert answer.status_code == 200
        for identifier in BY_ID:
            assert identifier.encode() not in answer.content
        assert browser(scene.advisory).get(url).status_code == 403
        assert Client().get(url).status_code == 302


# --- CSRF, GET-safety, caching, declared rules --------------------------------------------------------------------


def post_actions(scene: Scene) -> list[tuple[str, dict[str, Any]]]:
    nl = scene.org("NL").pk
    return [
        (reverse("donors:join"), {"organisation": scene.org("FR").pk}),
        (reverse("donors:leave"), {"organisation": nl}),
        (reverse("donors:tier", args=[scene.pk(NL_MECH)]), {"tier": Tier.PUBLIC}),
        (reverse("donors:review", args=[scene.overlap(DE_ET, SE_ET).pk]), {"review": "duplicate"}),
        (reverse("donors:detect"), {}),
        (reverse("donors:taxonomy"), {"kind": "sector", "code": "15110", "topic": "ai"}),
        (reverse("donors:rates"), {"currency": "GBP", "on": "2024-01-01", "rate": "1.3", "source": "x"}),
        (reverse("donors:groups"), {"name": "Probe", "members": [nl, scene.org("DE").pk]}),
        (reverse("donors:group", args=[scene.group.pk]), {"name": "Renamed", "members": [nl, scene.org("DE").pk]}),
        (reverse("donors:remove_mapping", args=[TopicMapping.objects.get(kind="sector", code="15160").pk]), {}),
    ]


def donors_state() -> tuple[Any, ...]:
    return (
        tier_state(),
        review_state(),
        list(Participation.objects.order_by("pk").values_list("organisation_id", "left_on")),
        Overlap.objects.count(),
        TopicMapping.objects.count(),
        ExchangeRate.objects.count(),
        list(DonorGroup.objects.values_list("name")),
    )


def test_every_post_action_needs_a_csrf_token(scene: Scene) -> None:
    """Rule: every POST is CSRF-protected — a forged cross-site POST by a signed-in NL official or the Support Unit
    changes nothing."""
    actions = post_actions(scene)
    before = donors_state()
    for user in (scene.people["NL"], scene.support):
        client = browser(user, enforce_csrf_checks=True)
        for url, data in actions:
            assert client.post(url, data).status_code == 403, url
    assert donors_state() == before


def test_get_changes_nothing(scene: Scene) -> None:
    """Rule: GET is safe — a link or an image cannot join, leave, share, review, detect or edit reference data."""
    actions = post_actions(scene)
    Overlap.objects.filter(pk=scene.overlap(DE_ET, SE_ET).pk).delete()  # what a detection run would bring back
    before = donors_state()
    for user in (scene.people["NL"], scene.support):
        client = browser(user)
        for url, data in actions:
            assert client.get(url, data).status_code in (200, 403, 405), url
    assert donors_state() == before


def test_members_change_no_reference_data_and_no_group(scene: Scene) -> None:
    """Rule: donors.manage — the topic mapping, exchange rates, donor groups and detection runs are the Support
    Unit's: a member official is refused each of them and nothing changes."""
    before = donors_state()
    client = browser(scene.people["NL"])
    for url, data in post_actions(scene)[4:]:
        assert client.post(url, data).status_code == 403, url
    assert donors_state() == before


def test_detection_is_run_by_the_support_unit_only(scene: Scene) -> None:
    Overlap.objects.all().delete()
    for user in (scene.people["NL"], scene.advisory):
        assert browser(user).post(reverse("donors:detect")).status_code == 403
    assert Client().post(reverse("donors:detect")).status_code == 302
    assert not Overlap.objects.exists()
    assert browser(scene.support).post(reverse("donors:detect")).status_code == 302
    assert Overlap.objects.count() == len(PAIRS)


def test_signed_in_pages_are_never_cached(scene: Scene) -> None:
    """Rule: @personal — every donors page for a signed-in person, its CSV exports and its 400 answers carry
    Cache-Control: private, no-store."""
    client = browser(scene.people["NL"])
    secret = scene.pk(SECRET_ID)
    urls = [
        reverse("donors:index"),
        reverse("donors:activities"),
        reverse("donors:activities") + "?format=csv",
        reverse("donors:activity", args=[secret]),
        reverse("donors:import"),
        reverse("donors:batch", args=[scene.batches[SECRET_ID].pk]),
        reverse("donors:overlaps"),
        reverse("donors:heatmap"),
        reverse("donors:heatmap") + "?format=csv",
        reverse("donors:gaps"),
        reverse("donors:timeline"),
        reverse("donors:taxonomy"),
        reverse("donors:rates"),
        reverse("donors:groups"),
        reverse("donors:principles"),
        reverse("response:situation", args=[scene.situation.pk]),
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200 and not_cached(answer), url
    assert not_cached(browser(scene.support).get(reverse("donors:group", args=[scene.group.pk])))
    for answer in (
        client.post(reverse("donors:tier", args=[secret]), {"tier": Tier.BILATERAL}),
        client.post(reverse("donors:review", args=[scene.overlap(SECRET_ID, DE_ET).pk]), {"review": "maybe"}),
        client.post(reverse("donors:import"), {"tier": Tier.MECHANISM}),
        client.post(reverse("donors:join"), {"organisation": scene.org("FR").pk}),
    ):
        assert answer.status_code == 400 and not_cached(answer)


def test_every_donors_url_declares_its_rule() -> None:
    """Rule: every view of donor coordination declares a policy rule (@access / access_policy) that exists."""
    found = [
        (route, declared_policy(callback))
        for route, callback in routes()
        if getattr(callback, "__module__", "").startswith("coalition.donors")
    ]
    assert len(found) >= 22
    for route, rule in found:
        assert rule is not None and rule in RULES, route
