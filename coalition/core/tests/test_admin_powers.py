"""What the Support Unit may do in the admin, model by model (issue 16, item 2; the table in docs/security.md).

Who acts for a member is never decided in the admin: positions start through the directory's flow with the
government's consent, and every record with its own flow is read-only here. Loosening any admin fails this test."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from coalition.core.policy import Role
from coalition.directory.models import Body, Organisation, Position
from coalition.directory.tests.factories import body, government

# (add, change, delete) for the Support Unit; "model/inline model" for an inline on that model's page.
POWERS: dict[str, tuple[bool, bool, bool]] = {
    "account.EmailAddress": (False, False, False),
    "accounts.ServiceToken": (False, True, False),  # revoked_at only
    "accounts.User": (True, False, False),  # opened only for people who act for no government
    "accounts.UserSession": (False, False, False),  # ended by an action, never opened
    "core.AuditEvent": (False, False, False),
    "directory.Body": (True, True, True),  # kind fixed once created
    "directory.ChairTerm": (True, True, True),
    "directory.Country": (True, True, True),
    "directory.Organisation": (True, True, True),  # kind and country fixed once created
    "directory.Organisation/directory.Participation": (False, False, False),
    "directory.Organisation/directory.Office": (True, True, True),
    "directory.Person": (True, True, True),
    "directory.Person/directory.Position": (False, False, False),
    "directory.Position": (False, False, False),
    "django_tasks_database.DBTaskResult": (False, False, False),
    "documents.Document": (False, True, False),  # title only
    "donors.DonorGroup": (False, False, False),
    "donors.ExchangeRate": (False, False, False),
    "donors.FundingActivity": (False, False, False),
    "donors.ImportBatch": (False, False, False),
    "donors.Overlap": (False, False, False),
    "donors.Participation": (False, False, False),
    "donors.SelfAssessment": (False, False, False),
    "donors.TopicMapping": (False, False, False),
    "library.ReuseRecord": (False, True, False),  # every field read-only
    "library.Source": (False, True, False),  # every field read-only
    "library.Source/library.Paragraph": (False, True, False),  # every field read-only
    "meetings.Meeting": (False, True, False),  # title and location only
    "meetings.MeetingSeries": (False, True, False),  # title, location and templates only
    "meetings.QuarterlyCall": (False, False, False),
    "mfa.Authenticator": (False, False, False),
    "programme.Activity": (True, True, True),  # status read-only
    "programme.Activity/programme.Milestone": (True, True, True),
    "programme.Goal": (True, True, True),
    "programme.Goal/programme.Objective": (True, True, True),
    "programme.Programme": (True, True, True),
    "programme.Programme/programme.PolicyTopic": (True, True, True),
    "programme.Programme/programme.Goal": (True, True, True),
    "programme.ProgressUpdate": (False, False, False),
    "programme.ThematicGoal": (True, True, True),
    "response.Alert": (False, False, False),
    "response.ImportBatch": (False, False, False),
    "response.Pledge": (False, False, False),
    "response.Signal": (False, False, False),
    "response.Situation": (False, False, False),
    "response.Tool": (False, False, False),
    "statements.Statement": (False, True, False),  # every field read-only
}


@pytest.fixture
def support_request(support):
    request = RequestFactory().get("/admin/")
    request.user = support
    return request


def powers(request) -> dict[str, tuple[bool, bool, bool]]:
    found = {}
    for model, model_admin in admin.site._registry.items():
        found[model._meta.label] = (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        for inline in model_admin.get_inline_instances(request):
            found[f"{model._meta.label}/{inline.model._meta.label}"] = (
                inline.has_add_permission(request, None),
                inline.has_change_permission(request),
                inline.has_delete_permission(request) and inline.can_delete,
            )
    return found


def test_every_model_admin_has_exactly_the_powers_listed(support_request):
    assert powers(support_request) == POWERS


@pytest.mark.parametrize(
    ("model", "make", "fields"),
    [
        (Organisation, lambda: government("EE"), {"kind", "country"}),
        (Body, lambda: body("support_unit"), {"kind"}),
    ],
)
def test_what_decides_whose_consent_or_which_role_is_fixed_once_created(support_request, model, make, fields):
    model_admin = admin.site._registry[model]
    assert fields <= set(model_admin.get_readonly_fields(support_request, make()))


def test_the_support_unit_cannot_give_itself_a_position_in_the_admin(client, support):
    client.force_login(support)
    response = client.post(
        reverse("admin:directory_position_add"),
        {
            "person": support.person.pk,
            "kind": "focal_point",
            "organisation": government("EE").pk,
            "starts_on": "2024-01-01",
            "classification": "coalition",
        },
    )
    assert response.status_code == 403
    assert not Position.objects.filter(person=support.person, kind="focal_point").exists()


def test_the_support_unit_cannot_move_an_account_to_a_members_person_in_the_admin(client, support, make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    client.force_login(support)
    response = client.post(
        reverse("admin:accounts_user_change", args=[support.pk]),
        {"email": support.email, "person": focal_point.person.pk, "is_active": "on"},
    )
    assert response.status_code == 403
    support.refresh_from_db()
    assert support.person_id != focal_point.person_id


def test_an_account_for_a_governments_person_is_not_opened_in_the_admin(client, support, make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    client.force_login(support)
    response = client.post(
        reverse("admin:accounts_user_add"), {"email": "another@example.org", "person": focal_point.person.pk}
    )
    assert response.status_code == 200
    assert b"holds a position on behalf of a government" in response.content
    assert not type(support).objects.filter(email="another@example.org").exists()
