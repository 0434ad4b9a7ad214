from django.contrib import admin

from coalition.accounts.models import ServiceToken, User, UserSession
from coalition.core.admin_site import LedgeredModelAdmin


@admin.register(User)
class UserAdmin(LedgeredModelAdmin):
    list_display = ["email", "person", "is_active", "is_service_account"]
    list_filter = ["is_active", "is_service_account"]
    search_fields = ["email"]
    exclude = ["password"]
    readonly_fields = ["last_login", "date_joined", "disabled_at"]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_seen_at", "ended_at", "ip"]
    readonly_fields = ["session_key", "user", "created_at", "last_seen_at", "ended_at", "ip", "user_agent"]


@admin.register(ServiceToken)
class ServiceTokenAdmin(LedgeredModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
