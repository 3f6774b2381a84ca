"""Rows and records: the one conversion between a table row and the record it stores.

Rules:

* a record field and a column of the same name carry the same value; a field stored
  under another column name is named by the caller (``source="source_id"``);
* fields the table has no column for (and columns the record has no field for) are
  left out: the caller supplies what only the table knows (ids, ``ingested_at`` …);
* a NULL in a column added by a later migration (an older row) gives the field's
  default; any other NULL stays ``None``;
* a time read back without a zone is UTC (SQLite keeps none); tuples are written to
  JSON columns as lists.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

R = TypeVar("R")


def aware(moment: datetime) -> datetime:
    """A time as the database gave it, in UTC when it came without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc(moment: datetime) -> datetime:
    """A time as stored by :class:`~dongtai.store.Store`: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def record(kind: type[R], row: Any, **renamed: str) -> R:
    """The ``kind`` record (a dataclass or a pydantic model) that ``row`` stores."""
    values: dict[str, Any] = {}
    for name, has_default in _fields(kind):
        value = getattr(row, renamed.get(name, name), _ABSENT)
        if value is _ABSENT or (value is None and has_default):
            continue
        values[name] = aware(value) if isinstance(value, datetime) else value
    return kind(**values)


def values(table: Any, item: Any, **renamed: str) -> dict[str, Any]:
    """The column values of ``table`` that the record ``item`` holds."""
    columns = set(table.__table__.columns.keys())
    out: dict[str, Any] = {}
    for name, _ in _fields(type(item)):
        column = renamed.get(name, name)
        if column in columns:
            value = getattr(item, name)
            out[column] = list(value) if isinstance(value, tuple) else value
    return out


_ABSENT = object()


def _fields(kind: type[Any]) -> list[tuple[str, bool]]:
    """(name, has a default) of each field of a record type."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return [(name, not f.is_required()) for name, f in kind.model_fields.items()]
    return [(f.name, MISSING not in (f.default, f.default_factory)) for f in fields(kind)]
