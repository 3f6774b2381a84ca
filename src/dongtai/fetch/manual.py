"""Items an editor brings in by hand, for outlets no fetch can read (bot walls, paywalls,
manual sources): one article by URL, a saved HTML page, or a pasted text.

Rules:
- ``add_url`` fetches the page with the fetch run's client (User-Agent, robots.txt,
  SSRF guard), keeps the raw page, and extracts text, title, date and canonical URL as a
  fetch run does (:mod:`dongtai.fetch.extract`);
- a saved HTML page is extracted the same way; its URL is ``--url`` when given, else the
  page's canonical URL (a page with neither is refused);
- a pasted text needs its URL (the item's identity, cited in the reference list), title,
  date and outlet; nothing is guessed;
- the outlet is ``source`` (registry id or any alias; an unknown name is kept as an
  unknown outlet, as ingest does), else the registered outlet whose home page or URL is
  on the same host, else the host name itself;
- the date is the one given, else the page's, else now; the item passes the ingest rules
  (:func:`dongtai.ingest.store_lines`), so it shows up like any fetched item and adding it
  twice stores it once. A page without article text is refused with the reason.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dongtai.config import Settings
from dongtai.errors import InputError
from dongtai.fetch.extract import Article, extract_article
from dongtai.fetch.http import Fetcher
from dongtai.ingest import store_lines
from dongtai.sources import Registry
from dongtai.store import Store
from dongtai.zones import zone

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Added:
    """What adding one item did: its URL, outlet and title, and whether it was new."""

    url: str
    source: str
    title: str
    new: bool


def add_url(
    settings: Settings,
    store: Store,
    registry: Registry,
    url: str,
    source: str | None = None,
    allow_private: bool = False,
) -> Added:
    """Fetch one article page and store it as an item (rules in the module docstring)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise InputError(f"not an http(s) URL: {url[:80]!r}")
    body, final_url, content_type = asyncio.run(_get(settings, url, allow_private))
    outlet = source or source_for_url(registry, final_url)
    store.save_raw_page(url, outlet, final_url, content_type, body)
    article = extract_article(body, final_url, content_type)
    return _store(settings, store, registry, article, outlet, None)


async def _get(settings: Settings, url: str, allow_private: bool) -> tuple[bytes, str, str]:
    async with Fetcher(settings.fetch, allow_private=allow_private) as fetcher:
        response = await fetcher.get(url, accept=PAGE_ACCEPT)
    return response.body, response.url, response.content_type


def add_html_file(
    settings: Settings,
    store: Store,
    registry: Registry,
    path: Path,
    source: str | None = None,
    url: str = "",
    published: date | None = None,
) -> Added:
    """A saved HTML page → one item (its URL: ``url``, else the page's canonical URL)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    article = extract_article(body, url, same_site_only=bool(url))
    if not article.url:
        raise InputError(f"{path}: no canonical URL in the page; give it with --url")
    outlet = source or source_for_url(registry, article.url)
    return _store(settings, store, registry, article, outlet, published)


def add_text(
    settings: Settings,
    store: Store,
    registry: Registry,
    text: str,
    source: str,
    title: str,
    published: date | datetime,
    url: str,
) -> Added:
    """A pasted text → one item; every field is the editor's."""
    article = Article(url=url, text=text.strip(), title=title.strip())
    return _store(settings, store, registry, article, source, published)


def source_for_url(registry: Registry, url: str) -> str:
    """The registered outlet on the same host as ``url``, else the host name."""
    host = _host(url)
    for candidate in registry.sources.values():
        if host and host in {_host(candidate.homepage), _host(candidate.url)}:
            return candidate.id
    return host or url


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _store(
    settings: Settings,
    store: Store,
    registry: Registry,
    article: Article,
    source: str,
    published: date | datetime | None,
) -> Added:
    if not article.text:
        raise InputError(f"no article text found at {article.url or 'the page'}")
    when = published or article.published or datetime.now(UTC)
    record: dict[str, Any] = {
        "url": article.url,
        "source": source,
        "title": article.title,
        "published": when.isoformat(),
        "text": article.text,
        "authors": list(article.authors),
    }
    if article.language:
        record["language"] = article.language
    line = json.dumps(record, ensure_ascii=False)
    stored = store_lines(store, [line], registry, zone(settings.timezone), settings.default_weight)
    if stored.errors:
        raise InputError(f"the item was refused: {stored.errors[0].reason}")
    outlet = registry.resolve(source, settings.default_weight).id
    return Added(url=article.url, source=outlet, title=article.title, new=stored.new == 1)
