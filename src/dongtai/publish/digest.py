"""An issue as chat messages: blocks of lines, packed in order under a size limit.

Rules:
- blocks, in reading order: title and date, the failed-verification warning (if any),
  摘要, each section (its heading, then each paragraph with its reference markers),
  参考文献 (one line per reference, linked), then the links to the web page and the PDF
  when ``publish.public_url`` is set;
- :func:`pack` fills each message with whole blocks while it fits the platform's limit
  (measured on the final request, in bytes); a block that alone is too long is cut at
  sentence ends (。！？; . ! ?), and a sentence that alone is too long at characters;
  nothing is dropped, nothing reordered; every message is headed by the issue title and
  its number ``(i/n)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dongtai.publish.issue import Issue
from dongtai.render import reference_label, safe_url, warning_lines

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\. )")


@dataclass(frozen=True)
class Line:
    """A line of a message: text, optionally a link target, optionally a heading."""

    text: str
    url: str = ""
    heading: bool = False


Block = tuple[Line, ...]


def blocks(issue: Issue) -> list[Block]:
    """The issue as blocks of lines, in reading order."""
    b = issue.briefing
    out: list[Block] = []
    warning = warning_lines(b)
    if warning:
        out.append(tuple(Line(text) for text in warning))
    out.append((Line("摘要", heading=True), Line(b.abstract)))
    for section in b.sections:
        out.append((Line(f"{section.number} {section.title}", heading=True),))
        for sub in section.subsections:
            lines = [Line(f"{sub.number} {sub.title}", heading=True)]
            lines += [Line(p.text + "".join(f"[{n}]" for n in p.refs)) for p in sub.paragraphs]
            out.append(tuple(lines))
    if b.references:
        refs = [Line("参考文献", heading=True)]
        for ref in b.references:
            text = f"[{ref.n}] {reference_label(ref)}: {ref.title}"
            refs.append(Line(text, url=safe_url(ref.url) or ""))
        out.append(tuple(refs))
    links = [Line("网页版", url=issue.page_url), Line("PDF 版", url=issue.pdf_url)]
    if issue.public_url:
        out.append(tuple(links))
    return out


def pack(
    items: Sequence[Block], fits: Callable[[list[Block], int, int], bool]
) -> list[list[Block]]:
    """Blocks packed in order into messages; ``fits(blocks, i, n)`` tells whether one
    message (number ``i`` of ``n``, here measured with ``n`` = 99) is within the limit."""
    messages: list[list[Block]] = []
    current: list[Block] = []
    for block in items:
        for piece in _pieces(block, fits):
            if current and not fits([*current, piece], 99, 99):
                messages.append(current)
                current = []
            current.append(piece)
    if current:
        messages.append(current)
    return messages


def _pieces(block: Block, fits: Callable[[list[Block], int, int], bool]) -> list[Block]:
    """The block itself when it fits a message alone, else cut line by line, sentence
    by sentence, character by character."""
    if fits([block], 99, 99):
        return [block]
    pieces: list[Block] = []
    for line in block:
        if fits([(line,)], 99, 99):
            pieces.append((line,))
            continue
        pieces.extend((Line(part, line.url, line.heading),) for part in _cut(line, fits))
    return pieces


def _cut(line: Line, fits: Callable[[list[Block], int, int], bool]) -> list[str]:
    def ok(text: str) -> bool:
        return fits([(Line(text, line.url, line.heading),)], 99, 99)

    parts: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(line.text) if s):
        units = [sentence] if ok(sentence) else list(sentence)
        for unit in units:
            if current and not ok(current + unit):
                parts.append(current)
                current = ""
            current += unit
    if current:
        parts.append(current)
    return parts
