"""Library search under /api/v1/library/search/: the page's search for scripts and other tools, under the same
policy (every paragraph returned passes `indexing.visible_paragraphs`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from coalition.core.errors import InvalidInput
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
            "endorsed_by": [o.name for o in source.endorsed_by.all()],
        }


def _int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number.", field=name) from None


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
    def list(self, request: Request) -> ApiResponse:
        params = request.query_params
        try:
            filters = Filters(
                forum=params.get("forum", "").strip(),
                kind=params.get("kind", "").strip(),
                signed_by=str(_int(request, "signed_by") or ""),
                year_from=_int(request, "year_from"),
                year_to=_int(request, "year_to"),
            )
            results = queries.search(request.user, params.get("q", ""), filters, page=_int(request, "page") or 1)
        except InvalidInput as error:
            return ApiResponse({error.field or "q": [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(
            {
                "count": results.total,
                "page": results.page,
                "took_ms": round(results.took_ms, 2),
                "results": HitSerializer(results.results, many=True).data,
            }
        )
