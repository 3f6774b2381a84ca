"""Workers on the real RabbitMQ (127.0.0.1:5672): `fetch --queue` fills the queue, a
worker killed with SIGKILL mid-run is restarted, and the store ends with every served
item exactly once, pages included. Skipped, with the reason, when no broker answers."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import yaml
from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.config import Settings, load_settings
from dongtai.enrich import Enricher
from dongtai.errors import BrokerError
from dongtai.sources import load_registry
from dongtai.store import Store
from dongtai.text.embedding import embed
from dongtai.workers import connect, enqueue_brief, enqueue_fetch, tasks
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines
from tests.httpserver import LocalServer, static
from tests.test_fetch import BODY, RSS, page, rss

BROKER = os.environ.get("DONGTAI_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672")
FEEDS = 50
PER_FEED = 4
DATE = "Mon, 04 May 2026 08:00:00 GMT"


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of its own on the broker (deleted afterwards, with Dramatiq's delay and
    dead-letter queues)."""

    try:
        broker = connect(BROKER)
    except BrokerError as exc:
        pytest.skip(f"RabbitMQ not reachable: {exc}")
    name = f"dongtai_test_{secrets.token_hex(4)}"
    yield name
    for suffix in ("", ".DQ", ".XQ"):
        broker.channel.queue_delete(f"{name}{suffix}")
    broker.close()


@pytest.fixture
def feeds() -> Iterator[LocalServer]:
    """``FEEDS`` feeds of ``PER_FEED`` short entries each; feeds and pages answer slowly."""
    server = LocalServer().start()
    for f in range(FEEDS):
        items = [(f"/a/{f}/{i}", f"Feed {f} story {i}", DATE) for i in range(PER_FEED)]
        server.route(f"/feed/{f}.xml", static(rss(server, items), RSS, delay=0.1))
        for path, title, _ in items:
            server.route(path, static(page(title, BODY).encode(), "text/html", delay=0.05))
    yield server
    server.stop()


def _env(settings: Settings, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONGTAI_")}
    env |= {
        "DONGTAI_HOME": str(settings.home),
        "DONGTAI_BROKER_URL": BROKER,
        "DONGTAI_BROKER_QUEUE": queue,
        "DONGTAI_FETCH__ALLOWED_NETWORKS": '["127.0.0.0/8"]',
        "DONGTAI_FETCH__PER_HOST": "4",
        "DONGTAI_FETCH__PER_HOST_DELAY": "0",
        "DONGTAI_FETCH__RETRIES": "0",
    }
    if settings.database_url:
        env["DONGTAI_DATABASE_URL"] = settings.database_url
    return env


@dataclass
class World:
    """Feeds, a queue of its own, a workspace and its store; the environment of the
    workers (set in this process too)."""

    feeds: LocalServer
    settings: Settings
    store: Store
    env: dict[str, str]


@pytest.fixture
def world(
    feeds: LocalServer,
    queue: str,
    settings: Settings,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    env = _env(settings, queue)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return World(feeds, settings, store, env)


def _register(settings: Settings, feeds: LocalServer, count: int) -> list[dict[str, str]]:
    """The workspace registry: the first ``count`` feeds."""
    sources = [{"id": f"f{f}", "name_en": f"F{f}", "name_zh": f"F{f}", "kind": "rss",
                "url": feeds.url(f"/feed/{f}.xml")} for f in range(count)]  # fmt: skip
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")
    return sources


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "dongtai", "worker", "--threads", "4"]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE)


def _full_items(store: Store, urls: list[str]) -> set[str]:
    """Those of ``urls`` stored with their page."""
    return {url for url, item in store.items_by_url(urls).items() if not item.summary_only}


def _enriched(store: Store, settings: Settings, urls: list[str]) -> set[str]:
    """Those of ``urls`` whose stored enrichment is of their current content (the page,
    once it is stored)."""
    enricher = Enricher(load_registry(settings.home).organisation_names(), embed)
    rows = store.enrichment(urls)
    return {
        url
        for url, item in store.items_by_url(urls).items()
        if url in rows and rows[url]["digest"] == enricher.digest(item)
    }


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(world: World) -> None:
    feeds, env, settings, store = world.feeds, world.env, world.settings, world.store
    sources = _register(settings, feeds, FEEDS)
    served = [feeds.url(f"/a/{f}/{i}") for f in range(FEEDS) for i in range(PER_FEED)]
    done = CliRunner().invoke(app, ["fetch", "--queue", "--source", "f0"])
    assert done.exit_code == 0 and "1 source(s) queued" in done.stdout, done.output
    assert enqueue_fetch(load_settings(), [s["id"] for s in sources[1:]], False) == FEEDS - 1

    first = _worker(env)
    try:
        assert _wait(lambda: store.count_items() >= 10 * PER_FEED, 60), "the worker stored nothing"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = store.count_items(), len(_full_items(store, served))
    assert at_kill[0] < len(served), f"all feeds were read before the kill: {at_kill}"
    assert at_kill[1] < len(served), f"all pages were read before the kill: {at_kill}"

    second = _worker(env)
    try:
        finished = _wait(lambda: len(_full_items(store, served)) == len(served), 120)
    finally:
        second.send_signal(signal.SIGTERM)
        _, log = second.communicate(timeout=60)
    assert finished, log.decode()[-2000:]
    assert second.returncode == 0, log.decode()[-2000:]
    assert set(store.items_by_url(served)) == set(served)
    assert store.count_items() == len(served)  # no duplicate, nothing else
    assert all(feeds.count(f"/feed/{f}.xml") >= 1 for f in range(FEEDS))


def test_a_missing_or_unreachable_broker_is_one_clear_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DONGTAI_HOME", str(settings.home))
    monkeypatch.delenv("DONGTAI_BROKER_URL", raising=False)
    done = CliRunner().invoke(app, ["brief", "--date", "2026-05-06", "--queue"])
    assert isinstance(done.exception, BrokerError)
    assert "set DONGTAI_BROKER_URL" in str(done.exception)
    monkeypatch.setenv("DONGTAI_BROKER_URL", "amqp://guest:secret@127.0.0.1:1")
    done = CliRunner().invoke(app, ["fetch", "--queue"])
    assert isinstance(done.exception, BrokerError)
    message = str(done.exception)
    assert "unreachable" in message and "secret" not in message and "\n" not in message


def test_a_worker_fetches_pages_and_builds_the_queued_issue(world: World) -> None:
    """In process (a worker thread): fetch-source, the extract-page tasks it queues, a
    task for an unknown source (dropped), and brief-day on the sample corpus."""
    feeds, settings, store = world.feeds, world.settings, world.store
    ingest_lines(settings, store, sample_lines())
    _register(settings, feeds, 3)
    queued = load_settings(home=settings.home)
    assert enqueue_fetch(queued, ["f0", "gone", "f1", "f2"], False) == 4
    enqueue_brief(queued, DEMO_DATE)
    served = [feeds.url(f"/a/{f}/{i}") for f in range(3) for i in range(PER_FEED)]
    stop = threading.Event()
    worker = threading.Thread(target=tasks.run, args=(queued, 4, stop))
    worker.start()
    try:
        assert _wait(lambda: len(_full_items(store, served)) == len(served), 120)
        assert _wait(lambda: _enriched(store, settings, served) == set(served), 120)
        assert _wait(lambda: store.load_briefing(DEMO_DATE) is not None, 240)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive()
    assert all(feeds.count(urlsplit(url).path) == 1 for url in served)  # each page once
    assert (settings.home / "briefings" / str(DEMO_DATE) / "briefing.md").is_file()
