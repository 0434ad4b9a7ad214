"""Read-only meetings under /api/v1, under the same policy as the pages: every queryset starts from `visible_to`.
Times are UTC instants (ISO 8601 with offset) beside the host's zone, so a client converts them, not us."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from coalition.core import policy
from coalition.meetings.models import Meeting, QuarterlyCall


class MeetingFilter(serializers.Serializer):
    starts_after = serializers.DateTimeField(required=False, help_text="ISO 8601 instant, e.g. 2027-01-01T00:00:00Z")
    starts_before = serializers.DateTimeField(required=False, help_text="ISO 8601 instant")
    series = serializers.IntegerField(required=False, min_value=1)


class MeetingSerializer(serializers.ModelSerializer):
    ends_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "title",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "host_time_zone",
            "virtual",
            "location",
            "state",
            "uid",
            "sequence",
            "minutes_state",
            "classification",
        ]


class QuarterlyCallSerializer(serializers.ModelSerializer):
    posts: serializers.SlugRelatedField = serializers.SlugRelatedField(many=True, slug_field="city", read_only=True)

    class Meta:
        model = QuarterlyCall
        fields = ["id", "organisation", "held_on", "posts", "topics", "proposed_actions", "asks", "classification"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("starts_after", str, description="ISO 8601 instant"),
            OpenApiParameter("starts_before", str, description="ISO 8601 instant"),
            OpenApiParameter("series", int, description="series id"),
        ]
    )
)
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings the caller may see, earliest first."""

    access_policy = "meetings.view"
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        qs = policy.visible_to(self.request.user, Meeting).order_by("starts_at", "pk")
        if self.action != "list":
            return qs
        params = MeetingFilter(data=self.request.query_params)
        params.is_valid(raise_exception=True)  # a bad parameter is a 400 naming it
        filters: dict[str, Any] = dict(params.validated_data)
        if "starts_after" in filters:
            qs = qs.filter(starts_at__gte=filters["starts_after"])
        if "starts_before" in filters:
            qs = qs.filter(starts_at__lt=filters["starts_before"])
        if "series" in filters:
            qs = qs.filter(series_id=filters["series"])
        return qs


class QuarterlyCallViewSet(viewsets.ReadOnlyModelViewSet):
    """Members' quarterly update calls (PoA 1B.2) that the caller may read."""

    access_policy = "meetings.view_compliance"
    serializer_class = QuarterlyCallSerializer

    def get_queryset(self) -> QuerySet[QuarterlyCall]:
        return policy.visible_to(self.request.user, QuarterlyCall).prefetch_related("posts").order_by("-held_on", "pk")
