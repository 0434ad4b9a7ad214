"""What the donor-coordination pages share: who the viewer acts for, and how a refused submission is answered."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from coalition.core import policy
from coalition.core.policy import Role
from coalition.directory.models import Organisation
from coalition.donors.models import FundingActivity


def failed(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Who the viewer acts for --------------------------------------------------------------------------------------


def governments(user: Any) -> QuerySet[Organisation]:
    return policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")


def own_members(user: Any) -> QuerySet[Organisation]:
    """The governments the viewer holds a position for."""
    return governments(user).filter(pk__in=policy.actor_for(user).acts_for)


def may_act_for(user: Any) -> QuerySet[Organisation]:
    """The governments the viewer may join, report or assess for: its own; any government for the Support Unit,
    which records what reaches it by other means. (The service asks the policy again for the one chosen.)"""
    if policy.actor_for(user).has(Role.SUPPORT_UNIT):
        return governments(user)
    return own_members(user)


def is_reporters_people(user: Any, activity: FundingActivity) -> bool:
    """Whether the viewer speaks for the member that reported the record (`donors.share`): only they choose who it
    is shared with, and only they read the members a bilateral record names."""
    return policy.can(user, "donors.share", activity.reporter)
