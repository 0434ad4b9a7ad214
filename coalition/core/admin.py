from django.contrib import admin
from django.contrib.auth.models import Group

from coalition.core.admin_site import ReadOnlyAdminMixin
from coalition.core.models import AuditEvent

admin.site.unregister(Group)  # roles come from positions, never from groups or flags


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seq", "at", "action", "actor_label", "on_behalf_of", "subject_label"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "subject_label"]
