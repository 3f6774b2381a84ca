"""Columns as the Alembic migrations (``migrations/versions``) declare them.

Rules: a column is NOT NULL unless it says ``nullable``; times carry their zone; a
column added to a table that may hold rows gets a server default so those rows fill
it. A released migration must build the same schema for ever, so a helper here is
only ever added, never changed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

Column = sa.Column[Any]


def key(name: str, kind: Any = None, *more: Any) -> Column:
    """A primary-key column (an integer unless ``kind`` says otherwise)."""
    return sa.Column(name, sa.Integer() if kind is None else kind, *more, primary_key=True)


def col(name: str, kind: Any, *more: Any, **options: Any) -> Column:
    """A NOT NULL column; ``more`` are its foreign keys, ``options`` e.g. ``unique``."""
    return sa.Column(name, kind, *more, nullable=False, **options)


def stamp(name: str, nullable: bool = False) -> Column:
    """A time with its zone."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def added(name: str, kind: Any, default: Any) -> Column:
    """A NOT NULL column added to a table whose rows take ``default``."""
    return sa.Column(name, kind, nullable=False, server_default=default)
