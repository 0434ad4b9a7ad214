from typing import Any

from django.contrib import admin

from coalition.core.admin_site import LedgeredModelAdmin
from coalition.response.models import Alert, ImportBatch, Pledge, Signal, Situation, Tool


class ReadOnlyAdmin(LedgeredModelAdmin):
    """Read-only here: rapid-response records change through the services (imports, alerts, the situation room,
    the toolkit page), which check the policy, keep the timeline and record in the audit ledger."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ["country", "source", "kind", "starts_at", "ends_at", "network"]
    list_filter = ["source", "kind"]
    list_select_related = ["country"]
    search_fields = ["external_id", "network", "country__name"]
    date_hierarchy = "starts_at"


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "source", "created", "unchanged", "at"]
    list_filter = ["source"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["country", "status", "first_signal_at", "last_signal_at", "raised_at"]
    list_filter = ["status"]
    list_select_related = ["country"]
    raw_id_fields = ["signals"]


@admin.register(Situation)
class SituationAdmin(ReadOnlyAdmin):
    list_display = ["title", "country", "status", "classification", "opened_at", "closed_at"]
    list_filter = ["status", "classification"]
    list_select_related = ["country"]
    search_fields = ["title"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["situation", "organisation", "tool", "status", "pledged_at"]
    list_filter = ["status"]
    list_select_related = ["situation", "organisation", "tool"]


@admin.register(Tool)
class ToolAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "in_playbook", "position"]
    list_filter = ["kind", "in_playbook"]
