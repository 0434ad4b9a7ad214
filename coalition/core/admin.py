from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from coalition.core.models import AuditEvent

admin.site.unregister(Group)  # roles come from positions, never from groups or flags


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "at", "action", "actor_label", "on_behalf_of", "subject_label"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "subject_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
