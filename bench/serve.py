"""Benchmark: the web app (``dongtai serve``) on the demo workspace plus 365 archive days.

The archive days are the demo briefing with its date shifted back one day at a time
(the same text, stored as verified builds), so the store and the search index hold 366
issues. The server runs as ``dongtai serve`` in its own process on 127.0.0.1; this
process is the client. Printed:

* the time to build the search index of 366 issues (jieba + FTS5) when the app starts;
* the first issue page (the threads of 366 issues are found) and the first organisation
  page (the figure series of 366 issues are gathered), once each;
* median and p95 latency of sequential requests: the latest issue page, an archive
  issue page, the archive list, a search ("硅片", matching every day), an organisation
  page with its charts, a thread page (SEMI's section on 366 days), and a paragraph
  saved at the desk (re-verified by the gate before the revision is stored); the
  stylesheet served by the same server is the baseline (the framework's floor);
* requests/s of a bounded load generator (a fixed number of requests, a fixed number
  in flight) on the latest issue page and on the stylesheet;
* the goals: issue page p95 ≤ 50 ms, search p95 ≤ 100 ms, re-verification ≤ 300 ms.

Run: ``.venv/bin/python bench/serve.py [--repeat 100] [--load 2000] [--concurrency 8]``.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines

from dongtai import pipeline
from dongtai.config import load_settings
from dongtai.newsroom import Newsroom, search
from dongtai.newsroom.accounts import add_user
from dongtai.store import open_store

ARCHIVE_DAYS = 365
PASSWORD = "bench-password-1"
SEMI = "/sections/2/subsections/1/paragraphs/0/text"


def build_workspace(home: Path) -> None:
    """The demo issue, then 365 earlier days carrying the same briefing."""
    settings = load_settings(home=home)
    store = open_store(settings.db_url)
    ingest_lines(settings, store, sample_lines())
    result = pipeline.build(settings, DEMO_DATE, store=store)
    cited = {ref.n: ref.url for ref in result.briefing.references}
    for back in range(1, ARCHIVE_DAYS + 1):
        shifted = result.briefing.model_copy(update={"date": DEMO_DATE - timedelta(days=back)})
        store.save_briefing(shifted, result.status, "extractive", cited)
    newsroom = Newsroom(settings, store)
    add_user(newsroom.desk, "bench", "editor", PASSWORD)
    started = time.perf_counter()
    changed = search.sync(newsroom.desk)
    print(
        f"search index: {changed} issues segmented and indexed in "
        f"{time.perf_counter() - started:.1f} s"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "dongtai", "--home", str(home), "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/static/site.css", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def timed(call: object, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code < 400, response.status_code
    return times


def line(name: str, times: list[float], goal: float | None = None) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    verdict = ""
    if goal is not None:
        verdict = f"  goal p95 ≤ {goal:.0f} ms: {'met' if p95 <= goal else 'NOT met'}"
    print(f"{name:<34} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms{verdict}")


def once(name: str, call: object) -> None:
    print(f"{name:<52} {timed(call, 1)[0]:7.0f} ms (once)")


def log_in(client: httpx.Client) -> str:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf": token.group(1)})
    desk = client.get(f"/desk/{DEMO_DATE.isoformat()}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', desk)
    assert csrf
    return csrf.group(1)


def latencies(base: str, repeat: int) -> None:
    day = DEMO_DATE.isoformat()
    old = (DEMO_DATE - timedelta(days=200)).isoformat()
    thread = f"/threads/{(DEMO_DATE - timedelta(days=ARCHIVE_DAYS)).isoformat()}-sec-5"
    with httpx.Client(base_url=base, timeout=120) as client:
        once("first issue page / (threads of 366 issues)", lambda: client.get("/"))
        client.get(f"/issues/{old}")  # first render of each page is cached by issue signature
        once("first organisation page /orgs/SEMI (figure series)", lambda: client.get("/orgs/SEMI"))
        line("baseline: /static/site.css", timed(lambda: client.get("/static/site.css"), repeat))
        line("latest issue page /", timed(lambda: client.get("/"), repeat), 50)
        line(
            f"archive issue /issues/{old}", timed(lambda: client.get(f"/issues/{old}"), repeat), 50
        )
        line("archive list /issues", timed(lambda: client.get("/issues"), repeat))
        line("search /search?q=硅片", timed(lambda: client.get("/search?q=硅片"), repeat), 100)
        line(
            "search /search?q=ITIF 报告",
            timed(lambda: client.get("/search?q=ITIF 报告"), repeat),
            100,
        )
        line(
            "organisation page /orgs/SEMI (charts)", timed(lambda: client.get("/orgs/SEMI"), repeat)
        )
        line(f"thread page {thread}", timed(lambda: client.get(thread), repeat))
        csrf = log_in(client)
        text = re.search(
            r'aria-label="' + re.escape(SEMI) + r'">([^<]+)</textarea>',
            client.get(f"/desk/{day}").text,
        )
        assert text
        original = text.group(1).replace("&#34;", '"').replace("&#39;", "'")
        variants = [original.replace("33.02", "35.02"), original]
        count = iter(range(10**6))

        def save() -> httpx.Response:
            body = variants[next(count) % 2]
            return client.post(
                f"/desk/{day}/edit", data={"pointer": SEMI, "text": body, "csrf": csrf}
            )

        line("save + re-verify (POST edit)", timed(save, max(10, repeat // 4)), 300)


async def load(base: str, path: str, total: int, concurrency: int) -> float:
    queue = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in queue:
            response = await client.get(path)
            assert response.status_code == 200

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--load", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dongtai-bench-serve-"))
    try:
        build_workspace(home)
        port = free_port()
        server = start_server(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            latencies(base, args.repeat)
            for path in ("/static/site.css", "/"):
                rate = asyncio.run(load(base, path, args.load, args.concurrency))
                print(
                    f"load {path:<16} {args.load} requests, {args.concurrency} in flight: "
                    f"{rate:7.1f} requests/s (one server process; client on the same 2 cores)"
                )
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
