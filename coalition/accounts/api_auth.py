from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from coalition.accounts.models import ServiceToken, hash_token


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer coal_…` for service accounts. Tokens are stored hashed and can be revoked."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ServiceToken] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        token = (
            ServiceToken.objects.select_related("user__person")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        token.note_use()  # in the cache: a GET request writes no row
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ServiceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "coalition.accounts.api_auth.ServiceTokenAuthentication"
    name = "serviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A service account's token (coal_…)."}
