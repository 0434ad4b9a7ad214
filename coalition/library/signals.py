"""A statement's library text follows the statement: any save of the statement, of its text, of a sign-on round or
of a member's response brings the library copy in step, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from coalition.documents.models import Version
from coalition.library.indexing import schedule
from coalition.library.models import Source
from coalition.library.services import sync_statement
from coalition.statements.models import Freeze, Response, Statement


def _sync(statement: Any) -> None:
    sync_statement(statement)


def _on_statement(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _sync(instance)


def _on_freeze_or_response(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    freeze = getattr(instance, "freeze", instance)
    _sync(freeze.statement)


def _on_version(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    statement = getattr(instance.document, "statement", None)
    if statement is not None:
        _sync(statement)


def _on_source_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """However a source goes (with its statement, in the admin), its paragraphs leave the index after the commit."""
    schedule([instance.pk])


def connect() -> None:
    post_save.connect(_on_statement, sender=Statement, dispatch_uid="library.statement")
    post_save.connect(_on_freeze_or_response, sender=Freeze, dispatch_uid="library.freeze")
    post_save.connect(_on_freeze_or_response, sender=Response, dispatch_uid="library.response")
    post_save.connect(_on_version, sender=Version, dispatch_uid="library.version")
    post_delete.connect(_on_source_deleted, sender=Source, dispatch_uid="library.source_deleted")
