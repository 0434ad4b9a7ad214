"""Stub: being written (see coalition/meetings/urls.py)."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from coalition.core.access import access


@access("meetings.manage")
def my_invitation(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def rsvp(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def rsvp_link(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def ics_reply(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def feed_settings(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError


@access("meetings.manage")
def feed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise NotImplementedError
