"""Domain errors. Views turn them into form errors or 4xx responses, never a 500."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class CoalitionError(Exception):
    """Base of every error whose message a user can act on."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccessDenied(CoalitionError, PermissionDenied):
    """The access policy refuses the action; Django answers 403."""


class InvalidInput(CoalitionError):
    """Input that breaks a rule of the domain, naming the field, row or line when there is one."""
