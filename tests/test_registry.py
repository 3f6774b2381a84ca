"""The shipped registry validates (every entry says how it is read, in which language,
by which names, and where its URL came from) and the registry rules refuse bad entries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dongtai.errors import ConfigError
from dongtai.sources import load_registry

FEED = ("rss", "atom", "json-feed")


def test_every_shipped_entry_is_complete() -> None:
    registry = load_registry()
    assert len(registry.sources) >= 64
    for source in registry.sources.values():
        where = f"source {source.id}"
        assert source.name_en and source.name_zh, where
        assert source.language in ("en", "zh", "ja"), where
        assert source.provenance, f"{where}: no provenance"
        assert source.last_seen is None or date(2020, 1, 1) <= source.last_seen <= date.today()
        if source.kind == "manual":
            assert source.note, f"{where}: a manual source says why"
            continue
        for way in source.ways():
            assert way.route.startswith("/") if way.kind == "rsshub" else way.url, where
            assert way.kind != "html" or way.selector, where
        labels = [way.label() for way in source.ways()]
        assert len(labels) == len(set(labels)), f"{where}: a way listed twice"


def test_the_audit_corrections_are_in_the_shipped_registry() -> None:
    s = load_registry().sources
    assert (s["itif"].kind, s["itif"].url) == ("rss", "https://itif.org/feed/")
    assert s["36kr"].url == "https://www.36kr.com/feed"
    assert [w.label() for w in s["36kr"].ways()][1] == "rsshub /36kr/newsflashes"
    assert (s["apnews"].kind, s["apnews"].url) == (
        "sitemap",
        "https://apnews.com/news-sitemap-content.xml",
    )
    assert s["guancha"].kind == "html" and s["guancha"].selector
    for blocked in ("sia", "semi", "eenews-europe", "semiengineering", "reuters", "nikkei-asia"):
        assert s[blocked].kind == "manual", blocked
    for feed in ("trendforce", "lightreading", "c114", "people"):
        assert s[feed].kind in FEED, feed
    assert s["eetimes"].name_zh != "电子工程专辑" and s["eet-china"].name_zh == "电子工程专辑"
    assert s["nikkei"].language == "ja"
    for outlet, route in [("cls", "/cls/telegraph"), ("miit", "/gov/miit/zcjd"),
                          ("yicai", "/yicai/latest")]:  # fmt: skip
        assert (s[outlet].kind, s[outlet].route) == ("rsshub", route)
    assert not s["jiwei"].enabled  # robots.txt disallows its only feed


def _workspace(tmp_path: Path, entry: str) -> Path:
    (tmp_path / "sources.yaml").write_text(
        f"sources:\n  - {{id: x, name_en: X, name_zh: X, provenance: test, {entry}}}\n", "utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("kind: rsshub", "rsshub way needs a route"),
        ("kind: rsshub, route: cls/telegraph", "rsshub way needs a route"),
        ("kind: html, url: 'http://a.example/'", "needs a selector"),
        ("kind: rss", "rss way needs a url"),
        ("kind: rss, url: 'http://a.example/', fallbacks: [{kind: sitemap}]", "needs a url"),
        ("kind: gopher, url: 'http://a.example/'", "kind"),
        ("kind: manual, language: fr", "language"),
        ("kind: manual, last_seen: yesterday", "last_seen"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_registry(_workspace(tmp_path, entry))


def test_kind_none_of_older_workspaces_reads_as_manual(tmp_path: Path) -> None:
    source = load_registry(_workspace(tmp_path, "kind: none")).sources["x"]
    assert source.kind == "manual" and source.ways() == ()


WAY_IN = {"rss": "feed", "atom": "feed", "json-feed": "feed", "sitemap": "news sitemap",
          "html": "listing", "rsshub": "RSSHub"}  # fmt: skip


def test_the_operator_page_lists_every_outlet_with_its_way_in() -> None:
    page = (Path(__file__).parents[1] / "docs" / "sources.md").read_text("utf-8")
    table = page.split("## The outlets", 1)[1]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| `")]
    listed = {row[0].strip("| `"): row[3] for row in rows}
    registry = load_registry().sources
    assert set(listed) == set(registry)
    for sid, source in registry.items():
        way_in = " → ".join(WAY_IN[way.kind] for way in source.ways()) or "manual"
        if not source.enabled:
            way_in += " (disabled)"
        assert listed[sid] == way_in, sid
