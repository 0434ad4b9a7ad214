"""Donor coordination in the admin: read-only, and under the sharing tiers like every other read — the Support Unit
does not read a bilateral record of another member here either. Records change through the services (imports,
sharing, the reference-data pages), which check the policy and record in the audit ledger."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from coalition.core import policy
from coalition.core.admin_site import LedgeredModelAdmin, ReadOnlyAdminMixin
from coalition.donors.models import (
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    ImportBatch,
    Overlap,
    Participation,
    SelfAssessment,
    TopicMapping,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, LedgeredModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return policy.visible_to(request.user, super().get_queryset(request))


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "joined_on", "left_on"]
    list_select_related = ["organisation"]


@admin.register(FundingActivity)
class FundingActivityAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "title", "reporter", "tier", "status", "starts_on", "ends_on", "total"]
    list_filter = ["tier", "status", "source"]
    list_select_related = ["reporter"]
    search_fields = ["identifier", "title"]
    exclude = ["bilateral_with"]  # the partners of a bilateral record are its reporter's to know


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "reporter", "format", "outcome", "activities", "created", "updated", "at"]
    list_filter = ["outcome", "format"]
    list_select_related = ["reporter"]


@admin.register(Overlap)
class OverlapAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "score", "likely_duplicate", "review", "stale"]
    list_filter = ["review", "likely_duplicate", "stale"]
    raw_id_fields = ["first", "second"]


@admin.register(DonorGroup)
class DonorGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "created_at"]


@admin.register(TopicMapping)
class TopicMappingAdmin(ReadOnlyAdmin):
    list_display = ["kind", "code", "topic", "note"]
    list_filter = ["kind", "topic"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ["currency", "on", "rate", "source"]
    list_filter = ["currency"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "document", "paragraph", "rating", "at"]
    list_select_related = ["organisation", "document"]
