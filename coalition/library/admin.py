from typing import Any

from django.contrib import admin

from coalition.core.admin_site import LedgeredModelAdmin
from coalition.library.models import Paragraph, ReuseRecord, Source


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    fields = ["position", "number", "kind", "text", "word_count"]
    readonly_fields = ["position", "number", "kind", "text", "word_count"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(LedgeredModelAdmin):
    """Read-only here: texts are imported and removed through the library's pages (services.import_text,
    delete_source), which keep the search index and the audit ledger in step; a statement's text follows the
    statement."""

    list_display = ["title", "kind", "forum", "symbol", "date", "classification"]
    list_filter = ["kind", "classification", "forum"]
    search_fields = ["title", "symbol"]
    inlines = [ParagraphInline]
    readonly_fields = [
        "kind",
        "title",
        "forum",
        "symbol",
        "date",
        "author",
        "author_country",
        "endorsed_by",
        "statement",
        "origin",
        "file_sha256",
        "classification",
        "audience",
        "released_at",
        "imported_by",
        "imported_at",
        "reuse_checked_at",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ReuseRecord)
class ReuseRecordAdmin(LedgeredModelAdmin):
    """Read-only: reuse is found by detection (services.detect_reuse), never typed in."""

    list_display = ["origin", "target", "kind", "similarity", "detected_at"]
    list_filter = ["kind"]
    list_select_related = ["origin__source", "target__source"]
    readonly_fields = ["origin", "target", "kind", "similarity", "detected_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
