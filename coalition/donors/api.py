"""Read-only donor-coordination endpoints under /api/v1, under the same policy as the pages: every queryset starts
from `queries` (so from `visible_to`), and the members a bilateral record names reach only the reporter's own people
— a partner reads that the record is bilateral, never who else it is shared with."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from coalition.core import policy
from coalition.core.api import PersonalAnswers
from coalition.directory.models import Organisation
from coalition.donors import queries
from coalition.donors.models import FundingActivity, FundingLine, Overlap, Topic

# --- Query parameters: validated like any input, a bad one is a 400 naming the parameter ------------------------


class FundingActivityFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=200, allow_blank=True, help_text="words in the title, description or identifier"
    )
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, help_text="ISO 3166-1 alpha-2 recipient")
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    stage = serializers.ChoiceField(choices=FundingLine.Stage.choices, required=False)
    reporter = serializers.IntegerField(required=False, min_value=1, help_text="the reporting member's id")


class FundingOverlapFilter(serializers.Serializer):
    review = serializers.ChoiceField(choices=Overlap.Review.choices, required=False)


def _filters(request: Any, serializer: type[serializers.Serializer]) -> dict[str, Any]:
    params = serializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


# --- Serializers ------------------------------------------------------------------------------------------------


class DonorMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class FundingLineSerializer(serializers.ModelSerializer):
    rate = serializers.SerializerMethodField(help_text="the rate the amount was converted at, when one was needed")

    class Meta:
        model = FundingLine
        fields = [
            "kind",
            "stage",
            "code",
            "status",
            "period_start",
            "period_end",
            "value",
            "currency",
            "value_date",
            "converted",
            "rate",
        ]

    def get_rate(self, line: FundingLine) -> dict[str, Any] | None:
        rate = line.rate
        if rate is None:
            return None
        return {"currency": rate.currency, "on": rate.on.isoformat(), "rate": str(rate.rate), "source": rate.source}


class FundingActivitySerializer(serializers.ModelSerializer):
    reporter = DonorMemberSerializer(read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="the IATI ActivityStatus code: 1 pipeline … 6 suspended; empty when not reported"
    )
    group = serializers.CharField(source="group.name", default=None, read_only=True)
    bilateral_with = serializers.SerializerMethodField(
        help_text="the members a bilateral record is shared with: given to the people who speak for the reporter "
        "only (null for everyone else)"
    )

    class Meta:
        model = FundingActivity
        fields = [
            "id",
            "identifier",
            "reporter",
            "title",
            "description",
            "status",
            "tier",
            "group",
            "bilateral_with",
            "hierarchy",
            "parent_identifier",
            "starts_on",
            "ends_on",
            "currency",
            "participating_orgs",
            "countries",
            "regions",
            "sectors",
            "policy_markers",
            "topics",
            "total",
            "total_basis",
            "updated_at",
        ]

    def get_bilateral_with(self, activity: FundingActivity) -> list[dict[str, Any]] | None:
        if not policy.can(self.context["request"].user, "donors.share", activity.reporter):
            return None
        return [{"id": member.pk, "name": member.name} for member in activity.bilateral_with.all()]


class FundingActivityDetailSerializer(FundingActivitySerializer):
    lines = FundingLineSerializer(many=True, read_only=True)

    class Meta(FundingActivitySerializer.Meta):
        fields = [*FundingActivitySerializer.Meta.fields, "lines"]


class FundingActivityRefSerializer(serializers.ModelSerializer):
    reporter = DonorMemberSerializer(read_only=True)

    class Meta:
        model = FundingActivity
        fields = ["id", "identifier", "title", "reporter"]


class FundingOverlapSerializer(serializers.ModelSerializer):
    first = FundingActivityRefSerializer(read_only=True)
    second = FundingActivityRefSerializer(read_only=True)

    class Meta:
        model = Overlap
        fields = [
            "id",
            "first",
            "second",
            "score",
            "likely_duplicate",
            "reasons",
            "review",
            "note",
            "reviewed_at",
            "found_at",
            "stale",
        ]


# --- View sets ----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 recipient country"),
            OpenApiParameter("topic", str, enum=Topic.values),
            OpenApiParameter("stage", str, enum=FundingLine.Stage.values),
            OpenApiParameter("reporter", int, description="the reporting member's id"),
        ]
    )
)
class FundingActivityViewSet(PersonalAnswers, viewsets.ReadOnlyModelViewSet):
    """Funding activities the caller may read (by their sharing tier), searched and filtered."""

    access_policy = "donors.view"
    serializer_class = FundingActivitySerializer

    def get_queryset(self) -> QuerySet[FundingActivity]:
        user = self.request.user
        filters = _filters(self.request, FundingActivityFilter) if self.action == "list" else {}
        rows = queries.activities(user, **filters).order_by("-starts_on", "title", "pk")
        # The serializer shows a bilateral record's partners to the reporter's people alone.
        rows = rows.prefetch_related(Prefetch("bilateral_with", queryset=Organisation.objects.order_by("name")))
        if self.action == "retrieve":
            rows = rows.prefetch_related(Prefetch("lines", queryset=FundingLine.objects.select_related("rate")))
        return rows

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return FundingActivityDetailSerializer if self.action == "retrieve" else FundingActivitySerializer


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("review", str, enum=Overlap.Review.values)]))
class OverlapViewSet(PersonalAnswers, viewsets.ReadOnlyModelViewSet):
    """Overlap candidates between two activities the caller may both read, with the detector's reasons."""

    access_policy = "donors.view"
    serializer_class = FundingOverlapSerializer

    def get_queryset(self) -> QuerySet[Overlap]:
        filters = _filters(self.request, FundingOverlapFilter) if self.action == "list" else {}
        return queries.overlaps(self.request.user, **filters).order_by("-score", "pk")
