"""Read-only Program of Action endpoints under /api/v1, under the same policy as the pages: every queryset starts
from `visible_to`, an update or activity shows only inside a programme and activity the caller may see, and
evidence only where the linked record itself is visible to the caller."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from coalition.core import policy
from coalition.core.evidence import Evidence, visible_evidence
from coalition.programme.models import Activity, EvidenceLink, Programme, ProgressUpdate, Status

# --- Query parameters: validated like any input, a bad one is a 400 naming the parameter ------------------------


class ActivityFilter(serializers.Serializer):
    programme = serializers.IntegerField(required=False, min_value=1, max_value=9999, help_text="programme year")
    status = serializers.ChoiceField(choices=Status.choices, required=False)


class UpdateFilter(serializers.Serializer):
    programme = serializers.IntegerField(required=False, min_value=1, max_value=9999, help_text="programme year")
    activity = serializers.RegexField(r"^[0-9A-Za-z.]{1,8}$", required=False, help_text="activity code, e.g. 1A.4")


def _filters(request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:
    params = serializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def _programme_params(*names: str) -> list[OpenApiParameter]:
    described = {
        "programme": OpenApiParameter("programme", int, description="programme year, e.g. 2023"),
        "status": OpenApiParameter("status", str, enum=Status.values, description="activity status"),
        "activity": OpenApiParameter("activity", str, description="activity code, e.g. 1A.4"),
    }
    return [described[name] for name in names]


# --- Reads, each from visible_to -------------------------------------------------------------------------------


def visible_programmes(user: Any) -> QuerySet[Programme]:
    return policy.visible_to(user, Programme)


def visible_activities(user: Any) -> QuerySet[Activity]:
    return policy.visible_to(user, Activity).filter(objective__goal__programme__in=visible_programmes(user))


def visible_updates(user: Any) -> QuerySet[ProgressUpdate]:
    return policy.visible_to(user, ProgressUpdate).filter(activity__in=visible_activities(user))


# --- Serializers ------------------------------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    predecessor: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="year", read_only=True)

    class Meta:
        model = Programme
        fields = ["year", "title", "chair", "starts_on", "ends_on", "predecessor", "classification"]


class ActivitySerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="objective.goal.programme.year", read_only=True)
    objective = serializers.CharField(source="objective.code", read_only=True)
    lead_body: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    last_update_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="the latest progress update the caller may read"
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "programme",
            "objective",
            "code",
            "title",
            "status",
            "status_reason",
            "lead_organisation",
            "lead_body",
            "target_on",
            "weight",
            "classification",
            "last_update_on",
        ]


class UpdateSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="activity.objective.goal.programme.year", read_only=True)
    activity = serializers.CharField(source="activity.code", read_only=True)
    author = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "programme",
            "activity",
            "reported_on",
            "narrative",
            "author",
            "on_behalf_of",
            "classification",
            "created_at",
        ]

    # Names follow the same rule as the activity page's `name_if_visible`: a person or member the caller may not
    # see in the directory is not named here either, even on an update the caller may read.
    def get_author(self, update: ProgressUpdate) -> str | None:
        """The author's name as the directory knows it, if the caller may see that person (never an address)."""
        return policy.name_if_visible(self.context["request"].user, update.author)

    def get_on_behalf_of(self, update: ProgressUpdate) -> int | None:
        """The member government reported for, if the caller may see it."""
        member = update.on_behalf_of
        return member.pk if member is not None and policy.is_visible(self.context["request"].user, member) else None


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="link.pk")
    programme = serializers.IntegerField(source="link.activity.objective.goal.programme.year")
    activity = serializers.CharField(source="link.activity.code")
    record_type = serializers.CharField(source="link.record_type")
    kind = serializers.CharField(source="kind.label")
    record_id = serializers.CharField(source="link.record_id")
    title = serializers.CharField()
    url = serializers.CharField()
    note = serializers.CharField(source="link.note")
    linked_at = serializers.DateTimeField(source="link.linked_at")


# --- View sets ----------------------------------------------------------------------------------------------------


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    access_policy = "programme.view"
    serializer_class = ProgrammeSerializer
    lookup_field = "year"
    lookup_value_regex = "[0-9]{1,4}"

    def get_queryset(self) -> QuerySet[Programme]:
        return visible_programmes(self.request.user).select_related("predecessor").order_by("-year")


@extend_schema_view(list=extend_schema(parameters=_programme_params("programme", "status")))
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Activities, with the date of the latest update the caller may read."""

    access_policy = "programme.view"
    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        user = self.request.user
        updates = policy.visible_to(user, ProgressUpdate).filter(activity=OuterRef("pk"))
        qs = (
            visible_activities(user)
            .select_related("objective__goal__programme", "lead_body")
            .annotate(last_update_on=Subquery(updates.order_by("-reported_on").values("reported_on")[:1]))
            .order_by("-objective__goal__programme__year", "objective__goal__number", "objective__code", "number")
        )
        if self.action == "list":
            filters = _filters(self.request, ActivityFilter)
            if "programme" in filters:
                qs = qs.filter(objective__goal__programme__year=filters["programme"])
            if "status" in filters:
                qs = qs.filter(status=filters["status"])
        return qs


@extend_schema_view(list=extend_schema(parameters=_programme_params("programme", "activity")))
class UpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress updates, each only where its own classification lets the caller read it."""

    access_policy = "programme.view"
    serializer_class = UpdateSerializer

    def get_queryset(self) -> QuerySet[ProgressUpdate]:
        qs = (
            visible_updates(self.request.user)
            .select_related("activity__objective__goal__programme", "author__person", "on_behalf_of")
            .order_by("-reported_on", "-created_at", "-pk")
        )
        if self.action == "list":
            qs = _narrowed(qs, _filters(self.request, UpdateFilter))
        return qs


def _narrowed(qs: QuerySet[Any], filters: dict[str, Any], prefix: str = "") -> QuerySet[Any]:
    if "programme" in filters:
        qs = qs.filter(**{f"{prefix}activity__objective__goal__programme__year": filters["programme"]})
    if "activity" in filters:
        qs = qs.filter(**{f"{prefix}activity__code": filters["activity"]})
    return qs


@extend_schema_view(list=extend_schema(parameters=_programme_params("programme", "activity")))
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Records from elsewhere in the platform linked as evidence, each only if the caller may see the record
    itself (through the policy, like the record's own pages) and the activity it serves."""

    access_policy = "programme.view"
    serializer_class = EvidenceSerializer
    queryset = EvidenceLink.objects.none()  # for the schema; reads go through _links and visible_evidence

    def _links(self) -> QuerySet[EvidenceLink]:
        return (
            EvidenceLink.objects.filter(activity__in=visible_activities(self.request.user))
            .select_related("activity__objective__goal__programme")
            .order_by("-linked_at", "-pk")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        links = _narrowed(self._links(), _filters(request, UpdateFilter))
        shown: list[Evidence] = visible_evidence(request.user, links)
        page = self.paginate_queryset(shown)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(shown, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = str(kwargs.get("pk", ""))
        link = self._links().filter(pk=int(key)).first() if key.isdigit() else None
        shown = visible_evidence(request.user, [link]) if link is not None else []
        if not shown:
            raise Http404("No such evidence")
        return Response(self.get_serializer(shown[0]).data)
