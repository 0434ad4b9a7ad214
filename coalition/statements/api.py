"""Read-only statements under /api/v1, under the same policy as the pages: every queryset starts from `visible_to`,
so drafts reach governments only and an embargoed statement reaches members only until its release time. The
published text's hash and signatories appear once a statement is published; the verification endpoint replays the
audit ledger for anyone who may read the statement."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from coalition.core import policy
from coalition.statements.models import Freeze, Response, Statement
from coalition.statements.views import public


def visible_statements(user: Any) -> QuerySet[Statement]:
    """Statements `user` may read, each with its current round's outcome and, when published, its signatures."""
    current = Freeze.objects.filter(statement=OuterRef("pk"), superseded_at__isnull=True).order_by("-number")
    signed = Response.objects.filter(kind=Response.Kind.SIGNED).select_related("organisation")
    return (
        policy.visible_to(user, Statement)
        .select_related("document", "about_country", "published_freeze")
        .annotate(current_outcome=Subquery(current.values("outcome")[:1]))
        .prefetch_related(
            Prefetch(
                "published_freeze__responses",
                queryset=signed.order_by("organisation__name"),
                to_attr="signed_responses",
            )
        )
        .order_by("-published_at", "-created_at", "-pk")
    )


class SignatorySerializer(serializers.Serializer):
    member = serializers.CharField()
    signed_at = serializers.DateTimeField()
    reservation = serializers.CharField()
    late = serializers.BooleanField(help_text="joined after publication, on signed_at")


class StatementSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    country: serializers.SlugRelatedField = serializers.SlugRelatedField(
        source="about_country", slug_field="code", read_only=True
    )
    state = serializers.SerializerMethodField(help_text="draft, sign_on, decided, embargoed or published")
    outcome = serializers.SerializerMethodField(help_text="the outcome of the current (or published) round")
    content_hash = serializers.SerializerMethodField(help_text="SHA-256 of the published text")
    signatories = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "slug",
            "title",
            "kind",
            "country",
            "fast_track",
            "state",
            "outcome",
            "published_at",
            "content_hash",
            "signatories",
        ]

    def get_state(self, statement: Statement) -> str:
        if statement.published_freeze_id and statement.published_at:
            return "published" if statement.published_at <= timezone.now() else "embargoed"
        outcome = getattr(statement, "current_outcome", None)
        if outcome is None:
            return "draft"
        return "sign_on" if outcome == Freeze.Outcome.OPEN else "decided"

    def get_outcome(self, statement: Statement) -> str | None:
        if statement.published_freeze is not None:
            return statement.published_freeze.outcome
        return getattr(statement, "current_outcome", None)

    def get_content_hash(self, statement: Statement) -> str | None:
        return statement.published_freeze.content_hash if statement.published_freeze else None

    @extend_schema_field(SignatorySerializer(many=True, allow_null=True))
    def get_signatories(self, statement: Statement) -> list[dict[str, Any]] | None:
        if statement.published_freeze is None:
            return None
        return [
            {
                "member": signatory.member,
                "signed_at": serializers.DateTimeField().to_representation(signatory.signed_at),
                "reservation": signatory.reservation,
                "late": signatory.late,
            }
            for signatory in public.signatories(statement)
        ]


class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        """Drafts and embargoed statements reach governments only: keep every answer out of shared caches."""
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    """Statements the caller may read, the latest published first."""

    access_policy = "statements.view"
    serializer_class = StatementSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self) -> QuerySet[Statement]:
        return visible_statements(self.request.user)


class InclusionSerializer(serializers.Serializer):
    """An RFC 6962 inclusion proof of one ledger event in the checkpoint (docs/verify_statement.py checks it)."""

    ledger_event = serializers.IntegerField()
    leaf_index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    entry = serializers.CharField(help_text="the event's canonical JSON; its leaf is SHA-256(0x00 || entry)")
    proof = serializers.ListField(child=serializers.CharField(), help_text="base64 node hashes, leaf upwards")


class VerifiedSignatorySerializer(serializers.Serializer):
    member = serializers.CharField()
    response = serializers.CharField(help_text="signed (or, where the record differs, what the ledger says)")
    late = serializers.BooleanField()
    reservation = serializers.CharField()
    at = serializers.DateTimeField()
    ledger_event = serializers.IntegerField()
    ledger_hash = serializers.CharField()
    record_matches_ledger = serializers.BooleanField()
    inclusion = InclusionSerializer(allow_null=True, help_text="null: recorded after the latest checkpoint")


class CheckpointSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="the C2SP tlog-checkpoint signed note")
    size = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    verifier_key = serializers.CharField(help_text="the signed-note verifier key of the ledger's signing key")
    url = serializers.URLField()


class VerificationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    verified = serializers.BooleanField()
    checked_at = serializers.DateTimeField()
    content_hash = serializers.CharField()
    chain_intact = serializers.BooleanField()
    chain_problem = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
    signatories = VerifiedSignatorySerializer(many=True)
    checkpoint = CheckpointSerializer(allow_null=True)
    publication = InclusionSerializer(allow_null=True)
    events_after_checkpoint = serializers.IntegerField()
    other_responses_checked = serializers.IntegerField()
    verification_url = serializers.URLField()


class _OneObjectSchema(AutoSchema):
    """The verification is one object at a collection-style route: not a paginated list."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class VerificationViewSet(viewsets.GenericViewSet):
    """A published statement's signatory list checked against the audit ledger, with each signature event's inclusion
    proof in the latest signed checkpoint (as the page does)."""

    access_policy = "statements.verify"
    serializer_class = VerificationSerializer
    queryset = Statement.objects.none()  # for the schema; the read goes through published_statements
    schema = _OneObjectSchema()
    pagination_class = None

    def list(self, request: Request, slug: str = "", format: str | None = None) -> ApiResponse:
        statement = public.published_statements(request.user).filter(slug=slug).first()
        if statement is None:
            raise Http404("No such published statement")
        verification = public.public_verification(statement)
        return ApiResponse(public.verification_json(request, statement, verification))
