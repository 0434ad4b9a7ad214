"""The directory in the admin. Who acts for whom is never decided here: positions start through the directory's
own flow (`services.appoint`, confirmed by the government's focal points) and participation through the
organisation page; both are shown read-only (docs/security.md lists every model admin and why)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from coalition.core.admin_site import LedgeredModelAdmin, ReadOnlyAdminMixin
from coalition.directory.models import (
    Body,
    ChairTerm,
    Country,
    Office,
    Organisation,
    Participation,
    Person,
    Position,
)


class ParticipationInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A member's participation makes its focal points act for it: recorded on the organisation page."""

    model = Participation
    extra = 0


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Country)
class CountryAdmin(LedgeredModelAdmin):
    list_display = ["name", "code", "region", "sub_region", "development", "capital_tz"]
    list_filter = ["region", "development"]
    search_fields = ["name", "code", "alpha3"]


@admin.register(Organisation)
class OrganisationAdmin(LedgeredModelAdmin):
    list_display = ["name", "kind", "country", "classification"]
    list_filter = ["kind", "classification"]
    search_fields = ["name", "short_name"]
    inlines = [ParticipationInline, OfficeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Whether an organisation is a government, and of which country, decides whose consent its positions need.
        return ["kind", "country"] if obj is not None else []


@admin.register(Body)
class BodyAdmin(LedgeredModelAdmin):
    list_display = ["name", "kind", "city", "sunset_on", "classification"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A body's kind gives its members their role (Support Unit, Chair, Advisory Network).
        return ["kind"] if obj is not None else []


@admin.register(ChairTerm)
class ChairTermAdmin(LedgeredModelAdmin):
    list_display = ["year", "organisation", "starts_on", "ends_on"]


class PositionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Position
    extra = 0
    fields = ["kind", "title", "body", "organisation", "starts_on", "ends_on", "consent"]


@admin.register(Person)
class PersonAdmin(LedgeredModelAdmin):
    list_display = ["full_name", "affiliation", "time_zone", "classification"]
    search_fields = ["full_name"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a position on a government's behalf carries its voice (signing, its bilateral records), so it starts
    only through `services.appoint` with the government's consent, and the government is told of every change."""

    list_display = ["person", "kind", "body", "organisation", "starts_on", "ends_on", "consent"]
    list_filter = ["kind", "consent", "body"]
