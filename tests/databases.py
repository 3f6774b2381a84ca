"""Fresh PostgreSQL databases for tests: created on the server at 127.0.0.1:5432 (trust
auth), dropped afterwards; a test that needs one is skipped, with the reason, when no
server answers. Each is cloned from a template migrated once per test session."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from dongtai.store import open_store

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
_template: list[str] = []


def admin() -> Engine:
    return create_engine(
        f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def require_postgresql() -> None:
    """Skip the calling test when no PostgreSQL answers on 127.0.0.1:5432."""
    engine = admin()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({exc.__class__.__name__})")
    finally:
        engine.dispose()


@contextmanager
def created(prefix: str, template: str = "template1") -> Iterator[str]:
    """The URL of a new database (a copy of ``template``), dropped on leaving."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = admin()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def migrated_template() -> str:
    """A database at the newest migration, made once per session, to clone tests from."""
    if not _template:
        name = f"dongtai_tmpl_{secrets.token_hex(4)}"
        engine = admin()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        open_store(f"{PG_SERVER}/{name}").engine.dispose()
        _template.append(name)
    return _template[0]


def drop_template() -> None:
    if _template:
        engine = admin()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_template.pop()}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def fresh_store_url() -> Iterator[str]:
    """A new database at the newest migration (skips the test without a server)."""
    require_postgresql()
    with created("dongtai_test", migrated_template()) as url:
        yield url
