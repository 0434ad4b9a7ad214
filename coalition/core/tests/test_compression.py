"""Pages go compressed to clients that accept gzip (issue 20, "Page cost"), with the BREACH mitigation on: the same
page compressed twice differs in length, so a guess reflected into a page cannot be confirmed by its size."""

from __future__ import annotations

import gzip

import pytest

from coalition.core.policy import Role
from coalition.demo.loader import load_demo


def test_a_signed_in_page_is_gzipped_for_a_client_that_accepts_it_and_varies_by_encoding(signed_in_client):
    load_demo()
    client = signed_in_client(Role.SUPPORT_UNIT)
    plain = client.get("/members/")
    packed = client.get("/members/", headers={"accept-encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content)
    assert b"</html>" in html and len(packed.content) * 3 < len(html)


@pytest.mark.django_db
def test_the_compressed_length_of_one_page_varies_from_answer_to_answer(client):
    load_demo()
    lengths = {len(client.get("/", headers={"accept-encoding": "gzip"}).content) for _ in range(8)}
    assert len(lengths) > 1
