from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from coalition.accounts.models import ServiceToken
from coalition.core.policy import Role


def issue(email: str, name: str = "feed") -> str:
    out = StringIO()
    call_command("issue_token", email, name, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.mark.django_db
def test_an_issued_token_reads_the_api_and_only_its_hash_is_stored(client):
    raw = issue("feed@example.org")
    response = client.get("/api/v1/bodies/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert not ServiceToken.objects.filter(token_hash=raw).exists()
    assert ServiceToken.objects.get().last_used is not None


@pytest.mark.django_db
def test_a_revoked_token_is_refused(client):
    raw = issue("feed@example.org")
    ServiceToken.objects.update(revoked_at=timezone.now())
    response = client.get("/api/v1/bodies/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_tokens_are_not_issued_to_a_persons_account(make_user):
    user = make_user(Role.MEMBER_OFFICIAL)
    with pytest.raises(CommandError):
        issue(user.email)
