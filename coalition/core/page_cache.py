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
reader's language, time zone and full path (the language switch returns to it) are added here. The key parts and
the context are callables, called only when needed: a hit costs what the key costs, nothing more.

What a page shows may live in rows that are dear to read on every hit (a statement's signatures, its
translations). For those, the page's key names a `version` of the record instead, a random stamp kept in the
cache that `bump` replaces once a transaction that changed the record commits: the next reader's key differs, so
the kept page is never served again. Read the version before the rows the page is rendered from (the key parts
are worked out before the context): a change committed after that read bumps the version the page is kept under.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone, translation

_PREFIX = "core.page_cache"
logger = logging.getLogger(__name__)
VERSION_SECONDS = 24 * 3600  # a version unread for a day is dropped; the next reader starts a new one


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


def _version_key(name: str, ident: object) -> str:
    return f"{_PREFIX}:version:{name}:{hashlib.sha256(repr(ident).encode()).hexdigest()}"


def version(name: str, ident: object) -> str:
    """The current version of record `ident` as pages kept under `name` show it: part of their key."""
    key = _version_key(name, ident)
    current = cache.get(key)
    if current is None:
        cache.add(key, secrets.token_hex(8), VERSION_SECONDS)  # two first readers at once: one stamp wins
        current = cache.get(key)
    return str(current)


def bump(name: str, ident: object) -> None:
    """Record `ident` changed: pages kept under its former version are never served again (the cache drops them in
    their time). The version is dropped now and again once the transaction commits: a reader between the two may
    have started a version and kept a page rendered from the rows as they were before the commit."""
    key = _version_key(name, ident)
    _drop(key)
    transaction.on_commit(lambda: _drop(key))


def _drop(key: str) -> None:
    """Delete `key`; a cache that fails (down, or its table not made yet) is logged and does not fail the write
    that changed the record: its kept pages then show the change when they expire."""
    try:
        with transaction.atomic():  # a savepoint: the database cache's error must not spoil the caller's transaction
            cache.delete(key)
    except Exception:
        logger.warning("page cache: could not drop a version (%s)", key, exc_info=True)


def render_shared(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], Mapping[str, Any]],
    *,
    name: str,
    key_parts: Callable[[], object],
    seconds: int,
) -> HttpResponse:
    """Render `template_name` with `context()` as `django.shortcuts.render` does; for anonymous readers, from (or
    into) the page kept `seconds` under `name` and `key_parts()`, with this response's CSRF token and CSP nonce
    filled in. `key_parts` is called only for readers who may share the page, before `context` (see `version`)."""
    if not shareable(request, seconds):
        return render(request, template_name, context())
    key = page_key(request, name, key_parts())
    kept = cache.get(key)
    if kept is None:
        kept = _render_with_placeholders(request, template_name, context())
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
