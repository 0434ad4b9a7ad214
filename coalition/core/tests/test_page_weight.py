"""A typical page, with its stylesheet, stays under 100 KB compressed (DESIGN's quality bar)."""

from __future__ import annotations

import gzip
import re

from django.contrib.staticfiles import finders

from coalition.core.policy import Role
from coalition.demo.loader import load_demo

BUDGET_BYTES = 100 * 1024


def weight(html: bytes) -> int:
    total = len(gzip.compress(html))
    for href in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        path = finders.find(href.decode())
        assert path, href
        with open(path, "rb") as asset:
            total += len(gzip.compress(asset.read()))
    return total


PAGES = ["/", "/members/", "/bodies/", "/networks/", "/chairs/", "/members/history/", "/bodies/geneva/"]


def test_directory_pages_stay_within_the_weight_budget(signed_in_client):
    load_demo()
    client = signed_in_client(Role.SUPPORT_UNIT)
    weights = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        weights[url] = weight(response.content)
    assert max(weights.values()) < BUDGET_BYTES, weights
