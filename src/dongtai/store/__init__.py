"""The store: sources, items, stage outputs, stories and briefings in one database.

SQLite file in the workspace by default; any SQLAlchemy URL (PostgreSQL) works. The
schema is brought up to date by the Alembic migrations when the store opens, one
process at a time (:mod:`dongtai.store.upgrade`). Items are identified by URL: adding
an item that is already stored changes nothing (an insert that ignores conflicts, so
concurrent ingests of overlapping files are safe), so ingesting a file twice is
harmless. A summary-only item (its article page failed) carries when to try the page
again, with doubling back-off, and is upgraded in place when the page arrives. Times
are stored in UTC. Workers in several processes or machines may write at once: items
insert ignoring conflicts, and replacing a date's stories or briefing takes that date's
lock (PostgreSQL), so concurrent writers neither duplicate nor lose rows.

Importing this package is cheap: :class:`Store` and :func:`open_store` (SQLAlchemy)
load on first use, so commands that never open the store start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dongtai.store.db import Store, open_store

MIGRATIONS = Path(__file__).parent / "migrations"

__all__ = ["MIGRATIONS", "Store", "head_revision", "open_store"]


def head_revision() -> str:
    """The newest migration's revision: the number its file name starts with."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def __getattr__(name: str) -> Any:
    if name in ("Store", "open_store"):
        from dongtai.store import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
