"""Ingest: item JSON Lines → items.

Rules:
- input is bytes, split on ``\n`` only (a raw U+2028 or U+0085 inside a JSON string is
  legal and never splits a line; a trailing ``\r`` is dropped), each line decoded as
  UTF-8 on its own, so a bad byte rejects that line only; a UTF-8 BOM is accepted;
  files are read with a size limit (``ingest.max_file_bytes``);
- one JSON object per line; blank lines are ignored; raw control characters inside
  strings are accepted (and removed, below); numbers of more than 30 digits, nesting
  too deep to parse and non-objects reject the line with the reason;
- required: ``url`` (absolute http/https, at most ``ingest.max_url_chars``, no control,
  format or space character), ``source``, ``title``, ``published`` (ISO 8601 date-time
  with offset, or a plain date, taken as midnight in the issue time zone; between 1970
  and 2100 in UTC), ``text``; all non-empty strings;
- optional: ``language`` (``en``/``zh``; detected from the share of CJK characters
  when absent), ``summary``, ``authors`` (list of strings), ``summary_only`` (true when
  ``text`` is a feed summary standing in for an unfetched page) with ``page_error``
  (why); other keys are ignored;
- reader text is sanitised here, once, for every output format
  (:mod:`dongtai.text.sanitize`: controls, bidi overrides and invisible format
  characters out, noncharacters and lone surrogates replaced) and cut to the
  configured lengths (``ingest.max_title_chars``, ``max_summary_chars``,
  ``max_text_chars``, ``max_authors``);
- a bad line becomes a :class:`LineError` with its line number and reason; the other
  lines are unaffected; nothing raises on bad content;
- ``title`` and ``text`` are stored cleaned (:mod:`dongtai.text.clean`: site suffixes,
  datelines, credits, prompts, bullets, escape sequences) after control and format
  characters are removed (:mod:`dongtai.text.sanitize`); what the outlet published is
  kept as ``raw_title``/``raw_text`` when cleaning changed it; a text that cleaning would
  empty is kept as it came;
- ``source`` is resolved against the registry by id or alias; an unknown outlet is
  kept under its own name with the default weight;
- new items are enriched as they are stored (:mod:`dongtai.enrich`: embeddings,
  figures and organisations, near-duplicate signature), unless ``ingest.enrich`` is
  off; the items are stored first, so a failure there loses no item.

:func:`parse_lines` is pure; :func:`store_lines` parses and stores the good items with
their outlets (the one way files, folders and feeds put items in the store).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dongtai.config import IngestSettings
from dongtai.enrich import Enricher
from dongtai.errors import InputError
from dongtai.models import Item, LineError, Source
from dongtai.sources import Registry
from dongtai.text.clean import clean_text, clean_title
from dongtai.text.embedding import embed
from dongtai.text.sanitize import capped, one_line_text, reader_text, url_problem
from dongtai.text.typography import cjk_ratio

if TYPE_CHECKING:
    from dongtai.store import Store

REQUIRED = ("url", "source", "title", "published", "text")
CJK_SHARE_FOR_CHINESE = 0.2
MAX_DIGITS = 30
MAX_SOURCE_CHARS = 200
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)
BOM = b"\xef\xbb\xbf"
Line = str | bytes


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of a file given by the user, at most ``limit`` of them (else an error)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{path} is larger than the {limit:,}-byte input limit")
    return data


def split_lines(data: bytes) -> list[bytes]:
    """JSON Lines split on ``\\n`` only; a trailing ``\\r`` and a leading BOM dropped."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


@dataclass
class Parsed:
    """What a file held: good items, rejected lines, outlets seen for the first time."""

    items: list[Item] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    new_sources: dict[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Stored:
    """What storing a batch of lines did: items new and already stored, lines rejected."""

    new: int
    already: int
    errors: list[LineError]


def store_lines(
    store: Store,
    lines: Iterable[Line],
    registry: Registry,
    tz: ZoneInfo,
    default_weight: float,
    limits: IngestSettings | None = None,
) -> Stored:
    """Parse item JSON Lines and store the good items, with the outlets they name."""
    parsed = parse_lines(lines, registry, tz, default_weight, limits)
    used = {item.source for item in parsed.items}
    outlets = [s for sid, s in registry.sources.items() if sid in used]
    store.save_sources([*outlets, *parsed.new_sources.values()])
    added = store.add_items(parsed.items)
    if (limits or IngestSettings()).enrich:
        new_items = [item for item, is_new in zip(parsed.items, added, strict=True) if is_new]
        if new_items:
            Enricher(registry.organisation_names(), embed).enrich(store, new_items)
    new = sum(added)
    return Stored(new=new, already=len(added) - new, errors=parsed.errors)


class _Reject(ValueError):
    pass


def parse_lines(
    lines: Iterable[Line],
    registry: Registry,
    tz: ZoneInfo,
    default_weight: float,
    limits: IngestSettings | None = None,
) -> Parsed:
    """Parse item JSON Lines (bytes or text); never raises on bad content."""
    parsed = Parsed()
    limits = limits or IngestSettings()
    for number, raw in enumerate(lines, start=1):
        try:
            line = _decoded(raw, first=number == 1)
            if not line.strip():
                continue
            record = _load(line)
            source = registry.resolve(_source_name(record), default_weight)
            parsed.items.append(_item(record, source.id, tz, limits))
        except _Reject as exc:
            parsed.errors.append(LineError(line=number, reason=str(exc)))
            continue
        if not source.known:
            parsed.new_sources.setdefault(source.id, source)
    return parsed


def _decoded(raw: Line, first: bool) -> str:
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1].hex()
            raise _Reject(f"not UTF-8: byte 0x{bad} at column {exc.start + 1}") from None
    else:
        text = raw
    return text.removeprefix("\ufeff") if first else text


def _number(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _Reject(f"a number of {digits} digits (at most {MAX_DIGITS})")
    return int(text)


def _load(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line, strict=False, parse_int=_number)
    except json.JSONDecodeError as exc:
        raise _Reject(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise _Reject("JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise _Reject(f"expected a JSON object, got {type(record).__name__}")
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        raise _Reject(
            "missing required field" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
        )
    return record


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise _Reject(f"{key!r} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise _Reject(f"{key!r} is empty")
    return value.strip()


def _item(record: dict[str, Any], source_id: str, tz: ZoneInfo, limits: IngestSettings) -> Item:
    url = _url(_text(record, "url"), limits.max_url_chars)
    # cleaned before it is cut (a cut ends in "…", which cleaning would take for residue);
    # the work is bounded by cutting what comes in at twice the limit first
    raw_text = _reader(record, "text")[: 2 * limits.max_text_chars]
    raw_title = one_line_text(_text(record, "title"))[: 2 * limits.max_title_chars]
    if not raw_title:
        raise _Reject("'title' is empty once control and format characters are removed")
    title = capped(clean_title(raw_title) or raw_title, limits.max_title_chars)
    text = capped(clean_text(raw_text, raw_title) or raw_text, limits.max_text_chars)
    raw_title = capped(raw_title, limits.max_title_chars)
    raw_text = capped(raw_text, limits.max_text_chars)
    summary = capped(reader_text(_optional_text(record, "summary")), limits.max_summary_chars)
    summary_only = record.get("summary_only", False)
    if not isinstance(summary_only, bool):
        raise _Reject("'summary_only' must be true or false")
    return Item(
        url=url,
        source=source_id,
        title=title,
        published=_published(record.get("published"), tz),
        text=text,
        language=_language(record.get("language"), raw_title + raw_text[:2000]),
        summary=summary,
        authors=_authors(record.get("authors"))[: limits.max_authors],
        raw_title="" if title == raw_title else raw_title,
        raw_text="" if text == raw_text else raw_text,
        summary_only=summary_only,
        page_error=capped(one_line_text(_optional_text(record, "page_error")), 300),
    )


def _source_name(record: dict[str, Any]) -> str:
    name = one_line_text(_text(record, "source"))
    if not name or len(name) > MAX_SOURCE_CHARS:
        raise _Reject(f"'source' must be 1 to {MAX_SOURCE_CHARS} printable characters")
    return name


def _url(url: str, limit: int) -> str:
    if len(url) > limit:
        raise _Reject(f"'url' is longer than {limit} characters")
    problem = url_problem(url)
    if problem:
        raise _Reject(f"'url' {problem}")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise _Reject(f"'url' is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise _Reject(f"'url' must be an absolute http(s) URL, got {url[:80]!r}")
    return url


def _reader(record: dict[str, Any], key: str) -> str:
    value = reader_text(_text(record, key)).strip()
    if not value:
        raise _Reject(f"{key!r} is empty once control and format characters are removed")
    return value


def _published(value: Any, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise _Reject("'published' must be an ISO 8601 date-time or date string")
    value = value.strip()
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(0), tzinfo=tz)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Reject(f"'published' is not an ISO 8601 date-time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise _Reject(f"'published' has no UTC offset: {value[:40]!r}")
    try:
        in_range = EARLIEST <= moment.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):
        in_range = False
    if not in_range:
        raise _Reject(f"'published' is outside 1970–2100: {value[:40]!r}")
    return moment


def _language(value: Any, text: str) -> Any:
    if value is None or value == "":
        return "zh" if cjk_ratio(text) >= CJK_SHARE_FOR_CHINESE else "en"
    if value not in ("en", "zh"):
        raise _Reject(f"'language' must be 'en' or 'zh', got {value!r}")
    return value


def _optional_text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Reject(f"{key!r} must be a string, got {type(value).__name__}")
    return value.strip()


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise _Reject("'authors' must be a list of strings")
    names = (capped(one_line_text(a), 200) for a in value)
    return tuple(name for name in names if name)
