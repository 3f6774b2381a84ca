"""The ways of reading an outlet, tried in order: feed → news sitemap → listing page with
its selector → RSSHub route (the order the registry lists them in, :meth:`Source.ways`).

Rules:
- a way is read by one GET (plus at most ``MAX_CHILD_SITEMAPS`` child sitemaps of a
  sitemap index) and parsed by its kind: feeds and RSSHub routes as feeds, sitemaps as
  (news) sitemaps, listings by their CSS selector;
- an RSSHub way's URL is its route on ``fetch.rsshub_url``; without an instance
  configured the way is skipped with the reason ``needs an RSSHub instance``;
- the first way that answers 304 (unchanged) or gives at least one entry is used;
- a way that fails (HTTP error, refused address, robots.txt, unparsable document) is
  skipped with its reason; a way that parses but gives no entry is skipped too, and used
  only when no later way gives entries (an empty but valid feed is not an error);
- when every way fails, :class:`WaysFailed` says why for each way, in order (for a
  source with one way, just why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dongtai.errors import DongtaiError, FetchError, InputError
from dongtai.fetch.feeds import Parsed, parse_feed, parse_listing, parse_sitemap
from dongtai.fetch.http import Fetcher, Response
from dongtai.models import FEED_KINDS, Source, Way

MAX_CHILD_SITEMAPS = 5
NEEDS_RSSHUB = "needs an RSSHub instance (set fetch.rsshub_url)"


class WaysFailed(FetchError):
    """No way of reading a source worked; ``tried`` holds (way label, reason) in order."""

    def __init__(self, tried: list[tuple[str, str]]) -> None:
        reason = "; ".join(f"{label}: {why}" for label, why in tried) or "no way to read it"
        if len(tried) == 1:
            reason = tried[0][1]  # the way is in the run record
        super().__init__(reason)
        self.tried = tried


@dataclass
class Reading:
    """A way that worked: the document, its entries, and the ways tried before it."""

    way: Way
    response: Response
    parsed: Parsed
    tried: list[tuple[str, str]] = field(default_factory=list)


def way_url(way: Way, rsshub_url: str) -> str:
    """The URL a way is read from; :class:`InputError` for an RSSHub way without instance."""
    if way.kind != "rsshub":
        return way.url
    if not rsshub_url:
        raise InputError(NEEDS_RSSHUB)
    return rsshub_url.rstrip("/") + way.route


async def read_way(
    fetcher: Fetcher, way: Way, rsshub_url: str, validators: tuple[str, str] = ("", "")
) -> tuple[Response, Parsed]:
    """One way read and parsed (rules in the module docstring)."""
    url = way_url(way, rsshub_url)
    response = await fetcher.get(url, etag=validators[0], last_modified=validators[1])
    return response, await parse_way(fetcher, way, response)


async def parse_way(fetcher: Fetcher, way: Way, response: Response) -> Parsed:
    """A way's document → entries (child sitemaps of a sitemap index fetched)."""
    if response.not_modified:
        return Parsed()
    if way.kind in FEED_KINDS or way.kind == "rsshub":
        return parse_feed(response.body, response.url, response.content_type)
    if way.kind == "html":
        return parse_listing(response.body, response.url, way.selector, response.content_type)
    parsed = parse_sitemap(response.body, response.url)
    for child in parsed.sitemaps[:MAX_CHILD_SITEMAPS]:
        parsed.entries.extend(parse_sitemap((await fetcher.get(child)).body, child).entries)
    return parsed


async def first_working(
    fetcher: Fetcher,
    source: Source,
    rsshub_url: str,
    validators: Callable[[Way], tuple[str, str]] = lambda way: ("", ""),
) -> Reading:
    """The first way of ``source`` that works; ``validators(way)`` gives the ETag and
    Last-Modified to send with that way (conditional GET)."""
    tried: list[tuple[str, str]] = []
    empty: Reading | None = None
    for way in source.ways():
        try:
            response, parsed = await read_way(fetcher, way, rsshub_url, validators(way))
        except DongtaiError as exc:
            tried.append((way.label(), _one_line(str(exc))))
            continue
        if response.not_modified or parsed.entries:
            return Reading(way, response, parsed, tried)
        tried.append((way.label(), parsed.warning or "no entries"))
        empty = empty or Reading(way, response, parsed, [])
    if empty is not None:
        empty.tried = tried
        return empty
    raise WaysFailed(tried)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
