"""Background work for the directory, through the Django Tasks API (database backend by default)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from coalition.directory.models import Person, Position
from coalition.directory.queries import today


@task()
def tell_member_of_position(*, position_id: int, change: str) -> int:
    """Every change to who holds a position on a government's behalf is told to that government's focal points, so
    a position it did not agree to, or a change made by someone else, is noticed. Returns how many were told."""
    position = Position.objects.select_related("person", "organisation", "body").filter(pk=position_id).first()
    if position is None or position.organisation is None:
        return 0
    member = position.organisation
    focal_points = Person.objects.filter(
        positions__in=Position.objects.filter(
            Position.current_q(today()), kind=Position.Kind.FOCAL_POINT, organisation=member
        ),
        account__is_active=True,
    ).select_related("account")
    addresses = sorted({person.account.email for person in focal_points})
    if not addresses:
        return 0
    where = f" in {position.body}" if position.body else ""
    page = settings.SITE_URL + reverse("directory:organisation", args=[member.pk]) + "#positions"
    body = (
        f"{position.person}: {position.title or position.get_kind_display()}{where}, on behalf of {member}, "
        f"from {position.starts_on}{f' to {position.ends_on}' if position.ends_on else ''}.\n\n{change}\n\n"
        f"The positions held on behalf of {member}: {page}\n"
        "If your government did not agree to this, tell the Support Unit through a channel you trust."
    )
    send_mail(f"[Coalition] A position on behalf of {member}", body, None, addresses)
    return len(addresses)
