"""The search page: one box, results grouped by kind, each group its list page's records that match."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coalition.core import search
from coalition.core.access import access

PER_GROUP = 5  # results shown per kind on the page of every kind; "more" opens the kind alone
PER_PAGE = 25  # results per page of one kind


@access("search.use")
def search_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    kinds = search.registered()
    key = request.GET.get("kind", "")
    kind = kinds.get(key)
    page = _page(request.GET.get("page", ""))
    query = search.parse(raw)
    if kind:
        results = search.find(request.user, query, kinds=[key], limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    else:
        results = search.find(request.user, query, limit=PER_GROUP)
    group = results.groups[0] if kind and results.groups else None
    return render(
        request,
        "core/search.html",
        {
            "q": raw[: search.MAX_CHARS],
            "query_limit": search.MAX_CHARS,
            "query": query,
            "results": results,
            "kind": kind,
            "unknown_kind": bool(key) and kind is None,
            "page": page,
            "pages": ((group.count - 1) // PER_PAGE + 1) if group else 1,
        },
        status=400 if raw.strip() and not query.terms else 200,
    )


def _page(raw: str) -> int:
    return min(int(raw), 10_000) if raw.isdigit() and int(raw) > 0 else 1
