from django.contrib import admin

from coalition.core.admin_site import CorrectOnlyAdminMixin, LedgeredModelAdmin
from coalition.documents.models import Document


@admin.register(Document)
class DocumentAdmin(CorrectOnlyAdminMixin, LedgeredModelAdmin):
    """Titles are corrected here; text, phases, comments and clause status go through the document pages so that
    every version is kept and every change is in the ledger."""

    list_display = ["title", "kind", "phase", "classification", "created_at"]
    list_filter = ["kind", "phase", "classification"]
    readonly_fields = ["kind", "phase", "classification", "base_text", "created_by", "created_at"]
