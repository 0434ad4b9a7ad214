"""The admin, under the same policy: only the Support Unit gets in, sign-in goes through allauth (rate-limited,
MFA), and every change made there is recorded in the audit ledger."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coalition.core import ledger, policy


class CoalitionAdminSite(admin.AdminSite):
    site_header = "Coalition administration"
    site_title = "Coalition"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and policy.can(request.user, "admin.use"))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")

    login.access_policy = "authentication"  # type: ignore[attr-defined]


class LedgeredModelAdmin(admin.ModelAdmin):
    """Every add, change and deletion made in the admin goes into the audit ledger as well."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        ledger.record(
            f"admin.{obj._meta.label_lower}.added", actor=request.user, subject=obj, data={"message": message}
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        ledger.record(
            f"admin.{obj._meta.label_lower}.changed",
            actor=request.user,
            subject=obj,
            data={"message": message},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            ledger.record(f"admin.{obj._meta.label_lower}.deleted", actor=request.user, subject=obj)
        return super().log_deletions(request, queryset)


class CorrectOnlyAdminMixin:
    """Rows are created and removed through their app's pages (which check the policy and keep what follows from
    them); the admin only corrects the fields it leaves editable."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdminMixin:
    """An admin page that only shows rows (the ledger; records that change through their app's services)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
