"""Ingest: item JSON Lines → items (the contract of DESIGN.md).

Rules:
- one JSON object per line; blank lines are ignored;
- required: ``url`` (absolute http/https), ``source``, ``title``, ``published``
  (ISO 8601 date-time with offset, or a plain date, taken as midnight in the issue
  time zone), ``text``; all non-empty strings;
- optional: ``language`` (``en``/``zh``; detected from the share of CJK characters
  when absent), ``summary``, ``authors`` (list of strings); other keys are ignored;
- a bad line becomes a :class:`LineError` with its line number and reason; the other
  lines are unaffected;
- ``title`` and ``text`` are stored cleaned (:mod:`dongtai.text.clean`: site suffixes,
  datelines, credits, prompts, bullets, escape sequences); what the outlet published is
  kept as ``raw_title``/``raw_text`` when cleaning changed it; a text that cleaning would
  empty is kept as it came;
- ``source`` is resolved against the registry by id or alias; an unknown outlet is
  kept under its own name with the default weight.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dongtai.models import Item, LineError, Source
from dongtai.sources import Registry
from dongtai.text.clean import clean_text, clean_title
from dongtai.text.typography import cjk_ratio

REQUIRED = ("url", "source", "title", "published", "text")
CJK_SHARE_FOR_CHINESE = 0.2


@dataclass
class Parsed:
    """What a file held: good items, rejected lines, outlets seen for the first time."""

    items: list[Item] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    new_sources: dict[str, Source] = field(default_factory=dict)


class _Reject(ValueError):
    pass


def parse_lines(
    lines: Iterable[str], registry: Registry, tz: ZoneInfo, default_weight: float
) -> Parsed:
    """Parse item JSON Lines; never raises on bad content."""
    parsed = Parsed()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = _load(line)
            source = registry.resolve(_text(record, "source"), default_weight)
            parsed.items.append(_item(record, source.id, tz))
        except _Reject as exc:
            parsed.errors.append(LineError(line=number, reason=str(exc)))
            continue
        if not source.known:
            parsed.new_sources.setdefault(source.id, source)
    return parsed


def _load(line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Reject(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
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


def _item(record: dict[str, Any], source_id: str, tz: ZoneInfo) -> Item:
    url = _text(record, "url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _Reject(f"'url' must be an absolute http(s) URL, got {url[:80]!r}")
    raw_text = _text(record, "text")
    raw_title = _text(record, "title")
    title = clean_title(raw_title)
    text = clean_text(raw_text, raw_title) or raw_text
    return Item(
        url=url,
        source=source_id,
        title=title,
        published=_published(record.get("published"), tz),
        text=text,
        language=_language(record.get("language"), raw_title + raw_text),
        summary=_optional_text(record, "summary"),
        authors=_authors(record.get("authors")),
        raw_title="" if title == raw_title else raw_title,
        raw_text="" if text == raw_text else raw_text,
    )


def _published(value: Any, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise _Reject("'published' must be an ISO 8601 date-time or date string")
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=tz)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Reject(f"'published' is not an ISO 8601 date-time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise _Reject(f"'published' has no UTC offset: {value!r}")
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
    return tuple(a.strip() for a in value if a.strip())
