"""Library search under /api/v1/library/search/: the page's search for scripts and other tools, under the same
policy (every paragraph returned passes `visibility.visible_paragraphs`)."""

from __future__ import annotations

from typing import Any

from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from coalition.core import policy
from coalition.core.errors import InvalidInput
from coalition.directory.models import Organisation
from coalition.library import queries
from coalition.library.engine import Filters


class HitSerializer(serializers.Serializer):
    paragraph = serializers.IntegerField(source="paragraph.pk")
    number = serializers.CharField(source="paragraph.label")
    kind = serializers.CharField(source="paragraph.kind")
    text = serializers.CharField(source="paragraph.text")
    highlights = serializers.SerializerMethodField(help_text="the matched words, in order")
    score = serializers.FloatField()
    provenance = serializers.SerializerMethodField(help_text="the text the paragraph belongs to")

    def get_highlights(self, result: queries.Result) -> list[str]:
        return [text for text, hit in result.parts if hit]

    def get_provenance(self, result: queries.Result) -> dict[str, Any]:
        source = result.source
        return {
            "id": source.pk,
            "kind": source.kind,
            "title": source.title,
            "symbol": source.symbol,
            "forum": source.forum,
            "date": source.date.isoformat() if source.date else None,
            "year": source.year,
            "author": source.author,
            "endorsed_by": [o.name for o in source.endorsed_by.all() if policy.is_visible(self.context["user"], o)],
        }


def _int(request: Request, name: str, low: int, high: int) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number.", field=name) from None
    if not low <= number <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}.", field=name)
    return number


def _page(request: Request) -> int:
    """The page asked for, within 1 to the last page served (as on the search page): a wild number is no error."""
    try:
        return min(max(1, int(request.query_params.get("page", "1"))), queries.MAX_PAGE)
    except ValueError:
        return 1


def _signer(request: Request) -> str:
    """An organisation the caller may see, or none: a hidden one is no filter (nor a way to learn what it signed)."""
    pk = _int(request, "signed_by", 1, 2**62)
    if pk is None:
        return ""
    if not policy.visible_to(request.user, Organisation).filter(pk=pk).exists():
        raise InvalidInput("signed_by names no organisation you can see.", field="signed_by")
    return str(pk)


YEARS = (1900, 2200)


class SearchViewSet(viewsets.ViewSet):
    access_policy = "library.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="words and quoted phrases"),
            OpenApiParameter("forum", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("signed_by", int, description="an organisation's id"),
            OpenApiParameter("year_from", int),
            OpenApiParameter("year_to", int),
            OpenApiParameter("page", int),
        ],
        responses=HitSerializer(many=True),
    )
    def list(self, request: Request, format: str | None = None) -> ApiResponse:
        params = request.query_params
        try:
            filters = Filters(
                forum=params.get("forum", "").strip(),
                kind=params.get("kind", "").strip(),
                signed_by=_signer(request),
                year_from=_int(request, "year_from", YEARS[0], YEARS[1]),
                year_to=_int(request, "year_to", YEARS[0], YEARS[1]),
            )
            page = _page(request)
            results = queries.search(request.user, params.get("q", ""), filters, page=page)
        except InvalidInput as error:
            return ApiResponse({error.field or "q": [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        response = ApiResponse(
            {
                "count": results.total,
                "page": results.page,
                "all_words": results.all_words,
                "suggestion": results.suggestion or None,
                "took_ms": round(results.took_ms, 2),
                "results": HitSerializer(results.results, many=True, context={"user": request.user}).data,
            }
        )
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
