"""What rapid response offers the platform's search: situations."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.core import search
from coalition.response import queries
from coalition.response.models import Situation


def register_kinds() -> None:
    search.register(
        search.Kind(
            key="response.situation",
            label=_("Situations"),
            model=Situation,
            fields=("title", "summary", "country__name"),
            readable=queries.situations,
            url=lambda situation: reverse("response:situation", args=[situation.pk]),
            title=lambda situation: situation.title,
            order=("-opened_at", "pk"),
        )
    )
