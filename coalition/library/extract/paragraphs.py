"""Text to paragraphs: `segment` cuts text into paragraphs, undoing the hard line wraps and page furniture of texts
copied out of UN records (page numbers, job numbers, document symbols), and recognises the structure of a
resolution: preambular paragraphs (PP1, PP2…), numbered operative paragraphs and their lettered sub-paragraphs,
and headings; `split_long` cuts a paragraph that lost its paragraph marks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt

LONG_PARAGRAPH_WORDS = 200
# A paragraph longer than this has lost its paragraph marks (a speech pasted as one line), and `split_long` cuts it.
# The paragraphs of the General Debate speeches run to 1,800 characters at most and long operative paragraphs to a
# few thousand, so none of them is cut; the pieces, of about LONG_PARAGRAPH_WORDS words, are paragraph-sized
# passages for search and reuse, far below the library's limit (LIBRARY_MAX_PARAGRAPH_CHARS, 20,000).
SPLIT_PARAGRAPH_CHARS = 5_000


@dataclass(frozen=True)
class Segment:
    text: str  # the paragraph's text, whitespace normalised (single spaces, no hard line wraps)
    number: str = ""  # as shown: "PP3", "OP5" or "5", "5 (a)"; "" for none
    kind: str = "body"  # a Paragraph.Kind value: "preambular", "operative", "heading", "body"


# --- Text to paragraphs -------------------------------------------------------------------------------------------

_END = r"[\"”’'»)\]*_]*"  # closing quotes, brackets and emphasis that may follow a paragraph's final punctuation
_TERMINAL = re.compile(r"[.!?:;]" + _END + r"\s*$")
_SENTENCE_END = re.compile(r"[.!?:]" + _END + r"\s*$")
_UNIT_END = re.compile(r"[.!?:;,]" + _END + r"\s*$")
_MARKER = re.compile(r"(?:(?:PP|OP)\s?\d{1,3}[.:)]?|\d{1,3}\s?[.)]|\((?:[a-z]{1,4}|\d{1,2})\)|[a-z]\)|[-•*])(?=\s|$)")
_ONLY_MARKER = re.compile(_MARKER.pattern + r"\s*$")

_JOB = r"(?:GE\.)?\d{2}-\d{5}(?:\s*\(E\))?"
_SYMBOL = r"(?:A|S|E|HRC|CRC|CCPR|CEDAW|CERD|CAT|CMW|CRPD|ST|UNEP|TD|DP|ECE|ESCAP|ECLAC)(?:/[A-Za-z0-9.*()-]+)+"
_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_PAGE = r"\d{1,4}(?:/\d{1,4})?"
_FURNITURE = re.compile(
    rf"(?:{_PAGE}\s+{_JOB}|{_JOB}(?:\s+{_PAGE})?|{_PAGE}|(?:{_DATE}\s+)?{_SYMBOL}(?:\s+{_DATE})?"
    r"|[-–]\s*\d{1,4}\s*[-–]|Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|\*\d{6,8}\*|Please\s+recycle\W*)"
)
# Some records glue the page number and job number to the start of the next line of text.
_FURNITURE_PREFIX = re.compile(rf"^\s*(?:\d{{1,4}}/\d{{1,4}}\s+{_JOB}|{_JOB}\s+\d{{1,4}}/\d{{1,4}})\s+(?=\S)")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")

_COUNCIL = re.compile(
    r"The\s+(?:[A-Z][\w’'-]*\s+){0,5}(?:Assembly|Council|Commission|Committee|Conference|Board|Forum|Parties)\s*,?$"
)
_ADVERBS = (
    r"(?:(?:Also|Further|Furthermore|Again|Once again|Deeply|Gravely|Seriously|Strongly|Particularly|Especially"
    r"|Firmly|Fully|Greatly|Profoundly|Extremely|Equally|Likewise|Moreover|Recalling also|Noting also)\s+)*"
)
_PARTICIPLES = (  # case-insensitive, for "Deeply concerned", "Also recalling"
    r"(?i:Mindful|Aware|Conscious|Cognizant|Cognisant|Bearing in mind|Taking note|Taking into account|Guided by"
    r"|Convinced|Determined|Desirous|Alarmed|Concerned|Encouraged|Appreciative|Grateful|Committed|Resolved"
    r"|Disturbed|Dismayed|Appalled|Inspired|Pleased|Gratified|Persuaded|Troubled|Worried|Heartened|Reassured"
    r"|Fearful|Anxious|Confident|Having|Recognizing|Recognising|Recalling|Reaffirming|Affirming|Noting"
    r"|Acknowledging|Emphasizing|Emphasising|Welcoming|Expressing|Stressing|Considering|Underlining|Underscoring"
    r"|Highlighting|Reiterating|Believing|Appreciating|Commending|Condemning|Deploring|Regretting|Observing"
    r"|Taking|Bearing|Endorsing|Supporting|Seeking|Desiring|Wishing|Reviewing|Referring|Keeping in mind)\b"
)
# Breaking a wrapped line before a preambular opener uses the listed openers; classifying a whole paragraph also
# accepts any participle ("Deploring", "Encouraging") since the paragraph must then also end with a comma.
_OPENER = re.compile(_ADVERBS + _PARTICIPLES)
_PREAMBULAR = re.compile(
    _ADVERBS + r"(?:" + _PARTICIPLES + r"|(?!(?:During|According|Regarding|Following|Including|Concerning|Nothing"
    r"|Something|Everything|Anything|Notwithstanding|Morning|Evening|Spring|Beijing)\b)[A-Z][a-z]+ing\b)"
)
_OPERATIVE = re.compile(
    r"(?:(?:Also|Further|Furthermore|Again|Once again|Strongly|Firmly|Unequivocally|Deeply|Fully|Urgently"
    r"|Solemnly|Categorically|Resolutely|Hereby|Finally|Therefore|Likewise|Similarly|Further|Reiterates its)\s+)*"
    r"[A-Z][a-z]+(?:s|es)\b"
)
_OP_END = re.compile(r"(?:[;.:]|;\s+(?:and|or))" + _END + r"\s*$")
_SUB = re.compile(r"\(([a-z]{1,4}|\d{1,2})\)\s+|([a-z])\)\s+")
_NUMBERED = re.compile(r"(?:(PP|OP)\s?(\d{1,3})\s*[.:)]?|(\d{1,3})\s?[.)])\s+(?=\S)")


def segment(text: str, *, markdown: bool = False) -> list[Segment]:
    """Paragraphs of a text in reading order, each with its number and kind (resolution structure when the text is a
    resolution; headings; otherwise body paragraphs)."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"))
    text = text.replace("\u00a0", " ").replace("\t", "    ")
    if not text.strip():
        return []
    if markdown:
        blocks = _markdown_blocks(text)
    else:
        # A separator line ("---", "* * *") marks a break between paragraphs, as a blank line does.
        lines = ["" if _is_separator(line) else line for line in text.split("\n")]
        blocks = [(False, _drop_furniture(lines))]
    vocabulary = _Vocabulary(text)
    paragraphs: list[tuple[str, bool]] = []
    for is_heading, lines in blocks:
        if is_heading:
            paragraphs.append((" ".join(" ".join(lines).split()), True))
            continue
        for group in _split(lines):
            joined = _join(group, vocabulary)
            if joined:
                paragraphs.append((joined, False))
    return _classify(paragraphs)


def _is_separator(line: str) -> bool:
    """A line of punctuation only ("---", "***", "* * *", "___", "= = ="): a break, never a paragraph. A single mark
    ("-", "*") is not one: it may be a list marker standing on its own line above its item."""
    marks = "".join(line.split())
    return len(marks) >= 3 and not any(character.isalnum() for character in marks)


def split_long(segments: Sequence[Segment], *, limit: int) -> list[Segment]:
    """`segments` with every paragraph longer than SPLIT_PARAGRAPH_CHARS (or `limit`, if lower) cut at sentence ends
    into pieces of about LONG_PARAGRAPH_WORDS words, none longer than that; a sentence longer than that alone is cut
    at the last space before it. A piece continues its paragraph: it keeps the kind, the first keeps the number.
    Only a run of characters without a space can still be longer than `limit`."""
    longest = min(SPLIT_PARAGRAPH_CHARS, limit)
    result: list[Segment] = []
    for segment in segments:
        if len(segment.text) <= longest:
            result.append(segment)
            continue
        for index, piece in enumerate(_pieces(segment.text, longest)):
            result.append(dataclasses.replace(segment, text=piece, number=segment.number if index == 0 else ""))
    return result


# A sentence ends at a full stop, question or exclamation mark before a capital letter, but not after an initial or a
# title ("U.S. Government", "Mr. President"); not before a number either, which follows "para.", "p." or "No." far
# more often than it opens a sentence.
_SENTENCE_BREAK = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?]" + _END + r" (?=[\"“‘«(\[]?[A-ZÀ-ÖØ-Þ])"
)


def _pieces(text: str, longest: int) -> Iterator[str]:
    """`text` (single-spaced, as segments are) in pieces joined by single spaces; see `split_long`."""
    piece: list[str] = []
    size = words = 0
    start = 0
    ends = [match.end() - 1 for match in _SENTENCE_BREAK.finditer(text)]  # the space after each sentence
    for end in [*ends, len(text)]:
        for part in _cut_at_spaces(text[start:end], longest):
            if piece and size + 1 + len(part) > longest:
                yield " ".join(piece)
                piece, size, words = [], 0, 0
            size += len(part) + (1 if piece else 0)
            words += part.count(" ") + 1
            piece.append(part)
        if words >= LONG_PARAGRAPH_WORDS:
            yield " ".join(piece)
            piece, size, words = [], 0, 0
        start = end + 1
    if piece:
        yield " ".join(piece)


def _cut_at_spaces(sentence: str, longest: int) -> Iterator[str]:
    while len(sentence) > longest:
        at = sentence.rfind(" ", 0, longest + 1)
        if at < 0:  # a word longer than `longest`: kept whole, for the import to refuse if it is over the limit
            at = sentence.find(" ", longest)
            if at < 0:
                break
        yield sentence[:at]
        sentence = sentence[at + 1 :]
    yield sentence


def _drop_furniture(lines: list[str]) -> list[str]:
    """Remove page numbers, job numbers and document symbols with the blank lines around them: a page break is
    nothing in a text whose paragraphs are not separated by blank lines, and a blank line in one whose are."""
    lines = [_FURNITURE_PREFIX.sub("", line) for line in lines]
    furniture = [bool(line.strip()) and _FURNITURE.fullmatch(line.strip()) is not None for line in lines]
    if not any(furniture):
        return lines
    out: list[str] = []
    page_breaks: list[int] = []  # where in `out` each page break falls
    separators = 0
    i = 0
    while i < len(lines):
        if lines[i].strip() and not furniture[i]:
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and (not lines[j].strip() or furniture[j]):
            j += 1
        if any(furniture[i:j]):
            page_breaks.append(len(out))
        else:
            separators += 1
            out.extend(lines[i:j])
        i = j
    if separators >= max(2, len(out) // 40):
        for index in reversed(page_breaks):
            out.insert(index, "")
    return out


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _inline_text(token: Any) -> str:
    """An inline token's words without markup: text, code, link and image text; line breaks become spaces."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return "".join(parts)


def _markdown_blocks(text: str) -> list[tuple[bool, list[str]]]:
    """Markdown to blocks of plain text, through markdown-it's parser (linear in the input, unlike hand-written
    patterns): headings are blocks of their own, numbered list items keep their number ("1. …"), bullets lose their
    marker, emphasis and link markup go."""
    blocks: list[tuple[bool, list[str]]] = []
    numbers: list[int | None] = []  # per open list: the next item's number, None for bullets
    item_marker = ""
    heading = False
    for token in _MARKDOWN.parse(text):
        if token.type == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif token.type == "bullet_list_open":
            numbers.append(None)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif token.type == "list_item_open" and numbers:
            number = numbers[-1]
            item_marker = f"{number}. " if number is not None else ""
            if number is not None:
                numbers[-1] = number + 1
        elif token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline":
            content = _inline_text(token).strip()
            if content and not _is_separator(content):
                blocks.append((heading, [item_marker + content]))
            item_marker = ""
        elif token.type in ("fence", "code_block") and token.content.strip() and not _is_separator(token.content):
            blocks.append((False, [token.content.strip()]))
    return blocks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _split(lines: list[str]) -> Iterator[list[str]]:
    """Lines to paragraphs: blank lines separate paragraphs, except inside a sentence (a page break); within a
    block, the block's own layout decides."""
    block: list[str] = []
    blocks: list[list[str]] = []
    for line in lines:
        if line.strip():
            block.append(line.rstrip("\n"))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    merged: list[list[str]] = []
    for block in blocks:
        first = block[0].lstrip()
        if merged and first[:1].islower() and not _TERMINAL.search(merged[-1][-1]) and not _MARKER.match(first):
            merged[-1].extend(block)
        else:
            merged.append(block)
    for block in merged:
        yield from _split_block(block)


def _split_block(block: list[str]) -> Iterator[list[str]]:
    if len(block) == 1:
        yield block
        return
    stripped = [line.strip() for line in block]
    lengths = sorted(len(line) for line in stripped)
    width = lengths[(3 * len(lengths)) // 4]
    unit_ends = sum(1 for line in stripped[:-1] if _UNIT_END.search(line))
    # A stack of short lines without punctuation is a letterhead or a list of titles, one per line.
    titles = lengths[-1] <= 50 and not any(_UNIT_END.search(line) for line in stripped)
    one_per_line = titles or unit_ends >= 0.6 * (len(block) - 1)
    width = len(stripped[0]) * 10**6 if titles else width  # so every line of a title stack stands alone
    trailing = sum(1 for line in block if line != line.rstrip()) >= 0.5 * len(block)
    # Some records lose every mark of a paragraph; a long run of wrapped lines is then cut at a sentence's end once
    # it is longer than a long paragraph, so that a speech does not come out as whole pages.
    unmarked = not one_per_line and len(block) >= 40
    current = [block[0]]
    current_words = len(stripped[0].split())
    for previous, line, raw_previous, raw in zip(stripped, stripped[1:], block, block[1:], strict=False):
        if _breaks(previous, line, raw_previous, raw, width=width, one_per_line=one_per_line, trailing=trailing) or (
            unmarked and current_words >= LONG_PARAGRAPH_WORDS and _SENTENCE_END.search(previous)
        ):
            yield current
            current, current_words = [], 0
        current.append(raw)
        current_words += len(line.split())
    yield current


def _breaks(
    previous: str, line: str, raw_previous: str, raw: str, *, width: int, one_per_line: bool, trailing: bool
) -> bool:
    """Whether `line` starts a new paragraph after `previous` inside a block without blank lines."""
    if _ONLY_MARKER.match(previous):
        return False
    ends_unit = _UNIT_END.search(previous) is not None
    if _MARKER.match(line) and ends_unit:
        return True
    if _COUNCIL.match(line) or _COUNCIL.match(previous) or _is_capitals(line) or _is_capitals(previous):
        return True
    if previous.endswith((",", ";")) and _OPENER.match(line):
        return True
    if one_per_line:
        if ends_unit:
            return True
        return not (line[:1].islower() or len(previous) >= 0.6 * width)
    if not ends_unit and len(previous) < 0.5 * width and not line[:1].islower():  # a title above a paragraph
        return True
    terminal = _TERMINAL.search(previous) is not None
    if terminal and _indent(raw) > _indent(raw_previous):  # a first-line indent
        return True
    if terminal and trailing and raw_previous == raw_previous.rstrip():  # wrapped lines keep a trailing space
        return True
    return _SENTENCE_END.search(previous) is not None and len(previous) < 0.7 * width and width <= 200


def _is_capitals(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters) and len(line.split()) <= 25


class _Vocabulary:
    """The words of a text, read only when a line ends in a hyphen, to tell a word wrapped across lines ("inter-" +
    "national") from a hyphenated compound ("multi-" + "stakeholder")."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._words: set[str] | None = None

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            self._words = {w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", self.text)}
        return word.lower() in self._words


def _join(lines: list[str], vocabulary: _Vocabulary) -> str:
    parts = [lines[0].strip()]
    for line in lines[1:]:
        line = line.strip()
        hyphen = re.search(r"([^\W\d_]+)-$", parts[-1][-60:])
        following = re.match(r"[^\W\d_]+", line)
        if hyphen is None:
            parts.append(" " + line)
        elif following and line[0].islower():
            left, right = hyphen.group(1), following.group(0)
            wrapped = left + right in vocabulary and f"{left}-{right}" not in vocabulary
            parts[-1] = parts[-1][:-1] if wrapped else parts[-1]
            parts.append(line)
        else:
            parts.append(line)  # "Secretary-" + "General", "post-" + "2015": a real hyphen
    return " ".join("".join(parts).split())


def _classify(paragraphs: list[tuple[str, bool]]) -> list[Segment]:
    preambular = sum(
        1 for text, heading in paragraphs if not heading and _PREAMBULAR.match(text) and text.endswith((",", ";"))
    )
    operative = 0
    for text, heading in paragraphs:
        numbered = _NUMBERED.match(text)
        if not heading and numbered and numbered.group(1) != "PP":
            rest = text[numbered.end() :]
            operative += bool(_OPERATIVE.match(rest) and _OP_END.search(rest))
    labelled = any(not heading and re.match(r"(?:PP|OP)\s?\d", text) for text, heading in paragraphs)
    resolution = labelled or preambular + operative >= 2
    segments: list[Segment] = []
    pp = 0
    op = ""  # the operative paragraph that lettered sub-paragraphs belong to
    letter = ""
    for text, heading in paragraphs:
        if heading:
            segments.append(Segment(text, kind="heading"))
            continue
        numbered = _NUMBERED.match(text)
        sub = _SUB.match(text)
        if numbered:
            rest = text[numbered.end() :]
            if numbered.group(1):
                number = f"{numbered.group(1)}{numbered.group(2)}"
                kind = "preambular" if numbered.group(1) == "PP" else "operative"
            else:
                number = numbered.group(3)
                kind = "operative" if resolution else _plain_kind(rest)
            if kind == "preambular":
                pp += 1
            op, letter = (number.removeprefix("OP"), "") if kind == "operative" or not resolution else ("", "")
            segments.append(Segment(rest, number=number, kind=kind))
        elif sub:
            marker = sub.group(1) or sub.group(2)
            rest = text[sub.end() :]
            if _is_roman(marker) and letter and marker != _next_letter(letter):
                number = f"({letter}) ({marker})"
            else:
                letter, number = marker, f"({marker})"
            number = f"{op} {number}" if op else number
            segments.append(Segment(rest, number=number, kind="operative" if op and resolution else "body"))
        elif resolution and _PREAMBULAR.match(text) and text.endswith((",", ";")) and not op:
            pp += 1
            segments.append(Segment(text, number=f"PP{pp}", kind="preambular"))
        else:
            kind = _plain_kind(text)
            if resolution and kind == "body" and op:
                op, letter = "", ""
            segments.append(Segment(text, kind=kind))
    return segments


def _plain_kind(text: str) -> str:
    if _COUNCIL.fullmatch(text) or _is_capitals(text):
        return "heading"
    if len(text) <= 120 and len(text.split()) <= 12 and not re.search(r"[.!?:;,]" + _END + r"$", text):
        return "heading"
    return "body"


def _is_roman(marker: str) -> bool:
    return re.fullmatch(r"m*(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})", marker) is not None


def _next_letter(letter: str) -> str:
    return chr(ord(letter[-1]) + 1) if len(letter) == 1 and letter < "z" else ""
