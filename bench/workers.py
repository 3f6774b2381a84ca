"""Benchmark: fetching 5,000 local feeds with 1, 2 and 4 workers, against the in-process
fetch in the same run, and a worker killed with SIGKILL during a run of 1,000 feeds.

The feeds are bench/fetch.py's (20 full-text items each, on 10 loopback addresses, same
politeness: robots.txt read, 4 requests in flight per host, starts spaced by 0.01 s, 32
in flight in all — per process, so n workers may have n times as many in flight). Every
run stores into a fresh PostgreSQL database on 127.0.0.1:5432 (SQLite in the workspace
when no server answers). The workers (``dongtai worker --threads 8``, RabbitMQ at
``DONGTAI_BROKER_URL`` or 127.0.0.1:5672, a queue of their own) are started before the
clock starts, as long-running workers are; the clock runs from the first task queued
by ``fetch --queue``'s library call to the last item stored. Baseline: ``fetch`` in
one process (``fetch_sources``), same feeds, same kind of database. Enrichment is off
(``ingest.enrich = false``) in both: this measures fetching; the encoder's share (the
``enrich_items`` tasks, or ingest) is measured by ``bench/scale.py``.

Kill test: 2 workers fetch 1,000 feeds; once a third of the items are stored, one is
killed with SIGKILL and a new one started. Then: items stored = items served, no URL
stored twice, none missing.

Run: ``nice .venv/bin/python bench/workers.py [--feeds 5000] [--kill-feeds 1000]``.
:func:`measure_workers` returns the printed rows (for bench/scale.py). Asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.databases import admin, created

from bench.fetch import HOSTS, ITEMS, PORT, _wait_for_server, serve, urls
from dongtai.config import load_settings
from dongtai.fetch.run import fetch_sources
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from dongtai.workers import connect, enqueue_fetch

BROKER = os.environ.get("DONGTAI_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672")
THREADS = 8
POLITE = """[fetch]
allowed_networks = ["127.0.0.0/8"]
per_host = 4
per_host_delay = 0.01
concurrency = 32

[ingest]
enrich = false
"""


def workspace(feeds: int) -> Path:
    """A home with ``feeds`` registered feeds and bench/fetch.py's politeness."""
    home = Path(tempfile.mkdtemp(prefix="dongtai-bench-workers-"))
    sources = [{"id": f"b{n}", "name_en": f"b{n}", "name_zh": f"b{n}", "kind": "rss", "url": u}
               for n, u in enumerate(urls(feeds))]  # fmt: skip
    (home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")
    (home / "dongtai.toml").write_text(POLITE, "utf-8")
    return home


def served(feeds: int) -> set[str]:
    """The URL of every item the feeds serve (bench/fetch.py's ``feed``)."""
    return {f"http://127.0.0.{n % HOSTS + 1}:{PORT}/a/{n}/{i}"
            for n in range(feeds) for i in range(ITEMS)}  # fmt: skip


@contextmanager
def database() -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards), or "" (SQLite in the workspace)
    when no server answers."""
    engine = admin()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        yield ""
        return
    finally:
        engine.dispose()
    with created("dongtai_bench") as url:
        yield url


def in_process(feeds: int) -> tuple[float, int]:
    """Seconds and items stored by ``fetch`` in this process."""
    home = workspace(feeds)
    with database() as url:
        settings = load_settings(home=home, database_url=url or None)
        store = open_store(settings.db_url)
        registry = load_registry(home)
        chosen = [registry.sources[f"b{n}"] for n in range(feeds)]
        start = time.perf_counter()
        fetch_sources(settings, store, registry, chosen)
        seconds = time.perf_counter() - start
        items = store.count_items()
        store.engine.dispose()
    return seconds, items


class Pool:
    """``dongtai worker`` processes on one queue of their own, for one workspace."""

    def __init__(self, home: Path, database_url: str) -> None:
        self.queue = f"dongtai_bench_{secrets.token_hex(4)}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DONGTAI_")}
        self.env |= {"DONGTAI_HOME": str(home), "DONGTAI_BROKER_URL": BROKER,
                     "DONGTAI_BROKER_QUEUE": self.queue}  # fmt: skip
        if database_url:
            self.env["DONGTAI_DATABASE_URL"] = database_url
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int = 1) -> None:
        command = [sys.executable, "-m", "dongtai", "worker", "--threads", str(THREADS)]
        for _ in range(count):
            self.processes.append(
                subprocess.Popen(command, env=self.env, stderr=subprocess.DEVNULL)
            )

    def kill_one(self) -> None:
        victim = self.processes.pop(0)
        victim.send_signal(signal.SIGKILL)
        victim.wait()

    def close(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=120)
        broker = connect(BROKER)
        for suffix in ("", ".DQ", ".XQ"):
            broker.channel.queue_delete(f"{self.queue}{suffix}")
        broker.close()


def with_workers(
    feeds: int, workers: int, kill_at: float | None = None
) -> tuple[float, dict[str, int]]:
    """Seconds to fetch ``feeds`` with ``workers`` processes; what the store holds:
    items, distinct URLs, served URLs missing, URLs not served."""
    home = workspace(feeds)
    expected = served(feeds)
    with database() as url:
        settings = load_settings(home=home, database_url=url or None)
        store = open_store(settings.db_url)
        pool = Pool(home, url)
        pool.start(workers)
        time.sleep(5)  # workers connected, as long-running workers are
        start = time.perf_counter()
        try:
            queued = load_settings(home=home, database_url=url or None, broker_url=BROKER,
                                   broker_queue=pool.queue)  # fmt: skip
            enqueue_fetch(queued, [f"b{n}" for n in range(feeds)], False)
            killed = kill_at is None
            deadline = time.monotonic() + 60 + feeds
            while (count := store.count_items()) < len(expected) and time.monotonic() < deadline:
                if not killed and count >= kill_at * len(expected):  # type: ignore[operator]
                    pool.kill_one()
                    pool.start(1)
                    killed = True
                time.sleep(0.25)
            seconds = time.perf_counter() - start
        finally:
            pool.close()
        census = _census(store, expected)
        store.engine.dispose()
    return seconds, census


def _census(store: Store, expected: set[str]) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = [url for (url,) in conn.execute(text("SELECT url FROM items"))]
    stored = set(rows)
    return {"items": len(rows), "distinct": len(stored), "missing": len(expected - stored),
            "unexpected": len(stored - expected)}  # fmt: skip


def measure_workers(feeds: int = 5000, kill_feeds: int = 1000) -> list[str]:
    """The benchmark's printed rows (starts and stops its own feed server)."""
    server = multiprocessing.Process(target=serve, args=(max(feeds, kill_feeds),), daemon=True)
    server.start()
    rows = []
    try:
        _wait_for_server()
        seconds, items = in_process(feeds)
        base = items / seconds
        rows.append(f"in process (baseline): {feeds} feeds, {items} items in {seconds:.1f} s,"
                    f" {base:,.0f} items/s")  # fmt: skip
        for workers in (1, 2, 4):
            seconds, c = with_workers(feeds, workers)
            rate = c["distinct"] / seconds
            rows.append(f"{workers} worker(s): {c['distinct']} items in {seconds:.1f} s,"
                        f" {rate:,.0f} items/s ({rate / base:.2f}x the baseline),"
                        f" {c['items'] - c['distinct']} duplicates,"
                        f" {c['missing']} missing")  # fmt: skip
        seconds, c = with_workers(kill_feeds, 2, kill_at=1 / 3)
        rows.append(f"SIGKILL of 1 of 2 workers at 1/3 of {kill_feeds} feeds, a new one started:"
                    f" {len(served(kill_feeds))} items served, {c['items']} stored,"
                    f" {c['items'] - c['distinct']} duplicates, {c['missing']} missing"
                    f" ({seconds:.1f} s)")  # fmt: skip
    finally:
        server.terminate()
        server.join()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--kill-feeds", type=int, default=1000)
    args = parser.parse_args()
    for row in measure_workers(args.feeds, args.kill_feeds):
        print(row, flush=True)


if __name__ == "__main__":
    main()
