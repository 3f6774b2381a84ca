"""`dongtai sources check --json` against a local imitation of the audited cases: each
source is classified and advised as an operator needs (works / stale / blocked → manual /
wrong URL / needs RSSHub), storing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml

from dongtai.store import open_store
from tests.httpserver import LocalServer, static, status
from tests.test_fetch import BODY, RSS, page
from tests.test_fetch_cli import _env, cli

JS_SHELL = (
    b'<html><head><script src="/static/app.js"></script></head><body><div id="app"></div>'
    b"<noscript>Please enable JavaScript.</noscript></body></html>"
)
MALFORMED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></item></chan'


def _feed(server: LocalServer, paths: list[str], age: timedelta) -> bytes:
    when = format_datetime(datetime.now(UTC) - age, usegmt=True)
    items = "".join(
        f"<item><title>Story {n}</title><link>{server.url(p)}</link><pubDate>{when}</pubDate>"
        "<description>Short summary.</description></item>"
        for n, p in enumerate(paths)
    )
    return f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def _browsers_only(body: bytes) -> object:
    """200 to a browser User-Agent, 403 to everything else (a bot wall)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        if "Mozilla/" in request.headers.get("User-Agent", ""):
            static(body, RSS)(request)
        else:
            status(403)(request)

    return handle


CASES: dict[str, tuple[str, str]] = {  # id → (status, start of the advice)
    "works": ("ok", "works: 2 items"),
    "headlines": ("ok", "works: 1 item; headlines only, article page: HTTP 403"),
    "fallback": ("ok", "works: 2 items via rss"),
    "ua403": ("blocked", "blocked → manual: HTTP 403"),
    "wall401": ("blocked", "blocked → manual: HTTP 401"),
    "stale": ("stale", "stale: newest item 60 days old"),
    "malformed": ("malformed", "wrong URL: malformed, no item readable"),
    "robots": ("robots", "blocked → manual: disallowed by"),
    "jslisting": ("javascript", "needs RSSHub: the page is drawn by JavaScript"),
    "jsfeed": ("javascript", "needs RSSHub: the page is drawn by JavaScript"),
    "gone": ("wrong-url", "wrong URL: HTTP 404"),
    "selector": (
        "wrong-url",
        "wrong URL: selector 'ul.news a' matched no links → fix the selector",
    ),
    "hub": ("needs-rsshub", "needs RSSHub: needs an RSSHub instance"),
    "paper": ("manual", "manual: paywall"),
}


@pytest.fixture
def imitation(tmp_path: Path) -> Iterator[tuple[Path, LocalServer]]:
    s = LocalServer().start()
    for n in range(2):
        s.route(f"/art/{n}", static(page(f"Story {n}", BODY).encode(), "text/html"))
    s.route("/locked/0", status(403))
    fresh = _feed(s, ["/art/0", "/art/1"], timedelta(hours=3))
    s.route("/works.xml", static(fresh, RSS))
    s.route("/headlines.xml", static(_feed(s, ["/locked/0"], timedelta(hours=1)), RSS))
    s.route("/ua.xml", _browsers_only(fresh))  # type: ignore[arg-type]
    s.route("/wall.xml", status(401))
    s.route("/stale.xml", static(_feed(s, ["/art/0"], timedelta(days=60, hours=2)), RSS))
    s.route("/malformed.xml", static(MALFORMED, RSS))
    s.route("/private/feed.xml", static(fresh, RSS))
    s.route("/app.html", static(JS_SHELL, "text/html"))
    s.route("/gone.xml", status(404))
    s.route("/plain.html", static(page("A listing without that list", BODY).encode(), "text/html"))
    entries = [
        {"id": "works", "kind": "rss", "url": s.url("/works.xml")},
        {"id": "headlines", "kind": "rss", "url": s.url("/headlines.xml")},
        {"id": "fallback", "kind": "rss", "url": s.url("/gone.xml"),
         "fallbacks": [{"kind": "rss", "url": s.url("/works.xml")}]},
        {"id": "ua403", "kind": "rss", "url": s.url("/ua.xml")},
        {"id": "wall401", "kind": "rss", "url": s.url("/wall.xml")},
        {"id": "stale", "kind": "rss", "url": s.url("/stale.xml")},
        {"id": "malformed", "kind": "rss", "url": s.url("/malformed.xml")},
        {"id": "robots", "kind": "rss", "url": s.url("/private/feed.xml")},
        {"id": "jslisting", "kind": "html", "url": s.url("/app.html"), "selector": "ul.news a"},
        {"id": "jsfeed", "kind": "rss", "url": s.url("/app.html")},
        {"id": "gone", "kind": "rss", "url": s.url("/gone.xml")},
        {"id": "selector", "kind": "html", "url": s.url("/plain.html"), "selector": "ul.news a"},
        {"id": "hub", "kind": "rsshub", "route": "/cls/telegraph"},
        {"id": "paper", "kind": "manual", "note": "paywall; ingest by hand"},
    ]  # fmt: skip
    home = tmp_path / "home"
    home.mkdir()
    full = [{"name_en": e["id"], "name_zh": e["id"], "provenance": "test", **e} for e in entries]
    (home / "sources.yaml").write_text(yaml.safe_dump({"sources": full}), "utf-8")
    yield home, s
    s.stop()


def _no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI environment of the fetch tests, without the loopback allow-list."""
    env = {k: v for k, v in _env().items() if k != "DONGTAI_FETCH__ALLOWED_NETWORKS"}
    monkeypatch.delenv("DONGTAI_FETCH__ALLOWED_NETWORKS", raising=False)
    monkeypatch.setattr("tests.test_fetch_cli._env", lambda: env)


def test_check_classifies_each_imitated_case(
    imitation: tuple[Path, LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, server = imitation
    _no_allow_list(monkeypatch)
    code, output, _ = cli(home, monkeypatch, "sources", "check", *CASES, "--json",
                          "--allow-private-network")  # fmt: skip
    assert code == 1  # some sources do not work
    results = {r["id"]: r for r in json.loads(output)}
    got = {sid: (r["status"], r["advice"][: len(CASES[sid][1])]) for sid, r in results.items()}
    assert got == CASES
    for r in results.values():
        assert set(r) >= {"id", "status", "items", "newest_age_hours", "advice"}
    works = results["works"]
    assert works["items"] == 2 and works["article"] == "readable" and works["robots"] == "allowed"
    assert 2.5 < works["newest_age_hours"] < 4  # generous: the check runs in seconds
    assert results["robots"]["robots"] == "disallowed" and results["ua403"]["robots"] == "allowed"
    assert results["hub"]["robots"] == "" and results["gone"]["advice"].endswith("fix the URL")
    assert results["fallback"]["way"] == f"rss {server.url('/works.xml')}"
    assert [w["status"] for w in results["fallback"]["ways"]] == ["wrong-url", "ok"]
    assert results["stale"]["newest_age_hours"] > 60 * 24
    assert results["paper"]["items"] == 0 and server.count("/private/feed.xml") == 0
    user_agents = {h.headers.get("User-Agent", "") for h in server.hits}
    assert len(user_agents) == 1 and user_agents.pop().startswith("dongtai/")
    assert open_store(f"sqlite:///{home / 'dongtai.db'}").count_items() == 0


def test_check_refuses_loopback_without_the_flag_and_unknown_ids(
    imitation: tuple[Path, LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, server = imitation
    _no_allow_list(monkeypatch)
    code, output, _ = cli(home, monkeypatch, "sources", "check", "works", "--json")
    (result,) = json.loads(output)
    assert code == 1 and result["status"] == "refused" and server.hits == []
    assert result["advice"].startswith("refused: refused to connect")
    code, _, error = cli(home, monkeypatch, "sources", "check", "nope")
    assert code == 2 and "no source with id 'nope'" in error
    code, output, _ = cli(home, monkeypatch, "sources", "check", "paper")
    assert code == 0 and "manual" in output
