"""Security review of donor coordination, acting (the scene: `security_scene`): no one reviews an overlap or
changes a tier that is not theirs, imports for another member or joins a group through a form; a filter naming
hidden records answers as one naming nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coalition.core.models import AuditEvent
from coalition.core.policy import Tier
from coalition.core.tests.clients import api_for, text_of
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.donors.models import (
    DonorGroup,
    FundingActivity,
    ImportBatch,
    Participation,
    SelfAssessment,
)
from coalition.donors.tests.conftest import funding, iati_file, needs_standard
from coalition.donors.tests.security_scene import (
    ACTIVITIES_API,
    ALL_READERS,
    DE_ET,
    GROUP_ID,
    MISSING_PK,
    NL_MECH,
    OVERLAPS_API,
    READS,
    SE_ET,
    SECRET_ID,
    Scene,
    activity_state,
    api_ids,
    browser,
    build_scene,
    review_state,
    tier_state,
)

pytestmark = [pytest.mark.django_db, needs_standard]


@pytest.fixture
def scene(member: Any, support: Any, advisory: Any) -> Scene:
    return build_scene(member, support, advisory)


# --- Actions: only on what one may read, and only for one's own member ------------------------------------------


def test_no_one_reviews_an_overlap_with_a_record_it_cannot_read(scene: Scene) -> None:
    """Rule: donors.review — SE reported one side of the candidate (SE-ET ↔ the bilateral record) but cannot read the
    other: not found, as for FR and the Support Unit; the Advisory Network and visitors are refused outright."""
    before = review_state()
    hidden = scene.overlap(SECRET_ID, SE_ET)
    url = reverse("donors:review", args=[hidden.pk])
    missing = reverse("donors:review", args=[MISSING_PK])
    for user in (scene.people["SE"], scene.people["FR"], scene.support):
        client = browser(user)
        answer = client.post(url, {"review": "duplicate", "note": "probe"})
        assert answer.status_code == 404
        assert text_of(answer) == text_of(client.post(missing, {"review": "duplicate"}))
    assert browser(scene.advisory).post(url, {"review": "duplicate"}).status_code == 403
    assert Client().post(url, {"review": "duplicate"}).status_code == 302
    assert review_state() == before


def test_a_reader_of_both_records_that_reported_neither_cannot_review(scene: Scene) -> None:
    """Rule: donors.review — DE reads the bilateral record and SE-ET, but the candidate between them is NL's and SE's
    to judge; NL reads DE-ET and SE-ET but judges neither."""
    before = review_state()
    for code, pair in (("DE", (SECRET_ID, SE_ET)), ("NL", (DE_ET, SE_ET))):
        url = reverse("donors:review", args=[scene.overlap(*pair).pk])
        client = browser(scene.people[code])
        assert client.post(url, {"review": "duplicate"}).status_code == 403, code
        assert f'action="{url}"' not in client.get(reverse("donors:overlaps")).content.decode()  # no form offered
    assert review_state() == before
    done = browser(scene.people["SE"]).post(
        reverse("donors:review", args=[scene.overlap(DE_ET, SE_ET).pk]), {"review": "complementary"}
    )
    assert done.status_code == 302  # (so the refusals above are not of every review)


def test_only_the_reporters_people_change_who_a_record_is_shared_with(scene: Scene) -> None:
    """Rule: donors.share — DE (which reads the record) is refused; SE and FR (which do not) find nothing; the
    Support Unit is refused even for a record it reads; nothing changes and nothing is recorded."""
    before, events = tier_state(), AuditEvent.objects.filter(action="donors.tier_set").count()
    wider = {"tier": Tier.PUBLIC}
    secret = reverse("donors:tier", args=[scene.pk(SECRET_ID)])
    mechanism = reverse("donors:tier", args=[scene.pk(NL_MECH)])
    assert browser(scene.people["DE"]).post(secret, wider).status_code == 403
    assert browser(scene.people["DE"]).post(mechanism, wider).status_code == 403
    for code in ("SE", "FR"):
        assert browser(scene.people[code]).post(secret, wider).status_code == 404, code
    for url in (secret, mechanism):
        assert browser(scene.support).post(url, wider).status_code == 403
        assert browser(scene.advisory).post(url, wider).status_code == 403
        assert Client().post(url, wider).status_code == 302
    add_se = {"tier": Tier.BILATERAL, "bilateral_with": [scene.org("DE").pk, scene.org("SE").pk]}
    assert browser(scene.people["DE"]).post(secret, add_se).status_code == 403
    assert tier_state() == before
    assert AuditEvent.objects.filter(action="donors.tier_set").count() == events
    page = text_of(browser(scene.people["DE"]).get(reverse("donors:activity", args=[scene.pk(SECRET_ID)])))
    assert "Change who it is shared with" not in page


def test_the_tier_form_takes_nothing_but_the_tier_and_its_audience(scene: Scene) -> None:
    """Mass assignment: fields the form does not declare (reporter, title, identifier, total, group members) are
    ignored; the record changes tier and nothing else."""
    nl = browser(scene.people["NL"])
    record = FundingActivity.objects.get(identifier=NL_MECH)
    before = (record.reporter_id, record.title, record.identifier, record.total)
    members = set(scene.group.members.values_list("pk", flat=True))
    answer = nl.post(
        reverse("donors:tier", args=[record.pk]),
        {
            "tier": Tier.PUBLIC,
            "reporter": scene.org("DE").pk,
            "title": "Renamed",
            "identifier": "XM-DAC-OTHER",
            "total": "1",
            "members": [scene.org("FR").pk],
            "group__members": [scene.org("FR").pk],
        },
    )
    assert answer.status_code == 302
    record.refresh_from_db()
    assert record.tier == Tier.PUBLIC
    assert (record.reporter_id, record.title, record.identifier, record.total) == before
    assert set(scene.group.members.values_list("pk", flat=True)) == members


def test_a_member_cannot_put_itself_in_a_group_through_the_tier_or_import_form(scene: Scene) -> None:
    """Rule: group membership is donors.manage (Support Unit): DE, not in "Great Lakes donors", can neither share
    its record with the group (and so read the group's exchange) nor import into it, nor edit the group."""
    de = browser(scene.people["DE"])
    members = set(scene.group.members.values_list("pk", flat=True))
    before = tier_state()
    as_group = {"tier": Tier.GROUP, "group": scene.group.pk}
    refused = de.post(reverse("donors:tier", args=[scene.pk(DE_ET)]), as_group)
    assert refused.status_code == 400 and "Select a valid choice" in text_of(refused)
    upload = SimpleUploadedFile("de.xml", iati_file(funding("XM-DAC-DE-NEW", country="RW")))
    refused = de.post(reverse("donors:import"), {"file": upload, **as_group})
    assert refused.status_code == 400 and "is not a member of the group" in text_of(refused)
    edit = {"name": "Great Lakes donors", "members": [*members, scene.org("DE").pk]}
    assert de.post(reverse("donors:group", args=[scene.group.pk]), edit).status_code == 403
    assert de.post(reverse("donors:groups"), {"name": "Mine", "members": [scene.org("DE").pk, *members]}).status_code
    assert set(scene.group.members.values_list("pk", flat=True)) == members
    assert DonorGroup.objects.count() == 1 and tier_state() == before
    assert GROUP_ID not in api_ids(api_for(scene.people["DE"]).get(ACTIVITIES_API))


def test_no_member_imports_for_another_member_through_the_form(scene: Scene) -> None:
    """Rule: donors.report — SE and DE posting NL as the reporter (with the bilateral record's identifier, to
    overwrite it) are refused as an invalid choice; nothing is saved and no report is made."""
    before, batches = activity_state(), ImportBatch.objects.count()
    overwrite = iati_file(funding(SECRET_ID, title="Overwritten", country="ET"))
    for code in ("SE", "DE", "FR"):
        answer = browser(scene.people[code]).post(
            reverse("donors:import"),
            {"file": SimpleUploadedFile("x.xml", overwrite), "reporter": scene.org("NL").pk, "tier": Tier.MECHANISM},
        )
        assert answer.status_code == 400 and "Select a valid choice" in text_of(answer), code
    assert browser(scene.advisory).post(reverse("donors:import"), {"reporter": scene.org("NL").pk}).status_code == 403
    assert activity_state() == before and ImportBatch.objects.count() == batches


def test_a_members_own_identifier_never_reaches_another_members_record(scene: Scene, worker: Any) -> None:
    """Identifiers are per reporter: SE importing the bilateral record's identifier as its own creates SE's record,
    leaves NL's untouched and its report cannot tell that NL uses the identifier (New 1, as for any new one)."""
    before = FundingActivity.objects.filter(identifier=SECRET_ID).values_list("title", "total").get()
    se = browser(scene.people["SE"])
    upload = SimpleUploadedFile("se.xml", iati_file(funding(SECRET_ID, title="SE's own", country="ET")))
    with worker():
        report = se.post(reverse("donors:import"), {"file": upload, "tier": Tier.MECHANISM})
    report = se.get(report["Location"])
    assert re.search(r"New ?1 ?Updated ?0 ?Unchanged ?0", text_of(report))
    nl_record = FundingActivity.objects.filter(identifier=SECRET_ID, reporter=scene.org("NL"))
    assert nl_record.values_list("title", "total").get() == before
    assert FundingActivity.objects.filter(identifier=SECRET_ID, reporter=scene.org("SE")).exists()


def test_no_one_joins_leaves_or_assesses_for_another_member(scene: Scene) -> None:
    """IDOR on the member a form names: the choices hold only the viewer's own member, so a forged one is refused."""

    principles = documents.create_document(
        by=scene.support, title="Donor principles", kind=Document.Kind.PRINCIPLES, text="Do no harm.\n\nShare early."
    )
    se = browser(scene.people["SE"])
    nl, fr = scene.org("NL").pk, scene.org("FR").pk
    assert se.post(reverse("donors:leave"), {"organisation": nl}).status_code == 400
    assert se.post(reverse("donors:join"), {"organisation": fr}).status_code == 400
    answer = se.post(reverse("donors:assess", args=[principles.pk, 1]), {"organisation": nl, "rating": "met"})
    assert answer.status_code == 400
    assert Participation.objects.filter(organisation_id=nl, left_on__isnull=True).exists()
    assert not Participation.objects.filter(organisation_id=fr).exists()
    assert not SelfAssessment.objects.exists()


def test_the_api_names_a_bilateral_records_partners_to_its_reporters_people_only(scene: Scene) -> None:
    """Rule: donors.share decides who reads `bilateral_with` — DE, the partner, reads that the record is bilateral,
    never with whom; the Support Unit and the others read null on every record."""
    for reader in ALL_READERS:
        client = api_for(scene.readers[reader])
        rows = client.get(ACTIVITIES_API).json()["results"]
        for row in rows:
            if row["reporter"]["name"] == f"Government of {reader}":
                assert isinstance(row["bilateral_with"], list)  # its own people read the list
                continue
            assert row["bilateral_with"] is None, (reader, row["identifier"])
        if SECRET_ID in READS[reader]:
            detail = client.get(f"{ACTIVITIES_API}{scene.pk(SECRET_ID)}/").json()
            assert detail["tier"] == Tier.BILATERAL
            partners = detail["bilateral_with"]
            assert partners == ([{"id": scene.org("DE").pk, "name": "Government of DE"}] if reader == "NL" else None)


def test_the_api_is_read_only(scene: Scene) -> None:
    """Mass assignment through the API: no write method exists, not even for a record's reporter."""
    before = tier_state()
    client = api_for(scene.people["NL"])
    url = f"{ACTIVITIES_API}{scene.pk(NL_MECH)}/"
    assert client.post(ACTIVITIES_API, {"identifier": "X", "tier": "public"}, format="json").status_code == 405
    for method in (client.put, client.patch, client.delete):
        assert method(url, {"tier": "public"}, format="json").status_code == 405
    overlap = f"{OVERLAPS_API}{scene.overlap(SECRET_ID, DE_ET).pk}/"
    assert client.patch(overlap, {"review": "duplicate"}, format="json").status_code == 405
    assert tier_state() == before


def test_a_filter_naming_hidden_records_answers_as_one_naming_nothing(scene: Scene) -> None:
    """Filters do not confirm what the reader cannot read: FR filtering by DE (whose records it cannot read) is
    answered exactly as filtering by a member that does not exist, on the page, in the CSV and in the API."""
    fr = browser(scene.people["FR"])
    url = reverse("donors:activities")
    hidden: dict[str, Any] = {"reporter": scene.org("DE").pk}
    missing: dict[str, Any] = {"reporter": MISSING_PK}
    assert text_of(fr.get(url, hidden)) == text_of(fr.get(url, missing))
    assert fr.get(url, {**hidden, "format": "csv"}).content == fr.get(url, {**missing, "format": "csv"}).content
    assert "Government of DE" not in fr.get(url).content.decode()  # the reporter filter offers only readable ones
    api = api_for(scene.people["FR"])
    assert api.get(ACTIVITIES_API, hidden).json() == api.get(ACTIVITIES_API, missing).json()
    se = browser(scene.people["SE"])
    assert text_of(se.get(url, {"q": SECRET_ID})) == text_of(se.get(url, {"q": "XM-DAC-NEVER-USED"})).replace(
        "XM-DAC-NEVER-USED", SECRET_ID
    )
