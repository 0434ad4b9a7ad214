"""Test clients and page text, shared by the apps' page and security tests."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient


def client_for(user: Any, **kwargs: Any) -> Client:
    """A browser signed in as `user` (None: an anonymous visitor)."""
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def api_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def text_of(response: Any) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
