"""Library pages. (Interim: the pages are being built.)"""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


search = sources = import_source = source = detect = delete = lineage = assistant = _todo
