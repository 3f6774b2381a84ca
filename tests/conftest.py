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


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("DONGTAI_HOME", "DONGTAI_CONFIG", "DONGTAI_WRITER", "DONGTAI_WINDOW_HOURS"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings.db_url)


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
