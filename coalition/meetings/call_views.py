"""Stub: being written (see coalition/meetings/urls.py)."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from coalition.core.access import access


@access("meetings.manage")
def calls(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def record_call(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError
