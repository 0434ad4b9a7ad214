from typing import Any

from django.contrib import admin

from coalition.core.admin_site import LedgeredModelAdmin
from coalition.statements.models import Statement


@admin.register(Statement)
class StatementAdmin(LedgeredModelAdmin):
    """Read-only here: freezing, sign-on and publication go through the statement page, so that every step is on
    the ledger the public verification replays."""

    list_display = ["slug", "kind", "classification", "published_at"]
    list_filter = ["kind", "classification"]
    readonly_fields = [
        "document",
        "kind",
        "slug",
        "about_country",
        "situation",
        "fast_track",
        "published_at",
        "published_freeze",
        "classification",
        "audience",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
