"""Reader text made safe once, at ingest, for every output format.

Rules:
- C0 and C1 control characters are removed (a tab becomes a space; ``\\r\\n`` and a lone
  ``\\r`` become ``\\n``; ``\\n`` is kept in bodies, folded into a space in one-line fields);
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C)
  and the other invisible format characters (zero-width space, word joiner, soft
  hyphen, BOM, interlinear annotation marks …) are dropped; the zero-width joiner and
  non-joiner, which emoji and some scripts need, are kept;
- noncharacters (U+FDD0–U+FDEF and every U+xFFFE/U+xFFFF) and lone surrogates are
  replaced by U+FFFD;
- :func:`url_problem` says why a URL cannot be an item's identity: anything above,
  or white space, inside it.
"""

from __future__ import annotations

import re

_NONCHARACTERS = "".join(
    re.escape(chr(plane * 0x10000 + low)) for plane in range(17) for low in (0xFFFE, 0xFFFF)
)
_DROP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_REPLACE = re.compile(f"[\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
_LINE_BREAKS = re.compile(r"\r\n?")
_UNSAFE_IN_URL = re.compile(f"{_DROP.pattern}|{_REPLACE.pattern}|\\s")


def reader_text(value: str) -> str:
    """A body or summary: controls and invisible format characters out, breaks kept."""
    value = _LINE_BREAKS.sub("\n", value).replace("\t", " ")
    return _REPLACE.sub("\ufffd", _DROP.sub("", value))


def one_line_text(value: str) -> str:
    """A title, name or author: as :func:`reader_text`, all white space folded to one space."""
    return " ".join(reader_text(value).split())


def url_problem(url: str) -> str | None:
    """Why ``url`` holds a character no URL may hold, or None."""
    found = _UNSAFE_IN_URL.search(url)
    if found is None:
        return None
    return f"contains U+{ord(found.group()):04X} at position {found.start()}"


def capped(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters (an ellipsis marks the cut)."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)].rstrip() + "…"
