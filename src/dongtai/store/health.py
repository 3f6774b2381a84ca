"""Sources' fetch health for commands that must answer at once (``dongtai sources list``).

A SQLite workspace database already at the newest migration is read with the standard
library's ``sqlite3`` (no SQLAlchemy, no ORM); any other database — PostgreSQL, an
older schema, none yet — is opened as the store, which creates or migrates it first.
Both ways give the same records as :meth:`dongtai.store.db.Store.source_health`.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from dongtai.models import SourceHealth
from dongtai.store import head_revision
from dongtai.store.convert import record

_COLUMNS = ("source_id", "last_attempt", "last_success", "consecutive_failures",
            "last_status", "last_error", "last_way")  # fmt: skip
_TIMES = ("last_attempt", "last_success")
BUSY_TIMEOUT_S = 60.0


def source_health(db_url: str) -> dict[str, SourceHealth]:
    """Fetch health of every source fetched at least once, by source id."""
    path = _sqlite_file(db_url)
    found = _read(path) if path is not None else None
    if found is not None:
        return found
    from dongtai.store import open_store

    return open_store(db_url).source_health()


def _sqlite_file(db_url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL that exists, else None."""
    if not db_url.startswith("sqlite:///") or "?" in db_url:
        return None
    path = Path(db_url.removeprefix("sqlite:///"))
    return path if path.is_file() else None


def _read(path: Path) -> dict[str, SourceHealth] | None:
    """The health rows of a database at the newest revision; None when it is not."""
    try:
        uri = f"{path.resolve().as_uri()}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)) as db:
            version = db.execute("SELECT version_num FROM alembic_version").fetchone()
            if version is None or version[0] != head_revision():
                return None
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM fetch_state").fetchall()
    except sqlite3.Error:
        return None
    return {row[0]: _health(dict(zip(_COLUMNS, row, strict=True))) for row in rows}


def _health(columns: dict[str, Any]) -> SourceHealth:
    for name in _TIMES:
        if columns[name] is not None:
            columns[name] = datetime.fromisoformat(columns[name])
    return record(SourceHealth, SimpleNamespace(**columns), source="source_id")
