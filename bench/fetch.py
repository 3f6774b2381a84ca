"""Benchmark: `dongtai fetch` on 1,000 feeds × 20 items served locally, and extraction.

Fetch: 1,000 RSS feeds of 20 full-text items each, served by a separate process on 10
loopback addresses (127.0.0.1 … 127.0.0.10, 100 feeds each, so per-host politeness
applies as it would across 10 sites). Politeness is on: robots.txt is read per host,
at most 4 requests in flight per host and request starts to one host spaced by
0.01 s (the default 1 s would make this a measure of the delay alone: 100 feeds per
host ≥ 100 s). Every item goes through the ingest rules into a fresh SQLite store.
Baseline, same run: the simplest correct fetcher — one synchronous httpx client, one
feed after another, feedparser, no validation, no store.

Extraction: pages/s of :func:`dongtai.fetch.extract.extract_article` (decoding, text and
metadata) on the 181 AEB pages, against plain ``trafilatura.extract`` on the same pages.

Run: ``.venv/bin/python bench/fetch.py [--feeds 1000]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import resource
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import feedparser
import httpx
import trafilatura
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fetch_eval import AEB
from dongtai.config import load_settings
from dongtai.fetch.extract import extract_article
from dongtai.fetch.run import fetch_sources
from dongtai.sources import load_registry
from dongtai.store import open_store

HOSTS = 10
ITEMS = 20
PORT = 18_731
PARAGRAPH = (
    "Chipmakers reported that wafer starts rose for the third straight quarter as demand"
    " for accelerators used in data centres outpaced supply of advanced packaging. "
)


def feed(number: int, host: str) -> bytes:
    items = "".join(
        f"<item><title>Feed {number} item {i}</title><link>http://{host}:{PORT}/a/{number}/{i}"
        f"</link><pubDate>Mon, 04 May 2026 {i:02d}:00:00 GMT</pubDate><description>"
        f"{PARAGRAPH * 6} ({number}/{i})</description></item>"
        for i in range(ITEMS)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {number}</title>{items}</channel></rss>").encode()  # fmt: skip


def serve(feeds: int) -> None:
    """The server process: one threaded HTTP server per loopback address."""
    hosts = [f"127.0.0.{h + 1}" for h in range(HOSTS)]
    bodies = {(hosts[n % HOSTS], f"/feed/{n}.xml"): feed(n, hosts[n % HOSTS]) for n in range(feeds)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = self.server.server_address[0]
            body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else None
            body = body or bodies.get((str(host), self.path))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            return

    servers = [ThreadingHTTPServer((host, PORT), Handler) for host in hosts]
    threads = [Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def urls(feeds: int) -> list[str]:
    return [f"http://127.0.0.{n % HOSTS + 1}:{PORT}/feed/{n}.xml" for n in range(feeds)]


def bench_fetch(feeds: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="dongtai-bench-"))
    sources = [{"id": f"b{n}", "name_en": f"b{n}", "name_zh": f"b{n}", "kind": "rss", "url": u}
               for n, u in enumerate(urls(feeds))]  # fmt: skip
    (home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), "utf-8")
    settings = load_settings(home=home)
    polite = settings.fetch.model_copy(
        update={
            "allowed_networks": ["127.0.0.0/8"],
            "per_host": 4,
            "per_host_delay": 0.01,
            "concurrency": 32,
        }
    )
    settings = settings.model_copy(update={"fetch": polite})
    store = open_store(settings.db_url)
    registry = load_registry(home)
    chosen = [registry.sources[s["id"]] for s in sources]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    runs = fetch_sources(settings, store, registry, chosen)
    seconds = time.perf_counter() - start
    items = store.count_items()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    failed = sum(1 for r in runs if r.status == "failed")
    print(f"dongtai fetch : {feeds} feeds, {items} items stored, {failed} failed")
    print(f"  {seconds:.1f} s, {items / seconds:,.0f} items/s, {feeds / seconds:,.1f} feeds/s")
    print(f"  peak RSS {peak / 1024:.0f} MiB (before the run {rss_before / 1024:.0f} MiB)")
    start = time.perf_counter()
    second = fetch_sources(settings, store, registry, chosen)
    again = time.perf_counter() - start
    print(f"  re-run: {again:.1f} s, {sum(r.new for r in second)} new (idempotent)")

    start = time.perf_counter()
    parsed = 0
    with httpx.Client() as client:
        for url in urls(feeds):
            parsed += len(feedparser.parse(client.get(url).content).entries)
    base = time.perf_counter() - start
    print(f"baseline (sequential httpx + feedparser, no store): {parsed} entries")
    print(f"  {base:.1f} s, {parsed / base:,.0f} items/s")


def bench_extract() -> None:
    pages = [gzip.decompress(p.read_bytes()) for p in sorted((AEB / "html").glob("*.html.gz"))]
    start = time.perf_counter()
    for body in pages:
        extract_article(body, "https://example.com/article")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for body in pages:
        trafilatura.extract(body.decode("utf-8", "replace"))
    base = time.perf_counter() - start
    print(f"extraction: {len(pages)} AEB pages")
    print(f"  dongtai extract_article (decode + text + metadata): {len(pages) / ours:,.1f} pages/s")
    print(f"  baseline trafilatura.extract (text only):           {len(pages) / base:,.1f} pages/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    args = parser.parse_args()
    server = multiprocessing.Process(target=serve, args=(args.feeds,), daemon=True)
    server.start()
    try:
        _wait_for_server()
        bench_fetch(args.feeds)
    finally:
        server.terminate()
        server.join()
    if AEB.is_dir():
        bench_extract()
    else:
        print(f"extraction skipped: {AEB} not found")


def _wait_for_server() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.{HOSTS}:{PORT}/robots.txt", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("bench server did not start")


if __name__ == "__main__":
    main()
