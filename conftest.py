"""Shared fixtures: accounts for each role (with a real TOTP authenticator), and a clean cache per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

from coalition.core.policy import Role

PASSWORD = "a-long-enough-test-passphrase"


@pytest.fixture(autouse=True, scope="session")
def _flush_past_ledger_guards() -> Iterator[None]:
    # The ledger's triggers refuse TRUNCATE and DELETE, as they must; only the test flush between tests may pass.
    from coalition.core.tests.guards import flush_past_ledger_guards

    with flush_past_ledger_guards():
        yield


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    # The database cache outlives a test's rollback; MFA replay protection and rate limits live there.
    cache.clear()


@pytest.fixture(autouse=True)
def _empty_library_index() -> None:
    # The library's search index lives in memory in tests and, like the cache, outlives a test's rollback.
    from coalition.library import semantic
    from coalition.library.indexing import reset_engine

    reset_engine()
    semantic.reset()


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """make_user(Role.SUPPORT_UNIT) → an active account with MFA set up; `.totp_secret` holds its secret."""
    from coalition.accounts.models import User
    from coalition.directory.tests.factories import person_with_role

    counter = {"n": 0}

    def make(role: Role | None = None, *, mfa: bool = True, email: str | None = None) -> Any:
        counter["n"] += 1
        person = person_with_role(role) if role and role != Role.ANONYMOUS else None
        user = User.objects.create_user(
            email=email or f"{(role or 'nobody')}-{counter['n']}@example.org", password=PASSWORD, person=person
        )
        secret = generate_totp_secret() if mfa else None
        if secret:
            TOTP.activate(user, secret)
        user.totp_secret = secret  # type: ignore[attr-defined]
        return user

    return make


@pytest.fixture
def signed_in_client(client: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """A test client signed in as a fresh account of `role` (MFA satisfied as after a real sign-in)."""

    def sign_in(role: Role, **kwargs: Any) -> Any:
        user = make_user(role, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


# One account per role, for tests that need "the Support Unit", "a member official", … (override where a test
# needs a particular person).


@pytest.fixture
def support(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def chair(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.CHAIR)


@pytest.fixture
def official(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.MEMBER_OFFICIAL)


@pytest.fixture
def advisory(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.ADVISORY_NETWORK)


@pytest.fixture
def observer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.OBSERVER)


@pytest.fixture
def worker(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with worker(): client.post(...)` runs the tasks the request enqueues, as the task worker would once its
    transaction commits (every uploaded file is imported there): the test's own transaction never commits, so the
    callbacks that enqueue them are run by hand, and the immediate backend runs each task in place."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
