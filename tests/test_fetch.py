"""`dongtai fetch` against a real HTTP server on 127.0.0.1 serving feeds, pages and faults.

One fault world is fetched twice: every valid item must land exactly once, every
failure must be recorded with a clear reason, and the second run must add nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from dongtai.config import Settings
from dongtai.fetch.extract import extract_article
from dongtai.fetch.netguard import AddressPolicy
from dongtai.fetch.run import fetch_sources, fetchable
from dongtai.models import FetchRun
from dongtai.sources import load_registry
from dongtai.store import Store
from tests.httpserver import (
    LocalServer,
    huge,
    redirect,
    sequence,
    static,
    status,
    truncated,
)

RSS = "application/rss+xml"
BODY = (
    "The Semiconductor Industry Association said on Monday that global chip sales reached"
    " 57 billion dollars in March, up 18 percent from a year earlier, led by memory and"
    " logic devices for data centres. "
)
GBK_BODY = (
    "中国半导体行业协会表示，今年一季度集成电路产业销售额同比增长百分之十五，"
    "设备与材料环节增速最快。"
)


def rss(server: LocalServer, items: list[tuple[str, str, str]], full: bool = False) -> bytes:
    """An RSS 2.0 feed; items are (path, title, RFC 822 date)."""
    entries = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link><pubDate>{date}</pubDate>"
        f"<description>{(BODY * 6) if full else 'Short summary.'}</description></item>"
        for path, title, date in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{entries}</channel></rss>"
    ).encode()


def page(title: str, body: str, charset_meta: bool = True) -> str:
    meta = '<meta charset="utf-8">' if charset_meta else ""
    paragraphs = "".join(f"<p>{body} {n}</p>" for n in range(8))
    return (
        f"<html><head>{meta}<title>{title}</title></head><body><nav>Home | About</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>Contact us</footer></body></html>"
    )


DATE = "Mon, 04 May 2026 08:00:00 GMT"


def build_world(server: LocalServer, tmp: Path) -> dict[str, dict[str, str]]:
    """Routes on the server and the registry entries that point at them."""
    s = server
    sources: dict[str, dict[str, str]] = {}

    def add(sid: str, kind: str, path: str, **extra: str) -> None:
        sources[sid] = {"kind": kind, "url": path if kind == "folder" else s.url(path), **extra}

    # full-text feed with an ETag: conditional GET on the second run
    s.route("/full.xml", static(rss(s, [(f"/full/{n}", f"Full {n}", DATE) for n in range(3)],
                                    full=True), RSS, etag='"v1"'))  # fmt: skip
    add("full", "rss", "/full.xml")
    # summary-only feed: articles fetched and extracted; one of them GBK without charset
    s.route("/summary.xml", static(rss(s, [("/a/1", "Chips up", DATE),
                                           ("/a/gbk", "集成电路", DATE),
                                           ("/a/missing", "Gone", DATE)]), RSS))  # fmt: skip
    s.route("/a/1", static(page("Chips up", BODY).encode(), "text/html; charset=utf-8"))
    s.route("/a/2", static(page("Chips up again", BODY).encode(), "text/html"))
    gbk = page("集成电路产业", GBK_BODY, charset_meta=False).encode("gbk")
    s.route("/a/gbk", static(gbk, "text/html"))
    add("summary", "rss", "/summary.xml")
    # always 500; 429 once with Retry-After then fine; 429 with a long Retry-After
    s.route("/500.xml", status(500))
    add("s500", "rss", "/500.xml")
    feed429 = rss(s, [("/r/1", "Retry ok", DATE)], full=True)
    s.route("/429.xml", sequence(status(429, {"Retry-After": "1"}), static(feed429, RSS)))
    add("s429", "rss", "/429.xml")
    s.route("/429long.xml", status(429, {"Retry-After": "3600"}))
    add("s429long", "rss", "/429long.xml")
    # slower than the read timeout; truncated body; malformed XML; wrong content types
    s.route("/slow.xml", static(feed429, RSS, delay=1.5))
    add("slow", "rss", "/slow.xml")
    s.route("/truncated.xml", truncated(50_000, feed429[:200]))
    add("truncated", "rss", "/truncated.xml")
    s.route("/malformed.xml", static(b"<rss><channel><item><title>Bro", RSS))
    add("malformed", "rss", "/malformed.xml")
    s.route("/garbage.xml", static(b"\x00\x01\x02 not xml at all {", RSS))
    add("garbage", "rss", "/garbage.xml")
    wrong = rss(s, [("/w/1", "Served as PNG", DATE)], full=True)
    s.route("/wrongtype.xml", static(wrong, "image/png"))
    add("wrongtype", "rss", "/wrongtype.xml")
    s.route("/html-not-feed.xml", static(page("Not a feed", BODY).encode(), "text/html"))
    add("notfeed", "rss", "/html-not-feed.xml")
    # redirect loop, redirect to the metadata address, redirect to a private address
    s.route("/loop-a", redirect(s.url("/loop-b")))
    s.route("/loop-b", redirect(s.url("/loop-a")))
    add("loop", "rss", "/loop-a")
    s.route("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
    add("metadata", "rss", "/to-metadata")
    s.route("/to-private", redirect("http://10.255.255.1/feed.xml"))
    add("private", "rss", "/to-private")
    # a 50 MB body, cut at the limit; robots.txt disallowing a path
    s.route("/huge.xml", huge(50 * 1024 * 1024))
    add("huge", "rss", "/huge.xml")
    add("robots", "rss", "/private/feed.xml")
    # items vanish (second run serves one of three) — nothing is lost or doubled
    three = [(f"/v/{n}", f"Vanish {n}", DATE) for n in range(3)]
    s.route("/vanish.xml", sequence(static(rss(s, three, True), RSS),
                                    static(rss(s, three[:1], True), RSS),
                                    static(rss(s, three, True), RSS)))  # fmt: skip
    add("vanish", "rss", "/vanish.xml")
    # JSON Feed, news sitemap, html listing (GBK, no charset anywhere)
    jf = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
        {"id": "1", "url": s.url("/j/1"), "title": "JSON item", "content_text": BODY * 6,
         "date_published": "2026-05-04T08:00:00Z"}]}  # fmt: skip
    s.route("/feed.json", static(json.dumps(jf).encode(), "application/feed+json"))
    add("jsonfeed", "json-feed", "/feed.json")
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        f"<loc>{s.url('/a/2')}</loc><news:news><news:publication_date>2026-05-04T08:00:00Z"
        "</news:publication_date><news:title>Chips up</news:title></news:news></url></urlset>"
    )
    s.route("/sitemap.xml", static(sitemap.encode(), "application/xml"))
    add("sitemap", "sitemap", "/sitemap.xml")
    listing = (
        '<html><body><ul class="news"><li><a href="/z/1">芯片新闻</a></li></ul>'
        '<a href="/elsewhere">其他</a></body></html>'
    )
    s.route("/list.html", static(listing.encode("gbk"), "text/html"))
    s.route(
        "/z/1", static(page("芯片新闻", GBK_BODY, charset_meta=False).encode("gbk"), "text/html")
    )
    add("listing", "html", "/list.html", selector="ul.news a")
    # a local folder: item JSON Lines (one bad line) and an HTML page with a canonical URL
    folder = tmp / "drop"
    folder.mkdir()
    good = {"url": "https://drop.example/1", "title": "Dropped", "published": "2026-05-04",
            "text": BODY}  # fmt: skip
    (folder / "items.jsonl").write_text(json.dumps(good) + "\n{not json\n", "utf-8")
    canonical = '<link rel="canonical" href="https://drop.example/page">'
    html = page("Dropped page", BODY).replace("<head>", f"<head>{canonical}")
    (folder / "page.html").write_text(html, "utf-8")
    add("folder", "folder", str(folder))
    return sources


@pytest.fixture
def world(settings: Settings) -> Iterator[tuple[Settings, LocalServer]]:
    server = LocalServer().start()
    sources = build_world(server, settings.home.parent)
    settings.home.mkdir(parents=True, exist_ok=True)
    registry = [
        {"id": sid, "name_en": sid, "name_zh": sid, "language": "en", **spec}
        for sid, spec in sources.items()
    ]
    (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": registry}), "utf-8")
    fast = settings.fetch.model_copy(
        update={
            "allowed_networks": ["127.0.0.0/8"],
            "per_host_delay": 0.0,
            "per_host": 8,
            "read_timeout": 0.5,
            "connect_timeout": 0.5,
            "backoff": 0.01,
            "max_body_bytes": 1024 * 1024,
        }
    )
    yield settings.model_copy(update={"fetch": fast}), server
    server.stop()


def run(settings: Settings, store: Store) -> dict[str, FetchRun]:
    registry = load_registry(settings.home)
    ours = [s for s in fetchable(registry) if s.id in _ids(settings)]
    return {r.source: r for r in fetch_sources(settings, store, registry, ours)}


def _ids(settings: Settings) -> set[str]:
    data = yaml.safe_load((settings.home / "sources.yaml").read_text("utf-8"))
    return {s["id"] for s in data["sources"]}


EXPECTED_FAILURES = {
    "s500": "HTTP 500 (after 3 attempts)",
    "s429long": "Retry-After 3600 s, beyond the 120 s limit",
    "slow": "timed out",
    "truncated": "truncated",
    "garbage": "not a feed",
    "notfeed": "not a feed",
    "loop": "redirect loop",
    "metadata": "169.254.169.254 is a link-local / metadata address",
    "private": "10.255.255.1 is a private address",
    "huge": "1,048,576-byte limit",
    "robots": "disallowed by",
}


def test_every_valid_item_lands_once_and_every_failure_says_why(
    world: tuple[Settings, LocalServer], store: Store
) -> None:
    settings, server = world
    first = run(settings, store)
    for sid, reason in EXPECTED_FAILURES.items():
        assert first[sid].status == "failed", (sid, first[sid])
        assert reason in first[sid].error, (sid, first[sid].error)
    assert first["folder"].status == "partial", first["folder"]
    new = {sid: r.new for sid, r in first.items() if r.status != "failed"}
    assert new == {
        "full": 3, "summary": 2, "s429": 1, "malformed": 0, "wrongtype": 1, "vanish": 3,
        "jsonfeed": 1, "sitemap": 1, "listing": 1, "folder": 2,
    }  # fmt: skip
    assert first["summary"].status == "partial" and "/a/missing: HTTP 404" in first["summary"].error
    assert first["malformed"].status == "partial" and "has no link" in first["malformed"].error
    assert first["folder"].failed == 1 and "items.jsonl:2: not valid JSON" in first["folder"].error
    assert server.count("/429.xml") == 2
    assert not any(hit.path.startswith("/private/") for hit in server.hits)

    second = run(settings, store)
    assert sum(r.new for r in second.values()) == 0
    assert second["full"].status == "unchanged"
    assert server.hits[-1].headers.get("User-Agent", "").startswith("dongtai/")
    assert second["vanish"].unchanged == 1 and second["summary"].unchanged == 2
    third = run(settings, store)
    assert sum(r.new for r in third.values()) == 0 and third["vanish"].unchanged == 3
    assert store.count_items() == 15


def test_full_text_charset_and_raw_pages(world: tuple[Settings, LocalServer], store: Store) -> None:
    settings, server = world
    run(settings, store)
    items = store.items_by_url([server.url("/a/gbk"), server.url("/z/1"), server.url("/a/1")])
    assert "集成电路产业销售额同比增长" in items[server.url("/a/gbk")].text
    assert items[server.url("/a/gbk")].language == "zh"
    assert "集成电路产业销售额" in items[server.url("/z/1")].text
    assert items[server.url("/z/1")].title == "芯片新闻"
    assert "57 billion dollars" in items[server.url("/a/1")].text
    raw = store.raw_page(server.url("/a/gbk"))
    assert raw is not None
    body, content_type, final_url = raw
    again = extract_article(body, final_url, content_type)
    stored = items[server.url("/a/gbk")]
    assert again.text == (stored.raw_text or stored.text)  # stored cleaned, the raw kept


def test_health_flags_a_source_failing_for_n_runs(
    world: tuple[Settings, LocalServer], store: Store
) -> None:
    settings, _ = world
    n = settings.fetch.failing_after
    for _ in range(n):
        run(settings, store)
    flagged = {h.source: h for h in store.failing_sources(n)}
    assert set(flagged) == set(EXPECTED_FAILURES)
    assert flagged["s500"].consecutive_failures == n and "HTTP 500" in flagged["s500"].last_error
    health = store.source_health()
    assert health["full"].consecutive_failures == 0 and health["full"].last_success is not None
    history = store.fetch_history("s500")
    assert len(history) == n and all(r.status == "failed" for r in history)


def test_loopback_is_refused_without_the_allow_list(
    world: tuple[Settings, LocalServer], store: Store
) -> None:
    settings, server = world
    strict = settings.model_copy(
        update={"fetch": settings.fetch.model_copy(update={"allowed_networks": []})}
    )
    registry = load_registry(settings.home)
    (result,) = fetch_sources(strict, store, registry, [registry.sources["full"]])
    assert result.status == "failed" and "127.0.0.1 is a loopback address" in result.error
    assert server.hits == []
    (allowed,) = fetch_sources(strict, store, registry, [registry.sources["full"]], True)
    assert allowed.status == "ok" and allowed.new == 3


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_address_policy_by_default(address: str, allowed: bool) -> None:
    assert (AddressPolicy().refusal(address) is None) is allowed


def test_address_policy_private_allowed_still_refuses_metadata() -> None:
    policy = AddressPolicy.build(allow_private=True, networks=[])
    assert policy.refusal("10.1.2.3") is None and policy.refusal("127.0.0.1") is None
    assert policy.refusal("169.254.169.254") is not None
    listed = AddressPolicy.build(allow_private=False, networks=["127.0.0.0/8"])
    assert listed.refusal("127.0.0.5") is None and listed.refusal("10.0.0.1") is not None


def test_politeness_per_host_limits_and_spacing(settings: Settings, store: Store) -> None:
    server = LocalServer().start()
    try:
        for n in range(6):
            server.route(f"/p/{n}.xml", static(b"<rss/>", RSS, delay=0.1))
        sources = [
            {"id": f"p{n}", "name_en": "p", "name_zh": "p", "kind": "rss",
             "url": server.url(f"/p/{n}.xml")}
            for n in range(6)
        ]  # fmt: skip
        settings.home.mkdir(parents=True, exist_ok=True)
        (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}))
        polite = settings.fetch.model_copy(
            update={"allowed_networks": ["127.0.0.0/8"], "per_host": 1, "per_host_delay": 0.15}
        )
        registry = load_registry(settings.home)
        chosen = [registry.sources[f"p{n}"] for n in range(6)]
        fetch_sources(settings.model_copy(update={"fetch": polite}), store, registry, chosen)
    finally:
        server.stop()
    assert server.most_active == 1
    starts = [hit.at for hit in server.hits if hit.path.startswith("/p/")]
    # starts are spaced by the delay in the client; arrival jitter can shorten one gap but
    # not the span from the first arrival to the last
    assert len(starts) == 6 and starts[-1] - starts[0] >= 5 * 0.15 - 0.05
