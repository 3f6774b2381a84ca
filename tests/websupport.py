"""Workspaces for the web app tests: the demo issue on SQLite (a copy of the session's
demo home per test) and on a real PostgreSQL (a database cloned per test from one demo
build; skipped with the reason when no server answers on 127.0.0.1:5432)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dongtai import pipeline
from dongtai.cli import app as cli_app
from dongtai.config import Settings, load_settings
from dongtai.store import open_store
from dongtai.web.app import create_app
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines
from tests.databases import created, require_postgresql

PASSWORD = "correct-horse-battery"


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    """The URL of a new, empty database of ``kind`` ("sqlite": None, the workspace's
    own file; "postgresql": a database dropped afterwards, or skip when no server)."""
    if kind == "sqlite":
        yield None
        return
    require_postgresql()
    with created("dongtai_web") as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A PostgreSQL database holding the demo build, and the home with its files."""
    home = tmp_path_factory.mktemp("pg-demo")
    with database("postgresql") as url:
        assert url is not None
        s = load_settings(home=home, database_url=url)
        store = open_store(s.db_url)
        ingest_lines(s, store, sample_lines())
        pipeline.build(s, DEMO_DATE, store=store)
        store.engine.dispose()
        yield url.rsplit("/", 1)[1], home


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(
    request: pytest.FixtureRequest, tmp_path: Path, demo: tuple[Settings, object]
) -> Iterator[Settings]:
    """A workspace holding the demo issue, on each database kind."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        shutil.copytree(demo[0].home, home)
        yield load_settings(home=home)
        return
    template, template_home = request.getfixturevalue("pg_template")
    shutil.copytree(template_home, home)
    with created(template, template=template) as url:
        yield load_settings(home=home, database_url=url)


@pytest.fixture
def sqlite_workspace(tmp_path: Path, demo: tuple[Settings, object]) -> Settings:
    home = tmp_path / "home"
    shutil.copytree(demo[0].home, home)
    return load_settings(home=home)


def add_user(settings: Settings, name: str = "alice", role: str = "editor") -> None:
    """``dongtai users add`` as a script runs it: the password on stdin."""
    args = ["--home", str(settings.home), "users", "add", name, "--role", role]
    env = {"DONGTAI_DATABASE_URL": settings.database_url} if settings.database_url else {}
    result = CliRunner().invoke(cli_app, args, input=PASSWORD + "\n", env=env)
    assert result.exit_code == 0, result.output


def client(settings: Settings) -> TestClient:
    """A client of the app over HTTPS (so the Secure session cookie is sent back)."""
    return TestClient(create_app(settings), base_url="https://testserver")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def logged_in(settings: Settings) -> TestClient:
    add_user(settings)
    web = client(settings)
    token = csrf_of(web.get("/login").text)
    done = web.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/desk"
    return web
