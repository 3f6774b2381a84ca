"""Shared fixtures: a workspace per test, the bundled sample corpus, a built demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from importlib import resources
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from dongtai import pipeline, plugins
from dongtai.config import Settings, load_settings
from dongtai.ingest import Stored, store_lines
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from dongtai.zones import zone
from tests.databases import drop_template, fresh_store_url

pytest_plugins = ["tests.websupport"]  # web app workspaces (SQLite and PostgreSQL)

DEMO_DATE = date(2026, 5, 6)
SAMPLE = resources.files("dongtai").joinpath("data/sample/sample-2026-05-06.jsonl")
Demo = tuple[Settings, pipeline.Result]  # settings of a workspace and the issue built in it
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def sample_lines() -> list[str]:
    return SAMPLE.read_text("utf-8").splitlines()


def sample_records() -> list[dict[str, object]]:
    return [json.loads(line) for line in sample_lines() if line.strip()]


def ingest_lines(settings: Settings, store: Store, lines: list[str]) -> Stored:
    registry = load_registry(settings.home)
    return store_lines(store, lines, registry, zone(settings.timezone), 0.4)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database a test's store uses: "" (SQLite in the workspace) or the URL of a fresh
    PostgreSQL database (skipped with the reason when no server answers)."""
    if request.param == "sqlite":
        yield ""
        return
    with fresh_store_url() as url:
        yield url


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings of a fresh workspace; a test that uses the store runs on each database
    kind (``database``), and the command line it runs in process uses the same one."""
    names = ("DONGTAI_HOME", "DONGTAI_CONFIG", "DONGTAI_WRITER", "DONGTAI_WINDOW_HOURS")
    for name in (*names, "DONGTAI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    url = request.getfixturevalue("database") if "database" in request.fixturenames else ""
    if url:
        monkeypatch.setenv("DONGTAI_DATABASE_URL", url)
    return load_settings(home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings, database: str) -> Iterator[Store]:
    opened = open_store(settings.db_url)
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgresql_template() -> Iterator[None]:
    yield
    drop_template()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo issue, built once per test session through the library."""
    home = tmp_path_factory.mktemp("demo")
    s = load_settings(home=home)
    store = open_store(s.db_url)
    ingest_lines(s, store, sample_lines())
    yield s, pipeline.build(s, DEMO_DATE, store=store)


@pytest.fixture
def tampering_writer(monkeypatch: pytest.MonkeyPatch) -> str:
    """Registers ``tests.plugins_for_tests:TamperingWriter`` as the writer ``tampering``,
    through the entry-point lookup a third-party plugin would use."""
    writers = dict(plugins.available(plugins.WRITERS))
    writers["tampering"] = EntryPoint(
        name="tampering", value="tests.plugins_for_tests:TamperingWriter", group=plugins.WRITERS
    )
    original = plugins.available
    monkeypatch.setattr(
        plugins, "available", lambda group: writers if group == plugins.WRITERS else original(group)
    )
    return "tampering"
