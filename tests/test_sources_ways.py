"""Ways of reading an outlet: RSSHub routes served by a local stand-in, fallbacks tried in
order with the way used recorded, and the SSRF guard trusting exactly the RSSHub host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from dongtai.config import Settings
from dongtai.errors import InputError
from dongtai.fetch.netguard import AddressPolicy
from dongtai.fetch.run import fetch_sources, fetchable
from dongtai.sources import load_registry
from dongtai.store import Store
from tests.httpserver import LocalServer, static, status
from tests.test_fetch import DATE, RSS, rss

RECORDED = Path(__file__).parent / "data" / "rsshub"


def _route_file(route: str) -> Path:
    return RECORDED / (route.strip("/").replace("/", "_") + ".xml")


@pytest.fixture
def rsshub() -> Iterator[LocalServer]:
    """A stand-in RSSHub on 127.0.0.1 serving the recorded output of every shipped route."""
    server = LocalServer().start()
    for source in load_registry().sources.values():
        for way in source.ways():
            if way.kind == "rsshub":
                body = _route_file(way.route).read_bytes()
                server.route(quote(way.route), static(body, "application/xml; charset=utf-8"))
    yield server
    server.stop()


def _fast(settings: Settings, **fetch: object) -> Settings:
    update = {"per_host_delay": 0.0, "per_host": 4, "retries": 0, "full_text_below": 20, **fetch}
    return settings.model_copy(update={"fetch": settings.fetch.model_copy(update=update)})


def test_rsshub_outlets_wait_for_an_instance(settings: Settings) -> None:
    registry = load_registry()
    assert "cls" not in {s.id for s in fetchable(registry, rsshub_url="")}
    with pytest.raises(InputError, match="needs an RSSHub instance"):
        fetchable(registry, "cls", rsshub_url="")
    with pytest.raises(InputError, match="manual"):
        fetchable(registry, "reuters", rsshub_url="")
    assert "cls" in {s.id for s in fetchable(registry, rsshub_url="http://127.0.0.1:1200")}


def test_every_rsshub_backed_outlet_is_stored_through_a_local_rsshub(
    settings: Settings, store: Store, rsshub: LocalServer
) -> None:
    # no allow-list and no private-network switch: only the RSSHub host:port is trusted
    fast = _fast(settings, rsshub_url=rsshub.url(""))
    registry = load_registry()
    backed = [
        s
        for s in fetchable(registry, rsshub_url=fast.fetch.rsshub_url)
        if any(way.kind == "rsshub" for way in s.ways())
    ]
    assert len(backed) >= 21
    runs = {r.source: r for r in fetch_sources(fast, store, registry, backed)}
    for source in backed:
        run = runs[source.id]
        route = next(w.route for w in source.ways() if w.kind == "rsshub")
        assert (run.status, run.new, run.way) == ("ok", 2, f"rsshub {route}"), run
        if source.kind != "rsshub":  # its own feed first (unreachable here), then the route
            assert run.error == "" and store.fetch_history(source.id)[0].way == run.way
    stored = {item.source for item in store.items_between(*_may_2026())}
    assert stored == {s.id for s in backed}
    again = fetch_sources(fast, store, registry, backed)
    assert all(r.new == 0 and r.status in ("ok", "unchanged") for r in again)


def _may_2026() -> tuple[object, object]:
    from datetime import UTC, datetime

    return datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 31, tzinfo=UTC)


def test_the_rsshub_trust_is_that_host_and_port_only(
    settings: Settings, store: Store, rsshub: LocalServer
) -> None:
    registry = load_registry()
    cls = registry.sources["cls"]
    (refused,) = fetch_sources(
        _fast(settings, rsshub_url=rsshub.url(""), rsshub_private=False), store, registry, [cls]
    )
    assert refused.status == "failed" and "127.0.0.1 is a loopback address" in refused.error
    other = LocalServer().start()  # same address, another port: still refused
    try:
        other.route("/feed.xml", static(rss(other, [("/x", "X", DATE)], full=True), RSS))
        _workspace(settings, [{"id": "other", "kind": "rss", "url": other.url("/feed.xml")}])
        ours = load_registry(settings.home)
        trusted = _fast(settings, rsshub_url=rsshub.url(""))
        (run,) = fetch_sources(trusted, store, ours, [ours.sources["other"]])
        assert run.status == "failed" and "loopback" in run.error and other.hits == []
    finally:
        other.stop()


def _workspace(settings: Settings, entries: list[dict[str, object]]) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    full = [{"name_en": e["id"], "name_zh": e["id"], "provenance": "test", **e} for e in entries]
    (settings.home / "sources.yaml").write_text(yaml.safe_dump({"sources": full}), "utf-8")


def test_fallbacks_in_order_and_validators_kept_per_way(settings: Settings, store: Store) -> None:
    server = LocalServer().start()
    try:
        feed = rss(server, [("/a/1", "Alpha", DATE), ("/a/2", "Beta", DATE)], full=True)
        server.route("/blocked.xml", status(403))
        server.route("/empty.xml", static(rss(server, []), RSS))
        server.route("/good.xml", static(feed, RSS, etag='"g1"'))
        ways = [{"kind": "rss", "url": server.url("/empty.xml")},
                {"kind": "rss", "url": server.url("/good.xml")}]  # fmt: skip
        _workspace(settings, [{"id": "multi", "kind": "rss", "url": server.url("/blocked.xml"),
                               "fallbacks": ways}])  # fmt: skip
        fast = _fast(settings, allowed_networks=["127.0.0.0/8"])
        registry = load_registry(settings.home)
        (first,) = fetch_sources(fast, store, registry, [registry.sources["multi"]])
        assert (first.status, first.new) == ("ok", 2)
        assert first.way == f"rss {server.url('/good.xml')}"
        assert [server.count(p) for p in ("/blocked.xml", "/empty.xml", "/good.xml")] == [1, 1, 1]
        (second,) = fetch_sources(fast, store, registry, [registry.sources["multi"]])
        assert second.status == "unchanged"
        sent = [h.headers for h in server.hits if h.path in ("/blocked.xml", "/good.xml")]
        assert "If-None-Match" not in sent[-2] and sent[-1]["If-None-Match"] == '"g1"'
        server.route("/good.xml", status(404))
        (third,) = fetch_sources(fast, store, registry, [registry.sources["multi"]])
        assert third.status == "ok" and third.way == f"rss {server.url('/empty.xml')}"
        server.route("/empty.xml", status(500))
        (fourth,) = fetch_sources(fast, store, registry, [registry.sources["multi"]])
        assert fourth.status == "failed" and fourth.way == ""
        assert fourth.error.startswith(f"rss {server.url('/blocked.xml')}: HTTP 403")
        assert "HTTP 500" in fourth.error and "HTTP 404" in fourth.error
    finally:
        server.stop()


def test_trusted_rsshub_endpoint_never_opens_metadata_or_other_ports() -> None:
    policy = AddressPolicy.build(False, [], ["http://RSSHub:1200/"])
    assert policy.refusal_for("rsshub", 1200, "10.0.0.5") is None
    assert policy.refusal_for("rsshub", 1200, "127.0.0.1") is None
    assert "metadata" in (policy.refusal_for("rsshub", 1200, "169.254.169.254") or "")
    assert policy.refusal_for("rsshub", 80, "10.0.0.5") is not None
    assert policy.refusal_for("other", 1200, "10.0.0.5") is not None
    assert AddressPolicy.build(False, [], ["https://hub.example"]).trusted == {("hub.example", 443)}
