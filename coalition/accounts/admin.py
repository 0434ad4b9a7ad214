from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coalition.accounts.models import ServiceToken, User, UserSession
from coalition.accounts.services import end_session, last_seen
from coalition.core.admin_site import LedgeredModelAdmin, ReadOnlyAdminMixin
from coalition.directory.models import Organisation


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "person", "is_service_account"]

    def clean_person(self) -> Any:
        person = self.cleaned_data.get("person")
        if person is not None and person.positions.filter(organisation__kind=Organisation.Kind.GOVERNMENT).exists():
            raise forms.ValidationError(
                "%(person)s holds a position on behalf of a government: the account that acts for it is not opened "
                "by the Support Unit (docs/security.md).",
                params={"person": person},
            )
        return person


@admin.register(User)
class UserAdmin(LedgeredModelAdmin):
    """Accounts are listed, and opened for people who act for no government. An account's address and person are
    whoever signs in as that person, so they are never changed here (a new address would let its owner reset the
    password); disabling goes through the account page, which also ends the sessions and tells the person."""

    list_display = ["email", "person", "is_active", "is_service_account"]
    list_filter = ["is_active", "is_service_account"]
    search_fields = ["email"]
    form = AccountForm
    readonly_fields = ["last_login", "date_joined", "disabled_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["email", "person", "is_service_account"]
        return ["email", "person", "is_active", "is_service_account", "last_login", "date_joined", "disabled_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Sessions are listed and ended, never opened: a session key is a sign-in past the second factor, so no page,
    filter or export of the admin shows, matches or returns one (the Support Unit must not be able to act as a
    member's focal point by copying it)."""

    list_display = ["user", "created_at", "last_seen", "ended_at", "ip", "user_agent"]
    list_display_links = None
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    fields = ["user", "created_at", "ended_at", "ip", "user_agent"]  # never the key
    actions = ["end_sessions"]

    @admin.display(description="Last seen")
    def last_seen(self, row: UserSession) -> Any:
        return last_seen(row)  # kept in the session's own data (no GET writes a row)

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
    """Tokens are issued by `manage.py issue_token` (shown once, stored hashed); here they are only revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used", "revoked_at"]
    fields = ["name", "user", "prefix", "created_at", "last_used", "revoked_at"]
    readonly_fields = ["name", "user", "prefix", "created_at", "last_used"]

    @admin.display(description=_("last used"))
    def last_used(self, token: ServiceToken) -> Any:
        return token.last_used  # noted in the cache on each use, the stored time otherwise

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# allauth's own admins would let the Support Unit add a verified address to a member's account (and reset its
# password) or rewrite a second factor: both are replaced by lists.
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "user", "primary", "verified"]
    search_fields = ["email"]


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which second factors an account has, never their secrets."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    fields = ["user", "type", "created_at", "last_used_at"]
