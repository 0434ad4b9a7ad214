from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from coalition.accounts.models import ServiceToken, User, UserSession
from coalition.accounts.services import end_session
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
    """Sessions are listed and ended, never opened: a session key is a sign-in past the second factor, so no page,
    filter or export of the admin shows, matches or returns one (the Support Unit must not be able to act as a
    member's focal point by copying it)."""

    list_display = ["user", "created_at", "last_seen_at", "ended_at", "ip", "user_agent"]
    list_display_links = None
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    fields = ["user", "created_at", "last_seen_at", "ended_at", "ip", "user_agent"]  # never the key
    actions = ["end_sessions"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting the row would leave the session itself alive: end it instead

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request)  # the list only, no page per session

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # A filter on the key in the address would answer "is there a session whose key starts with …?"
        return not lookup.startswith("session_key") and super().lookup_allowed(lookup, value, request)

    @admin.action(description="End the selected sessions")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[UserSession]) -> None:
        ended = 0
        for session in queryset.filter(ended_at__isnull=True).select_related("user"):
            end_session(session=session, by=request.user)  # type: ignore[arg-type]
            ended += 1
        self.message_user(request, f"Ended {ended} session(s); their browsers are signed out.", messages.SUCCESS)


@admin.register(ServiceToken)
class ServiceTokenAdmin(LedgeredModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
