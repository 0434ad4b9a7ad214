"""Reading texts into paragraphs. (Interim: plain text split on blank lines; the full reader replaces this.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coalition.core.errors import InvalidInput


@dataclass(frozen=True)
class Segment:
    text: str
    number: str = ""
    kind: str = "body"


def read_file(name: str, data: bytes) -> str:
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text.", field="file") from None


def segment(text: str, *, markdown: bool = False) -> list[Segment]:
    return [Segment(re.sub(r"\s+", " ", p).strip()) for p in re.split(r"\n\s*\n", text) if p.strip()]
