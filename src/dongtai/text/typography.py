"""Chinese typography for briefing text, as in the reference bulletin.

:func:`polish` applies these rules, in this order, and nothing else:

1. **Punctuation.** A half-width ``,`` ``;`` ``:`` ``?`` ``!`` that follows a CJK
   character (or CJK punctuation), or that is directly followed by a CJK character,
   becomes full-width ``，`` ``；`` ``：`` ``？`` ``！``; a ``.`` that follows a CJK
   character becomes ``。`` unless another ``.`` or a letter/digit follows it
   (``等等...``, ``阿里巴巴.com``). Blanks around a converted mark are dropped:
   full-width punctuation carries its own spacing.
2. **Spacing.** One space between a CJK character and a Latin letter or digit, on both
   sides: ``2026年5月6日`` → ``2026 年 5 月 6 日``, ``据ITIF报道`` → ``据 ITIF 报道``.
   A run of Latin text keeps its trailing ``%``, ``‰`` or ``+`` (``增长 25% 与``,
   ``100+ 项``), ``$`` opens a Latin run (``约 $1``). A half-width ``(`` that opens
   Latin text after CJK gets a space before it, and a ``)`` closing Latin text gets
   one before following CJK: ``南华早报(SCMP)`` → ``南华早报 (SCMP)``.
   No space is ever added between a digit and ``%``, nor next to any punctuation.

What is never touched:

- URLs (``scheme://…`` or ``www.…``, ending at the first blank or non-ASCII
  character, trailing punctuation excluded): kept verbatim, only separated by one
  space from a neighbouring CJK character;
- text with no CJK neighbour: ``1.2``, ``10:30``, ``Tom's Hardware``, ``Hello, world``;
- line breaks and full-width punctuation already present.

``polish`` is idempotent: ``polish(polish(x)) == polish(x)``.

"CJK character" means a Han ideograph (all extensions, e.g. ``𠀀``), kana or hangul;
CJK punctuation (``，。「」``…) and full-width forms are *not* CJK characters.
"""

from __future__ import annotations

import re

__all__ = ["cjk_ratio", "polish"]

# Han (radicals, ext. A, unified, compatibility, ext. B–H), kana, bopomofo, hangul.
_CJK = (
    "\u2e80-\u2eff\u2f00-\u2fdf\u3040-\u309f\u30a0-\u30ff\u3100-\u312f\u31a0-\u31bf"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
# CJK symbols and punctuation, full-width forms.
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"

_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.)[!-~]+", re.ASCII)
_URL_TRAILING = ".,;:!?'\")]}>"

_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}

# rule 1, in order: each pattern's group 1 is the half-width mark made full-width
_TO_FULL_WIDTH = tuple(
    re.compile(pattern)
    for pattern in (
        rf"(?<=[{_CJK}{_CJK_PUNCT}])[ \t]*([,;:?!])[ \t]*",  # after CJK (or its punctuation)
        rf"[ \t]*([,;:?!])[ \t]*(?=[{_CJK}])",  # before CJK
        rf"(?<=[{_CJK}])[ \t]*(\.)(?![.A-Za-z0-9])[ \t]*",  # a period ending CJK text
    )
)
# rule 2, in order: each pattern's group 1 is what a space follows
_SPACED = tuple(
    re.compile(pattern)
    for pattern in (
        rf"([{_CJK}])(?=[A-Za-z0-9$])",  # CJK, then Latin
        rf"([A-Za-z0-9][%‰+]*)(?=[{_CJK}])",  # Latin (with its %, ‰ or +), then CJK
        rf"([{_CJK}])(?=\([A-Za-z0-9$])",  # CJK, then a parenthesis opening Latin
        rf"(?<=[A-Za-z0-9.%])(\))(?=[{_CJK}])",  # a parenthesis closing Latin, then CJK
    )
)

_IS_CJK = re.compile(rf"[{_CJK}]")


def polish(text: str) -> str:
    """``text`` with the Chinese typography rules of the module docstring applied."""
    out: list[str] = []
    for is_url, segment in _segments(text):
        piece = segment if is_url else _polish_plain(segment)
        if out and piece and _needs_space(out[-1][-1:], piece[:1], is_url):
            out.append(" ")
        out.append(piece)
    return "".join(out)


def cjk_ratio(text: str) -> float:
    """Share of CJK characters among the letters, digits and CJK characters of ``text``.

    Punctuation, spaces and symbols are not counted; ``0.0`` for text without any.
    """
    cjk_chars = "".join(_IS_CJK.findall(text))
    cjk = len(cjk_chars)
    other = sum(map(str.isalnum, text)) - sum(map(str.isalnum, cjk_chars))
    total = cjk + other
    return cjk / total if total else 0.0


def _polish_plain(text: str) -> str:
    text = _fix_punctuation(text)
    return _add_spaces(text)


def _fix_punctuation(text: str) -> str:
    def full(match: re.Match[str]) -> str:
        return _HALF_TO_FULL[match.group(1)]

    for rule in _TO_FULL_WIDTH:
        text = rule.sub(full, text)
    return text


def _add_spaces(text: str) -> str:
    for rule in _SPACED:
        text = rule.sub(r"\1 ", text)
    return text


def _segments(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_url, segment) pieces, URLs without trailing punctuation."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        start, end = match.start(), match.start() + len(url)
        if end <= start:
            continue
        if start > pos:
            pieces.append((False, text[pos:start]))
        pieces.append((True, url))
        pos = end
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


def _needs_space(before: str, after: str, url_follows: bool) -> bool:
    """Whether the boundary between a URL and its CJK neighbour needs a space.

    Segments alternate, so when ``url_follows`` is false the previous one was a URL.
    """
    neighbour = before if url_follows else after
    return bool(_IS_CJK.match(neighbour))
