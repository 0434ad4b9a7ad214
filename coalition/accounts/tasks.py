"""Background work for accounts, through the Django Tasks API (database backend by default)."""

from __future__ import annotations

from django_tasks import task

from coalition.accounts import notices
from coalition.accounts.models import User


@task()
def send_security_notice(*, user_id: int, subject: str, body: str) -> bool:
    """Tell a person about a security event on their account (a second factor changed, the account disabled), so
    that a change they did not make is noticed. Runs in the worker, never in the request; sent through the
    notification service's mailer (`accounts.security_notice`)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    return notices.send(user, subject=subject, body=body)
