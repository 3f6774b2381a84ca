"""Items brought in by hand for outlets no fetch can read: `add-url` against a local
server, a saved HTML page and a pasted text through `ingest`; all stored like fetched items."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dongtai.fetch.manual import source_for_url
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from tests.httpserver import LocalServer, static, status
from tests.test_fetch import BODY, page
from tests.test_fetch_cli import cli

CHIPS = "Chip sales rose again"


def _store(home: Path) -> Store:
    return open_store(f"sqlite:///{home / 'dongtai.db'}")


def _items(home: Path) -> dict[str, tuple[str, str, str]]:
    start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    shanghai = ZoneInfo("Asia/Shanghai")  # a plain date is midnight there
    return {i.url: (i.source, i.title, i.published.astimezone(shanghai).date().isoformat())
            for i in _store(home).items_between(start, end)}  # fmt: skip


def test_add_url_fetches_extracts_and_stores_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LocalServer().start()
    try:
        html = page(CHIPS, BODY).replace(
            "<head>", '<head><meta property="article:published_time" content="2026-05-04">'
        )
        server.route("/story", static(html.encode(), "text/html"))
        server.route("/walled", status(403))
        server.route("/private/story", static(html.encode(), "text/html"))
        home = tmp_path / "home"
        url = server.url("/story")
        code, output, _ = cli(home, monkeypatch, "add-url", url, "--source", "Reuters", "--json")
        assert code == 0
        assert json.loads(output) == {"url": url, "source": "reuters", "title": CHIPS, "new": True}
        assert _items(home) == {url: ("reuters", CHIPS, "2026-05-04")}
        assert _store(home).raw_page(url) is not None
        code, output, _ = cli(home, monkeypatch, "add-url", url, "--source", "reuters")
        assert code == 0 and output.startswith("already stored: reuters")
        code, _, error = cli(home, monkeypatch, "add-url", server.url("/walled"))
        assert code == 2 and "HTTP 403" in error
        code, _, error = cli(home, monkeypatch, "add-url", server.url("/private/story"))
        assert code == 2 and "robots.txt" in error
        assert len(_items(home)) == 1
    finally:
        server.stop()


def test_outlet_by_host() -> None:
    registry = load_registry()
    assert source_for_url(registry, "https://www.reuters.com/technology/x") == "reuters"
    assert source_for_url(registry, "https://semiengineering.com/a-story/") == "semiengineering"
    assert source_for_url(registry, "https://news.example.org/a") == "news.example.org"


def test_ingest_a_saved_page_and_a_pasted_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    canonical = '<link rel="canonical" href="https://www.semiconductors.org/news/sales-rise/">'
    saved = tmp_path / "saved.html"
    saved.write_text(page(CHIPS, BODY).replace("<head>", f"<head>{canonical}"), "utf-8")
    code, output, _ = cli(home, monkeypatch, "ingest", str(saved), "--published", "2026-05-05")
    assert code == 0 and output.startswith("stored: sia")
    bare = tmp_path / "bare.html"
    bare.write_text(page("No address", BODY), "utf-8")
    code, _, error = cli(home, monkeypatch, "ingest", str(bare))
    assert code == 2 and "no canonical URL" in error

    pasted = tmp_path / "pasted.txt"
    pasted.write_text("SEMI said fab equipment spending would grow next year. " * 5, "utf-8")
    code, _, error = cli(home, monkeypatch, "ingest", "--text-file", str(pasted), "--source",
                         "semi", "--title", "Fab spending")  # fmt: skip
    assert code == 2 and "needs --published, --url" in error
    text_url = "https://www.semi.org/en/news/fab-spending"
    args = ["--source", "SEMI", "--title", "Fab spending", "--published", "2026-05-04",
            "--url", text_url]  # fmt: skip
    code, output, _ = cli(home, monkeypatch, "ingest", "--text-file", str(pasted), *args)
    assert code == 0 and output.startswith("stored: semi")
    code, output, _ = cli(home, monkeypatch, "ingest", "--text-file", str(pasted), *args)
    assert output.startswith("already stored")
    assert _items(home) == {
        "https://www.semiconductors.org/news/sales-rise/": ("sia", CHIPS, "2026-05-05"),
        text_url: ("semi", "Fab spending", "2026-05-04"),
    }
