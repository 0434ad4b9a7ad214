"""Every item of one section of the home page ("My work", `coalition.core.workplace`), a page at a time: where a
long section's "See all" leads when no page of its own app lists them (issue 20: the home shows the first few)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coalition.core import workplace
from coalition.core.access import access

PER_PAGE = 50


@access("public")
def section(request: HttpRequest, key: str) -> HttpResponse:
    """The section as the viewer's home has it: a section of a scope they do not see is not found (an anonymous
    visitor is asked to sign in first)."""
    found = workplace.listing_for(request.user, timezone.now(), key)
    if found is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such section.")
    shown, listing = found
    page = Paginator(listing.rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/work_section.html",
        {"section": shown, "page": page, "items": listing.items(list(page.object_list))},
    )
