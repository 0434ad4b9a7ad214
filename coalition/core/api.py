"""The API's one permission class: every endpoint declares `access_policy`, and the policy answers."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from coalition.core import policy
from coalition.core.access import keep_private


class PolicyPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        action = getattr(view, "access_policy", None)
        if not action:
            return False  # an endpoint without a declared rule serves nobody
        return policy.can(request.user, action)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return policy.is_visible(request.user, obj)


class PersonalAnswers:
    """A view set whose answers to a signed-in caller depend on who asks: `private, no-store`, so no browser or proxy
    keeps them (as the `personal` decorator does for pages)."""

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.user.is_authenticated:
            keep_private(response)
        return response
