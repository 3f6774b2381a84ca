"""`dongtai fetch` against a real HTTP server on 127.0.0.1 serving feeds, pages and faults.

One fault world is fetched twice: every valid item must land exactly once, every
failure must be recorded with a clear reason, and the second run must add nothing.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import brotli
import pytest
import yaml

from dongtai.config import Settings
from dongtai.errors import BodyTooLarge, FetchError
from dongtai.fetch.decode import BoundedDecoder
from dongtai.fetch.extract import extract_article
from dongtai.fetch.netguard import AddressPolicy
from dongtai.fetch.run import fetch_sources, fetchable
from dongtai.models import FetchRun, Item
from dongtai.sources import load_registry
from dongtai.store import Store
from tests.httpserver import (
    Drip,
    Handler,
    LocalServer,
    encoded,
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
    ours = [s for s in fetchable(registry, rsshub_url="") if s.id in _ids(settings)]
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
        "full": 3, "summary": 3, "s429": 1, "malformed": 1, "wrongtype": 1, "vanish": 3,
        "jsonfeed": 1, "sitemap": 1, "listing": 1, "folder": 2,
    }  # fmt: skip
    assert first["summary"].status == "partial" and "/a/missing: HTTP 404" in first["summary"].error
    missing = store.items_by_url([server.url("/a/missing")])[server.url("/a/missing")]
    assert missing.summary_only and missing.page_error == "HTTP 404 Not Found"
    assert missing.text == "Short summary." and missing.title == "Gone"
    assert not store.items_by_url([server.url("/a/1")])[server.url("/a/1")].summary_only
    (linkless,) = [i for i in _all_items(store) if i.source == "malformed"]
    assert linkless.url.startswith(server.url("/malformed.xml#entry-"))
    assert linkless.summary_only and linkless.page_error == "the feed gives no link"
    assert first["folder"].failed == 1 and "items.jsonl:2: not valid JSON" in first["folder"].error
    assert server.count("/429.xml") == 2
    assert not any(hit.path.startswith("/private/") for hit in server.hits)

    second = run(settings, store)
    assert sum(r.new for r in second.values()) == 0
    assert second["full"].status == "unchanged"
    assert server.hits[-1].headers.get("User-Agent", "").startswith("dongtai/")
    assert second["vanish"].unchanged == 1 and second["summary"].unchanged == 3
    assert server.count("/a/missing") == 1  # its retry waits for the back-off
    third = run(settings, store)
    assert sum(r.new for r in third.values()) == 0 and third["vanish"].unchanged == 3
    assert store.count_items() == 17


def _all_items(store: Store) -> list[Item]:
    return store.items_between(datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def test_a_summary_only_item_is_retried_with_backoff_and_upgraded_in_place(
    settings: Settings, store: Store
) -> None:
    server = LocalServer().start()
    article = page("Fabs expand", BODY).encode()
    feed = rss(server, [("/late", "Fabs expand", DATE)])
    server.route("/f.xml", static(feed, RSS, etag='"v1"'))  # a 304 from the second run on
    server.route("/late", sequence(status(403), status(503), static(article, "text/html")))
    sources = [{"id": "late", "name_en": "l", "name_zh": "l", "kind": "rss",
                "url": server.url("/f.xml")}]  # fmt: skip
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}))
    fetch = settings.fetch.model_copy(
        update={"allowed_networks": ["127.0.0.0/8"], "retries": 0, "page_retry_backoff": 0.0,
                "per_host_delay": 0.0}
    )  # fmt: skip
    s = settings.model_copy(update={"fetch": fetch})
    registry = load_registry(settings.home)
    url = server.url("/late")
    try:
        first = fetch_sources(s, store, registry, [registry.sources["late"]])
        assert first[0].new == 1 and "HTTP 403" in first[0].error
        item = store.items_by_url([url])[url]
        assert item.summary_only and item.page_error == "HTTP 403 Forbidden"
        second = fetch_sources(s, store, registry, [registry.sources["late"]])
        assert second[0].new == 0 and "HTTP 503" in second[0].error
        assert second[0].status == "unchanged"
        third = fetch_sources(s, store, registry, [registry.sources["late"]])
        assert third[0].new == 0 and third[0].status == "unchanged" and not third[0].error
    finally:
        server.stop()
    upgraded = store.items_by_url([url])[url]
    assert not upgraded.summary_only and upgraded.page_error == ""
    assert BODY.strip()[:60] in upgraded.text and store.count_items() == 1
    assert server.count("/late") == 3


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


# ------------------------------------------------------------- bombs and drips


def _gzip_bomb(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(size >> 20)), packer.flush()])


def _brotli_bomb(size: int) -> bytes:
    packer = brotli.Compressor(quality=5)
    block = b"\0" * (1 << 20)
    return b"".join([*(packer.process(block) for _ in range(size >> 20)), packer.finish()])


PEAK_RSS = """
import asyncio, resource, sys
from dongtai.config import FetchSettings
from dongtai.errors import FetchError
from dongtai.fetch.http import Fetcher

async def main() -> str:
    config = FetchSettings(allowed_networks=["127.0.0.0/8"], robots=False, retries=0)
    async with Fetcher(config) as fetcher:
        try:
            response = await fetcher.get(sys.argv[1])
        except FetchError as exc:
            return exc.reason
        return f"read {len(response.body)} bytes"

def peak_mib() -> int:
    # VmHWM belongs to this program alone; ru_maxrss would keep the peak of the forking
    # parent (Linux carries it across exec)
    try:
        status = open("/proc/self/status").read()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return int(status.split("VmHWM:")[1].split()[0]) // 1024

reason = asyncio.run(main())
print(peak_mib())
print(reason)
"""


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_decompression_bomb_is_cut_while_decoding(encoding: str) -> None:
    """1 GiB of zeros compressed (brotli: 1.6 KB): the fetch fails at the 10 MiB limit
    and the fetching process's peak RSS stays under 300 MB."""
    body = _gzip_bomb(1 << 30) if encoding == "gzip" else _brotli_bomb(1 << 30)
    server = LocalServer().start()
    server.route("/bomb.xml", encoded(body, encoding))
    try:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, server.url("/bomb.xml")],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    peak_mib, reason = done.stdout.splitlines()
    assert reason == "body exceeds the 10,485,760-byte limit (cut while decoding)", done.stderr
    assert int(peak_mib) < 300


def test_bounded_decoder_decodes_what_fits_and_refuses_what_does_not() -> None:
    text = b"<rss>" + b"chip " * 5000 + b"</rss>"
    for encoding, packed in [
        ("gzip", gzip.compress(text)),
        ("deflate", zlib.compress(text)),
        ("deflate", zlib.compress(text)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress(text)),
        ("gzip, br", brotli.compress(gzip.compress(text))),
        ("", text),
    ]:
        decoder = BoundedDecoder(encoding, len(text))
        pieces = [decoder.feed(packed[i : i + 7]) for i in range(0, len(packed), 7)]
        assert b"".join(pieces) == text, encoding
        with pytest.raises(BodyTooLarge):
            small = BoundedDecoder(encoding, len(text) - 1)
            small.feed(packed)
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        BoundedDecoder("zstd", 100)
    with pytest.raises(FetchError, match="does not decode"):
        BoundedDecoder("gzip", 100).feed(b"not gzip at all")


def _fetch_one_route(
    settings: Settings, store: Store, path: str, handler: Handler, **limits: float
) -> FetchRun:
    """Fetch a one-source registry whose feed is ``handler`` at ``path`` on a local server."""
    server = LocalServer().start()
    server.route(path, handler)
    sources = [{"id": "one", "name_en": "o", "name_zh": "o", "kind": "rss",
                "url": server.url(path)}]  # fmt: skip
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}))
    fetch = settings.fetch.model_copy(
        update={"allowed_networks": ["127.0.0.0/8"], "retries": 0, **limits}
    )
    registry = load_registry(settings.home)
    try:
        [run] = fetch_sources(
            settings.model_copy(update={"fetch": fetch}), store, registry, [registry.sources["one"]]
        )
    finally:
        server.stop()
    return run


def test_a_drip_server_is_cut_at_the_request_deadline(settings: Settings, store: Store) -> None:
    drip = Drip(every=1.0)
    run = _fetch_one_route(settings, store, "/drip.xml", drip, request_deadline=3.0)
    assert run.status == "failed"
    assert "no complete response within the 3 s deadline" in run.error
    assert drip.sent < 10  # of the 100,000 bytes it announced


def test_a_source_is_cut_at_its_deadline(settings: Settings, store: Store) -> None:
    slow = static(b"<rss/>", RSS, delay=5.0)
    run = _fetch_one_route(settings, store, "/slow.xml", slow, source_deadline=1.0)
    assert run.status == "failed" and "cut at its 1 s deadline" in run.error
