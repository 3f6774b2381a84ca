"""Schema upgrades: the Alembic migrations, applied once, one process at a time.

Alembic is loaded only when the database is behind the newest migration, whose revision
is the number its file name starts with. Processes opening a new database at once
migrate one after the other: a lock file beside a SQLite database (POSIX), an advisory
lock on PostgreSQL; after taking the lock the revision is read again, so the second
process finds the work done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect, text

from dongtai.store import MIGRATIONS, head_revision

MIGRATION_LOCK_ID = 7_301_913  # PostgreSQL advisory lock held while migrating


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if version is None else str(version)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest migration, one process at a time."""
    if _revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine):
        if _revision(engine) == head_revision():  # another process migrated meanwhile
            return
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One migrating process at a time: a lock file beside a SQLite database (POSIX),
    an advisory lock on PostgreSQL; other databases migrate unguarded."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
            try:
                yield
            finally:
                connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        database = None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
