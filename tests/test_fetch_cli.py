"""The fetch commands as an operator runs them: `sources add`, `sources`, `fetch --json`,
and a fetch killed with SIGKILL half-way that the next run completes cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.errors import DongtaiError
from dongtai.store import Store, open_store
from tests.httpserver import LocalServer, static
from tests.test_fetch import BODY, RSS, page, rss

ARTICLES = 12


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer().start()
    items = [
        (f"/art/{n}", f"Article {n}", "Mon, 04 May 2026 08:00:00 GMT") for n in range(ARTICLES)
    ]
    s.route("/feed.xml", static(rss(s, items), RSS))
    for n in range(ARTICLES):
        s.route(f"/art/{n}", static(page(f"Article {n}", BODY).encode(), "text/html", delay=0.15))
    s.route("/broken.xml", static(b"", "text/plain", delay=0))
    yield s
    s.stop()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONGTAI_")}
    env["DONGTAI_FETCH__ALLOWED_NETWORKS"] = '["127.0.0.0/8"]'
    env["DONGTAI_FETCH__PER_HOST"] = "1"
    env["DONGTAI_FETCH__PER_HOST_DELAY"] = "0"
    env["DONGTAI_FETCH__RETRIES"] = "0"
    return env


def cli(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code (2 for a DongtaiError, as ``main`` does), out, err."""
    for name, value in _env().items():
        if name.startswith("DONGTAI_"):
            monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if isinstance(result.exception, DongtaiError):
        return 2, result.stdout, str(result.exception)
    return result.exit_code, result.stdout, result.stderr


def test_sources_add_list_and_fetch_json(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    code, _, _ = cli(home, monkeypatch, "sources", "add", "local", server.url("/feed.xml"))
    assert code == 0
    cli(home, monkeypatch, "sources", "add", "broken", server.url("/broken.xml"), "--kind", "atom")
    code, _, error = cli(home, monkeypatch, "sources", "add", "local", server.url("/feed.xml"))
    assert code == 2 and "already registered" in error
    code, _, error = cli(home, monkeypatch, "sources", "add", "x", "http://a", "--kind", "gopher")
    assert code == 2 and "--kind must be one of" in error
    code, _, _ = cli(home, monkeypatch, "sources", "add", "depth", "/cls/depth/1000", "--kind",
                     "rsshub", "--language", "zh")  # fmt: skip
    assert code == 0
    code, _, error = cli(home, monkeypatch, "sources", "add", "bad", "cls", "--kind", "rsshub")
    assert code == 2 and "needs a route starting with '/'" in error

    code, output, _ = cli(home, monkeypatch, "fetch", "--source", "local", "--json")
    assert code == 0
    assert json.loads(output) == [
        {
            "id": "local",
            "status": "ok",
            "new": ARTICLES,
            "unchanged": 0,
            "failed": 0,
            "error": "",
            "way": f"rss {server.url('/feed.xml')}",
        }
    ]
    code, output, _ = cli(home, monkeypatch, "fetch", "--source", "broken", "--json")
    assert code == 1 and json.loads(output)[0]["error"].startswith("not a feed")
    code, output, _ = cli(home, monkeypatch, "sources", "list")
    assert code == 0 and "local" in output
    code, output, _ = cli(home, monkeypatch, "sources", "list", "--json")
    listed = {row["id"]: row for row in json.loads(output)}
    assert listed["broken"]["last_error"].startswith("not a feed")
    assert listed["local"]["last_way"] == f"rss {server.url('/feed.xml')}"
    assert listed["cls"]["readable"] is False and listed["cls"]["ways"] == ["rsshub /cls/telegraph"]
    assert listed["depth"]["ways"] == ["rsshub /cls/depth/1000"]
    assert listed["depth"]["provenance"].startswith("added with `dongtai sources add` on")


def _full(store: Store) -> int:
    """Items stored with their article's full text (not summary-only)."""
    items = store.items_between(datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    return sum(1 for item in items if not item.summary_only)


def test_a_killed_fetch_resumes_without_loss_or_duplicates(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    cli(home, monkeypatch, "sources", "add", "local", server.url("/feed.xml"))
    store = open_store(f"sqlite:///{home / 'dongtai.db'}")
    command = [sys.executable, "-m", "dongtai", "--home", str(home), "fetch", "--source", "local"]
    process = subprocess.Popen(
        command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while _full(store) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    full = _full(store)
    assert 3 <= full < ARTICLES, "the kill must land half-way through the articles"
    assert store.count_items() == ARTICLES  # every entry kept, the rest summary-only

    _, output, _ = cli(home, monkeypatch, "fetch", "--source", "local", "--json")
    summary = json.loads(output)[0]
    assert summary["new"] == 0 and summary["unchanged"] == ARTICLES
    assert store.count_items() == ARTICLES == _full(store)
    fetched = [hit.path for hit in server.hits if hit.path.startswith("/art/")]
    assert len(fetched) - len(set(fetched)) <= 1  # at most the page in flight at the kill
