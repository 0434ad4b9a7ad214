from django.contrib import admin

from coalition.core.admin_site import LedgeredModelAdmin
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


class ParticipationInline(admin.TabularInline):
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


@admin.register(Body)
class BodyAdmin(LedgeredModelAdmin):
    list_display = ["name", "kind", "city", "sunset_on", "classification"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ChairTerm)
class ChairTermAdmin(LedgeredModelAdmin):
    list_display = ["year", "organisation", "starts_on", "ends_on"]


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


@admin.register(Person)
class PersonAdmin(LedgeredModelAdmin):
    list_display = ["full_name", "affiliation", "time_zone", "classification"]
    search_fields = ["full_name"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(LedgeredModelAdmin):
    list_display = ["person", "kind", "body", "organisation", "starts_on", "ends_on"]
    list_filter = ["kind", "body"]
