"""Bytes → text for web pages and feeds whose encoding is declared badly or not at all.

Rules, first match wins:
1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the ``charset`` of the HTTP ``Content-Type`` header, if Python knows it and the
   body decodes with it;
3. a ``<meta charset>`` / ``<meta http-equiv content="…charset=…">`` or an XML
   declaration ``encoding="…"`` in the first 4 KiB, same condition;
4. strict UTF-8;
5. Japanese or Korean encodings when charset-normalizer detects one; else Chinese
   double-byte text: GB18030 or Big5, whichever decodes with (almost) no
   invalid sequences and yields mostly the common characters of its own standard
   (GB2312 level 1, Big5 frequent block): decoding Big5 bytes as GB gives rare
   characters, and the other way round;
6. charset-normalizer's guess;
7. GB18030 with replacement characters (never fails).

GB2312 and GBK are decoded as GB18030, their superset: pages labelled GB2312 routinely
use GBK characters, and strict GB2312 would reject them.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

SNIFF_BYTES = 4096
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_\-.:]+)["']""")
_HEADER = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "big5": "big5hkscs"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
MIN_HAN = 4
MAX_INVALID_SHARE = 0.02
MIN_COMMON_SHARE = 0.6
_JAPANESE_KOREAN = {"euc_jp", "shift_jis", "cp932", "euc_kr", "cp949", "iso2022_jp", "johab"}
_LATIN1_ALIASES = {"latin_1", "iso8859-1", "iso-8859-1"}


def normalise(label: str) -> str | None:
    """Python's codec name for an encoding label, widened to its superset; None if unknown."""
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER.search(content_type)
    return match.group(1) if match else None


def declared(body: bytes) -> str | None:
    """The encoding the document declares in its first bytes (meta tag or XML declaration)."""
    head = body[:SNIFF_BYTES]
    match = _XML_DECL.search(head) or _META.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The text of ``body`` and the encoding used (rules in the module docstring)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    for label in (header_charset(content_type), declared(body)):
        text = _strict(body, label)
        if text is not None:
            return text
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _guess(body)
    if guess is not None:
        return guess
    return body.decode("gb18030", errors="replace"), "gb18030"


def _strict(body: bytes, label: str | None) -> tuple[str, str] | None:
    name = normalise(label) if label else None
    if name is None:
        return None
    if name in _LATIN1_ALIASES or name == "cp1252":
        # a Latin-1 label on a page that is really UTF-8 or GBK is common: only trust it
        # when the bytes are not valid UTF-8 and do not look like a CJK encoding
        return _latin1_if_plausible(body, name)
    try:
        return body.decode(name), name
    except (UnicodeDecodeError, LookupError):
        return None


def _latin1_if_plausible(body: bytes, name: str) -> tuple[str, str] | None:
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _guess(body)
    if guess is not None and guess[1].startswith(("gb", "big5", "shift_jis", "euc")):
        return guess
    return body.decode(name, errors="replace"), name


def _guess(body: bytes) -> tuple[str, str] | None:
    detected = _detect(body)
    if detected is not None and detected[1] in _JAPANESE_KOREAN:
        return detected
    return _chinese(body) or detected


def _chinese(body: bytes) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for name, common in (("gb18030", _gb_common), ("big5hkscs", _big5_common)):
        text = body.decode(name, errors="replace")
        han = _HAN.findall(text)
        if len(han) < MIN_HAN or text.count("\ufffd") > MAX_INVALID_SHARE * len(han):
            continue
        share = sum(map(common, han)) / len(han)
        if share >= MIN_COMMON_SHARE and (best is None or share > best[0]):
            best = (share, text, name)
    return None if best is None else (best[1], best[2])


def _gb_common(char: str) -> bool:
    try:
        return 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def _big5_common(char: str) -> bool:
    try:
        return 0xA4 <= char.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def _detect(body: bytes) -> tuple[str, str] | None:
    best = charset_normalizer.from_bytes(body[: 64 * 1024]).best()
    if best is None:
        return None
    name = normalise(best.encoding) or best.encoding
    try:
        return body.decode(name, errors="replace"), name
    except LookupError:
        return None
