"""Rapid-response pages. (Interim: the pages are being built.)"""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


index = signals = import_signals = alert = open_situation = situation = pledge = step = note = report = _todo
fast_track = widen = close = toolkit = tool = metrics = _todo
