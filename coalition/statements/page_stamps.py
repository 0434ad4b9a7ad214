"""A statement's public page changes when its rounds, their responses, its translations or its document (the
title) do: each such write
bumps the statement's `core.page_cache.version` once its transaction commits, so the page kept for anonymous
readers under the former version is never served again (`views.working.public_page_key`).

The statement's own row needs no stamp: the key holds its columns as read on every hit. A write that skips the
models' signals (`QuerySet.update`) to a round, a response or a translation shows when the kept page expires
(PUBLIC_STATEMENT_CACHE_SECONDS); none of those decides who reads the page.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from coalition.core import page_cache
from coalition.documents.models import Document
from coalition.statements.models import Freeze, Response, Statement, Translation

PUBLIC_PAGE = "statements.public"  # the name the public page is kept under


def _slugs(instance: Any) -> list[str]:
    """The statements whose public page shows `instance`."""
    if isinstance(instance, Statement):
        return [instance.slug]
    statements = Statement.objects.all()
    if isinstance(instance, Document):
        statements = statements.filter(document_id=instance.pk)
    elif isinstance(instance, Response):
        statements = statements.filter(freezes__pk=instance.freeze_id)
    else:  # a round or a translation
        statements = statements.filter(pk=instance.statement_id)
    return list(statements.values_list("slug", flat=True))


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    for slug in _slugs(instance):
        page_cache.bump(PUBLIC_PAGE, slug)


def register() -> None:
    for model in (Statement, Freeze, Response, Translation, Document):
        post_save.connect(_changed, sender=model, dispatch_uid=f"statements.page_stamps.save.{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"statements.page_stamps.delete.{model.__name__}")
