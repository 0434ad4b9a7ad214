"""Read-only directory endpoints under /api/v1. Same policy as the pages: every queryset from `visible_to`,
and contact details only where `directory.view_contact` allows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coalition.core import policy
from coalition.directory import queries
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


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = [
            "code",
            "alpha3",
            "numeric",
            "name",
            "official_name",
            "region",
            "sub_region",
            "intermediate_region",
            "development",
            "capital",
            "capital_tz",
            "time_zones",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.CharField(read_only=True, allow_null=True)
    joined_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "country",
            "website",
            "classification",
            "status",
            "joined_on",
        ]


class ParticipationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participation
        fields = ["organisation", "status", "effective_on", "precision", "note"]


class OfficeSerializer(serializers.ModelSerializer):
    host_country: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    network: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Office
        fields = [
            "id",
            "organisation",
            "kind",
            "name",
            "city",
            "host_country",
            "time_zone",
            "network",
            "classification",
        ]


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "city",
            "time_zone",
            "mandate",
            "established_on",
            "sunset_on",
            "classification",
        ]


class PersonSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "full_name", "affiliation", "time_zone", "classification", "contact"]

    def get_contact(self, person: Person) -> dict[str, str] | None:
        if not policy.can(self.context["request"].user, "directory.view_contact", person):
            return None
        return {"email": person.email, "phone": person.phone, "secure_messaging": person.secure_messaging}


class PositionSerializer(serializers.ModelSerializer):
    body: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "person",
            "kind",
            "title",
            "body",
            "organisation",
            "starts_on",
            "ends_on",
            "consent",  # "awaited" or "declined": not in force, the government has not agreed (docs/security.md)
            "classification",
        ]


class ChairTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChairTerm
        fields = ["year", "organisation", "starts_on", "ends_on", "note"]


class OnDateFilter(serializers.Serializer):
    """Query parameters are validated like any input: a bad one is a 400 naming the parameter."""

    on = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=Participation.Status.choices, required=False)
    kind = serializers.CharField(required=False, max_length=32)
    region = serializers.CharField(required=False, max_length=100)
    development = serializers.ChoiceField(choices=Country.Development.choices, required=False)


def _filters(request: Request) -> dict[str, Any]:
    params = OnDateFilter(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


class DirectoryViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = "directory.view"
    model: Any = None

    def get_queryset(self) -> QuerySet[Any]:
        return policy.visible_to(self.request.user, self.model).order_by("pk")


class CountryViewSet(DirectoryViewSet):
    model = Country
    serializer_class = CountrySerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Any]:
        filters = _filters(self.request)
        qs = policy.visible_to(self.request.user, Country).order_by("name")
        if "region" in filters:
            qs = qs.filter(region=filters["region"])
        if "development" in filters:
            qs = qs.filter(development=filters["development"])
        return qs


class OrganisationViewSet(DirectoryViewSet):
    """Organisations with their participation status on `on` (default today)."""

    model = Organisation
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Any]:
        filters = _filters(self.request)
        qs = queries.with_status_on(
            super().get_queryset().select_related("country"), filters.get("on") or queries.today()
        )
        if "status" in filters:
            qs = qs.filter(status=filters["status"])  # type: ignore[misc]
        if "kind" in filters:
            qs = qs.filter(kind=filters["kind"])
        return qs

    @extend_schema(responses=ParticipationSerializer(many=True))
    @action(detail=True)
    def participation(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        org = self.get_object()
        return Response(ParticipationSerializer(org.participation.order_by("effective_on"), many=True).data)


class OfficeViewSet(DirectoryViewSet):
    model = Office
    serializer_class = OfficeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("host_country", "network")


class BodyViewSet(DirectoryViewSet):
    model = Body
    serializer_class = BodySerializer
    lookup_field = "slug"


class PersonViewSet(DirectoryViewSet):
    model = Person
    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("affiliation")


class PositionViewSet(DirectoryViewSet):
    model = Position
    serializer_class = PositionSerializer

    def get_queryset(self) -> QuerySet[Any]:
        filters = _filters(self.request)
        qs = super().get_queryset().select_related("body")
        if "on" in filters:
            qs = qs.filter(Position.current_q(filters["on"]))
        return qs


class ChairTermViewSet(DirectoryViewSet):
    model = ChairTerm
    serializer_class = ChairTermSerializer
    lookup_field = "year"

    @extend_schema(
        responses=inline_serializer(
            "Troika",
            {
                "on": serializers.DateField(),
                "past": ChairTermSerializer(allow_null=True),
                "current": ChairTermSerializer(allow_null=True),
                "next": ChairTermSerializer(allow_null=True),
                "next_chair_overdue": serializers.BooleanField(),
            },
        )
    )
    @action(detail=False)
    def troika(self, request: Request, format: str | None = None) -> Response:
        filters = _filters(request)
        troika = queries.troika_on(filters.get("on") or queries.today())

        def term(t: ChairTerm | None) -> Any:
            return ChairTermSerializer(t).data if t else None

        return Response(
            {
                "on": troika.on,
                "past": term(troika.past),
                "current": term(troika.current),
                "next": term(troika.next),
                "next_chair_overdue": troika.next_chair_overdue,
            }
        )
