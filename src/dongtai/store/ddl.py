"""Tables and columns as the Alembic migrations (``migrations/versions``) declare them:
one column a line, ``NAME TYPE FLAG…``.

TYPE is ``int``, ``float``, ``bool``, ``text``, ``sN`` (a string of at most N
characters), ``json``, ``bytes``, ``date`` or ``time`` (a time with its zone); a ``key``
column without a TYPE is an integer. FLAGs: ``key`` (part of the primary key),
``null`` (the column may be NULL; without it a column is NOT NULL), ``unique``,
``index``, ``ref=TABLE.COLUMN`` (a foreign key), ``cascade`` (its rows go when the
referenced row goes), ``default=VALUE`` (the server default that rows already in the
table take when the column is added: ``''``, ``false`` or a number).

A released migration must build the same schema for ever, so a type or flag here is
only ever added, never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

Column = sa.Column[Any]

_TYPES: dict[str, Callable[[], Any]] = {
    "int": sa.Integer,
    "float": sa.Float,
    "bool": sa.Boolean,
    "text": sa.Text,
    "json": sa.JSON,
    "bytes": sa.LargeBinary,
    "date": sa.Date,
    "time": lambda: sa.DateTime(timezone=True),
}
_DEFAULTS: dict[str, Callable[[], Any]] = {"''": lambda: "", "false": sa.false}


def table(name: str, spec: str, *constraints: Any) -> None:
    """Create table ``name`` with the columns of ``spec`` and table-level ``constraints``."""
    op.create_table(name, *columns(spec), *constraints)


def add(name: str, spec: str) -> None:
    """Add the columns of ``spec`` to table ``name`` (a NOT NULL one needs a ``default=``)."""
    with op.batch_alter_table(name) as batch:
        for column in columns(spec):
            batch.add_column(column)


def columns(spec: str) -> list[Column]:
    """The columns of ``spec``, one a non-blank line."""
    return [_column(*line.split()) for line in spec.splitlines() if line.strip()]


def _column(name: str, *words: str) -> Column:
    flags = dict(word.partition("=")[::2] for word in words)
    more: list[Any] = []
    if "ref" in flags:
        more.append(sa.ForeignKey(flags["ref"], ondelete="CASCADE" if "cascade" in flags else None))
    options: dict[str, Any] = {"primary_key": True}
    if "key" not in flags:
        options = {"nullable": "null" in flags}
    options |= {flag: True for flag in ("unique", "index") if flag in flags}
    if "default" in flags:
        value = flags["default"]
        options["server_default"] = _DEFAULTS[value]() if value in _DEFAULTS else value
    return sa.Column(name, _kind(words[0] if words else ""), *more, **options)


def _kind(word: str) -> Any:
    """The column type a spec's second word names (``key`` alone: an integer key)."""
    if word in _TYPES:
        return _TYPES[word]()
    if word.startswith("s") and word[1:].isdigit():
        return sa.String(int(word[1:]))
    if word == "key":
        return sa.Integer()
    raise ValueError(f"unknown column type {word!r}")
