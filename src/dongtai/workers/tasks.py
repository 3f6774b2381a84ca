"""The worker (``dongtai worker``): takes tasks from the queue and runs them with the
library, one Dramatiq worker of ``threads`` threads per process.

Rules:
- each task calls the library as the single-process path does: ``fetch_source`` is one
  source of :mod:`dongtai.fetch.run` (its article pages queued as ``extract_page`` tasks,
  so pages spread over the workers), ``brief_day`` is :func:`dongtai.pipeline.build`;
- what a fetch task stored is enriched by an ``enrich_items`` task it queues with the
  URLs (when ``ingest.enrich``), so the network-bound tasks never wait for the encoder;
  enriching is idempotent (a current enrichment is kept), and an item whose task was
  lost is enriched by the first ``brief`` that needs it;
- a process keeps one store, one fetch session per network policy (its connection pool,
  robots.txt cache and per-host politeness shared by every task of the process, on one
  event loop thread) and the registry, read again when the workspace file changes;
- a task that names a source the registry no longer has (or cannot fetch) is dropped
  with a warning, not retried; any other exception, or running past its time limit (a
  minute past the fetch deadlines; two hours for an issue), is retried (Dramatiq's
  back-off) and then dead-lettered;
- SIGTERM or SIGINT stops the worker after the tasks in hand (unacknowledged messages
  go back to the queue).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from dongtai.config import Settings
from dongtai.errors import InputError
from dongtai.fetch.feeds import Entry
from dongtai.fetch.run import FetchSession, enrich_stored, fetchable
from dongtai.models import Source
from dongtai.sources import WORKSPACE_REGISTRY, Registry, load_registry
from dongtai.store import open_store
from dongtai.workers import connect, enqueue

T = TypeVar("T")
ENRICH_SECONDS = 600.0  # one task enriches one fetch task's items: seconds of encoding
log = logging.getLogger("dongtai.worker")


class Worker:
    """What the tasks of one worker process share, and the tasks themselves."""

    def __init__(self, settings: Settings, broker: Any) -> None:
        self.settings = settings
        self.broker = broker
        self.store = open_store(settings.db_url)
        self._registry: Registry | None = None
        self._stamp: float | None = None
        self._lock = threading.Lock()
        self._enriching = threading.Lock()
        self._sessions: dict[bool, FetchSession] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    # the tasks ---------------------------------------------------------------------------
    def fetch_source(self, source_id: str, allow_private: bool) -> None:
        source = self._source(source_id)
        if source is not None:
            session = self._session(allow_private)
            run = self._await(session.one(source))
            self._queue_enrichment(session)
            log.info("%s: %s, %d new", run.source, run.status, run.new)

    def extract_page(
        self, source_id: str, entry: dict[str, Any], kept: bool, private: bool
    ) -> None:
        source = self._source(source_id)
        if source is not None:
            session = self._session(private)
            for reason in self._await(session.page(source, _entry(entry), kept)):
                log.info("%s: %s", source_id, reason)
            self._queue_enrichment(session)

    def enrich_items(self, urls: list[str]) -> None:
        with self._enriching:  # one encoder at a time: the worker's threads share it
            stored = enrich_stored(self.store, self.registry(), urls)
        log.info("enriched %d item(s)", stored)

    def brief_day(self, day: str) -> None:
        from dongtai import pipeline

        result = pipeline.build(self.settings, date.fromisoformat(day), store=self.store)
        log.info("%s: briefing %s", day, result.status)

    # what they share -----------------------------------------------------------------------
    def registry(self) -> Registry:
        """The registry, read again (and its sources saved) when its file changed."""
        path = Path(self.settings.home) / WORKSPACE_REGISTRY
        stamp = path.stat().st_mtime if path.is_file() else None
        with self._lock:
            if self._registry is None or stamp != self._stamp:
                self._registry = load_registry(self.settings.home)
                self._stamp = stamp
                self.store.save_sources(self._registry.sources.values())
                for session in self._sessions.values():
                    session.registry = self._registry
            return self._registry

    def _source(self, source_id: str) -> Source | None:
        try:
            return fetchable(self.registry(), source_id, rsshub_url=self.settings.fetch.rsshub_url)[
                0
            ]
        except InputError as exc:
            log.warning("task dropped: %s", exc)
            return None

    def _session(self, allow_private: bool) -> FetchSession:
        registry = self.registry()
        with self._lock:
            session = self._sessions.get(allow_private)
            if session is None:
                session = FetchSession(self.settings, self.store, registry,
                                       defer_pages=self._defer(allow_private))  # fmt: skip
                self._await(_enter(session, allow_private))
                self._sessions[allow_private] = session
            return session

    def _queue_enrichment(self, session: FetchSession) -> None:
        """Queue the enrichment of what the task stored (before it is acknowledged)."""
        urls = session.take_touched()
        if self.settings.ingest.enrich and urls:
            enqueue(self.broker, self.settings.broker_queue, "enrich_items", urls)

    def _defer(self, allow_private: bool) -> Any:
        def page_task(source: Source, entry: Entry, kept: bool) -> None:
            enqueue(
                self.broker,
                self.settings.broker_queue,
                "extract_page",
                source.id,
                _plain(entry),
                kept,
                allow_private,
            )

        return page_task

    def _await(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def close(self) -> None:
        for session in self._sessions.values():
            self._await(session.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self.store.engine.dispose()


async def _enter(session: FetchSession, allow_private: bool) -> None:
    await session.open(allow_private)


def run(
    settings: Settings,
    threads: int,
    stop: threading.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Take tasks until SIGTERM or SIGINT, or until ``stop`` is set when given (rules
    in the module docstring); ``ready`` is called once the broker answered."""
    import dramatiq

    broker = connect(settings.broker_url)
    if ready is not None:
        ready()
    worker = Worker(settings, broker)
    for name, seconds in _time_limits(settings).items():
        declare = dramatiq.actor(actor_name=name, queue_name=settings.broker_queue,
                                 broker=broker, time_limit=int(seconds * 1000))  # fmt: skip
        declare(getattr(worker, name))
    if stop is None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    consumer = dramatiq.Worker(broker, worker_threads=threads)
    consumer.start()
    try:
        stop.wait()
    finally:
        consumer.stop()
        worker.close()
        broker.close()


def _time_limits(settings: Settings) -> dict[str, float]:
    """Seconds each task (:data:`dongtai.workers.TASKS`) may run before it is
    interrupted and retried: a minute past the fetch deadlines, two hours for an issue."""
    return {
        "fetch_source": settings.fetch.source_deadline + 60,
        "extract_page": settings.fetch.request_deadline + 60,
        "enrich_items": ENRICH_SECONDS,
        "brief_day": 2 * 3600.0,
    }


def _plain(entry: Entry) -> dict[str, Any]:
    plain = asdict(entry)
    plain["published"] = entry.published.isoformat() if entry.published else None
    return plain


def _entry(plain: dict[str, Any]) -> Entry:
    published = plain.get("published")
    return Entry(**{**plain, "published": datetime.fromisoformat(published) if published else None,
                    "authors": tuple(plain.get("authors") or ())})  # fmt: skip
