from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coalition.core import policy


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: the viewer's roles and zone, and which navigation entries they may use."""
    actor = policy.actor_for(request.user)
    return {
        "viewer_roles": sorted(actor.roles),
        "viewer_role_labels": [policy.Role(r).label for r in sorted(actor.roles)],
        "viewer_tz": getattr(request, "viewer_tz", "UTC"),
        "nav_can_coverage": policy.can(actor, "directory.view_coverage"),
        "nav_can_audit": policy.can(actor, "audit.view"),
        # Donor coordination is the governments' (alignment views) and the reporting members' (their own records).
        "nav_can_donors": policy.can(actor, "donors.align") or policy.can(actor, "donors.report"),
        "nav_can_accounts": policy.can(actor, "accounts.manage"),
    }
