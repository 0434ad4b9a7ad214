"""Whole pages kept rendered for anonymous readers, with each response's own secrets filled in.

Every page carries a CSRF token (the language switch in the footer) and may carry a CSP nonce: neither may ever
be shared between readers. So a page is rendered once with a random placeholder for the token (given to the
template as its `csrf_token`) and, if the page used the CSP nonce, with the nonce replaced by another placeholder;
that HTML is kept (with the view's own headers) under a key naming everything the page depends on. Every
response, the first included, then gets the reader's own token (`get_token`, which also sees that the CSRF cookie
is set, as rendering `{% csrf_token %}` does) and its own nonce in place of the placeholders. The middleware adds
the rest (Vary, Content-Language, CSP, Cache-Control) to each response as to any other.

Only anonymous GET (and HEAD) requests share pages; a reader with messages waiting gets the page rendered for
them (the messages are shown once, never kept). The caller's key parts must name all the page shows; the
reader's language, time zone and full path (the language switch returns to it) are added here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone, translation

_PREFIX = "core.page_cache"


def shareable(request: HttpRequest, seconds: int) -> bool:
    """Whether this request may get (and fill) a page shared by anonymous readers."""
    return (
        seconds > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))  # counting does not mark them read
    )


def page_key(request: HttpRequest, name: str, parts: object) -> str:
    """The cache key of page `name` for this reader: the caller's `parts` with language, time zone and path."""
    reader = (translation.get_language(), timezone.get_current_timezone_name(), request.get_full_path())
    digest = hashlib.sha256(repr((parts, reader)).encode()).hexdigest()
    return f"{_PREFIX}:{name}:{digest}"


def render_shared(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, Any],
    *,
    name: str,
    key_parts: object,
    seconds: int,
) -> HttpResponse:
    """Render `template_name` as `django.shortcuts.render` does; for anonymous readers, from (or into) the page
    kept `seconds` under `name` and `key_parts`, with this response's CSRF token and CSP nonce filled in."""
    if not shareable(request, seconds):
        return render(request, template_name, context)
    key = page_key(request, name, key_parts)
    kept = cache.get(key)
    if kept is None:
        kept = _render_with_placeholders(request, template_name, context)
        if kept["status"] == 200:
            cache.set(key, kept, seconds)
    return _fill(request, kept)


def _render_with_placeholders(request: HttpRequest, template_name: str, context: Mapping[str, Any]) -> dict[str, Any]:
    csrf_mark = f"csrf-placeholder-{secrets.token_hex(16)}"
    response = render(request, template_name, {**context, "csrf_token": csrf_mark})
    html = response.content.decode(response.charset)
    nonce_mark = ""
    nonce = getattr(request, "_csp_nonce", None)  # django-csp sets it once a template has used request.csp_nonce
    if isinstance(nonce, str) and nonce:
        nonce_mark = f"nonce-placeholder-{secrets.token_hex(16)}"
        html = html.replace(nonce, nonce_mark)
    return {
        "html": html,
        "csrf_mark": csrf_mark,
        "nonce_mark": nonce_mark,
        "status": response.status_code,
        "headers": dict(response.headers),
    }


def _fill(request: HttpRequest, kept: Mapping[str, Any]) -> HttpResponse:
    html = kept["html"].replace(kept["csrf_mark"], get_token(request))
    if kept["nonce_mark"]:
        html = html.replace(kept["nonce_mark"], str(request.csp_nonce))  # type: ignore[attr-defined]
    response = HttpResponse(html, status=kept["status"])
    for header, value in kept["headers"].items():
        response.headers[header] = value
    return response
