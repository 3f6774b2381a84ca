"""A fetch run: every enabled source of the registry → items in the store.

Rules:
- ``manual`` sources, sources with ``enabled: false`` and sources readable only through
  RSSHub while no instance is configured (``fetch.rsshub_url``) are not fetched; one
  source failing (any exception) never stops the others: it is recorded as ``failed``
  with a one-line reason; a source taking longer than ``source_deadline`` seconds in
  all is cut there (what it stored so far is kept);
- a source is read by the first of its ways that works (:mod:`dongtai.fetch.ways`:
  feed → news sitemap → listing → RSSHub route); the run records which (``way``), and
  when none works, why each failed;
- a way is requested with the validators stored for the source only when the last
  successful run used that same way (conditional GET); a 304 is ``unchanged``.
  Validators and health are saved only after the source's items are stored, so a run
  killed half-way loses nothing: the next run fetches the source again and skips the
  items already stored;
- an entry the document announces but that cannot be used (no link, id, title or
  text) is counted ``failed`` with the reason;
- an entry whose URL is already stored is counted ``unchanged`` and not fetched again
  (re-running is idempotent; a feed whose items vanish and reappear adds nothing);
- a feed (or RSSHub) entry whose text is shorter than ``full_text_below`` characters,
  and every entry of an html listing or sitemap, gets its article page fetched (at most
  ``max_articles`` per source and run, newest first); the raw page is kept compressed
  and the text and metadata extracted (:mod:`dongtai.fetch.extract`);
- every feed entry is kept: one that waits for its page is stored at once with its
  summary as text, marked summary-only; when the page fails (paywall, 403, time-out,
  DNS) the reason is recorded and counted ``failed``, and the page is tried again on
  later runs after ``page_retry_backoff`` seconds, doubled each time, at most
  ``page_retries`` times (retries share the ``max_articles`` budget, and happen when
  the feed itself is unchanged too); when it arrives
  the item is upgraded in place. An entry without a link is stored summary-only with
  no page to try. An html listing or sitemap entry whose page fails is not stored
  (it has no text of its own) and is tried again next run;
- an item's date is the feed's, else the page's, else the time it was first seen;
- every item passes the ingest rules (:func:`dongtai.ingest.store_lines`) exactly as a
  JSON Lines file would; a rejected entry is counted ``failed`` with the reason;
- items are stored as they arrive: feed entries per source, article items one by one;
  what they say whatever the day (:mod:`dongtai.enrich`) is computed once the sources
  are done, for the items stored or upgraded in the run, so the encoder never holds up
  the requests (a worker enriches after each task);
- a session may hand the article pages to someone else (``defer_pages``: a worker
  queues one extract-page task per page) instead of fetching them itself; a page task
  (:meth:`FetchSession.page`) does nothing when its item is stored in full already;
- a ``folder`` source is a local directory of ``*.jsonl`` (item JSON Lines; a missing
  ``source`` is filled with the source id) and ``*.html`` files (the page's canonical
  URL is the item's URL; a file without one is rejected).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dongtai.config import Settings
from dongtai.enrich import Enricher
from dongtai.errors import DongtaiError, FetchError, InputError
from dongtai.fetch.extract import Article, extract_article
from dongtai.fetch.feeds import Entry
from dongtai.fetch.http import Fetcher
from dongtai.fetch.ways import NEEDS_RSSHUB, Reading, first_working
from dongtai.ingest import Line, Stored, parse_lines, read_input, split_lines, store_lines
from dongtai.models import FEED_KINDS, FetchRun, Item, Source
from dongtai.sources import Registry
from dongtai.store import Store
from dongtai.text.embedding import embed
from dongtai.zones import zone

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_REASONS = 5


@dataclass
class _Tally:
    """What happened to one source during a run."""

    new: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: list[str] = field(default_factory=list)
    fatal: str = ""
    not_modified: bool = False
    validators: tuple[str, str] = ("", "")
    way: str = ""

    def fail(self, reason: str) -> None:
        self.failed += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)

    def add(self, stored: Stored) -> None:
        self.new += stored.new
        self.unchanged += stored.already

    def run(self, source_id: str, started: datetime) -> FetchRun:
        status = "failed" if self.fatal else "unchanged" if self.not_modified else "ok"
        if status == "ok" and self.failed:
            status = "partial"
        error = self.fatal or "; ".join(self.reasons)
        if self.failed > len(self.reasons) and not self.fatal:
            error += f" (+{self.failed - len(self.reasons)} more)"
        return FetchRun(
            source=source_id,
            status=status,
            new=self.new,
            unchanged=self.unchanged,
            failed=self.failed,
            error=error,
            started=started,
            finished=datetime.now(UTC),
            way=self.way if not self.fatal else "",
        )


def fetchable(registry: Registry, only: str | None = None, *, rsshub_url: str) -> list[Source]:
    """The sources a run fetches (rules in the module docstring), or the one asked for;
    ``rsshub_url`` is ``fetch.rsshub_url`` ("" when no RSSHub instance is configured)."""
    if only is not None:
        source = registry.sources.get(only)
        if source is None:
            raise InputError(f"no source with id {only!r} in the registry")
        if source.kind == "manual":
            raise InputError(f"source {only!r} is manual: {source.note or 'not fetched'}")
        if not source.readable(rsshub_url):
            raise InputError(f"source {only!r} {NEEDS_RSSHUB}")
        return [source]
    return [s for s in registry.sources.values() if s.enabled and s.readable(rsshub_url)]


def fetch_sources(
    settings: Settings,
    store: Store,
    registry: Registry,
    sources: Iterable[Source],
    allow_private: bool = False,
    progress: Callable[[FetchRun], None] | None = None,
) -> list[FetchRun]:
    """Fetch ``sources`` into ``store``; one :class:`FetchRun` per source, in order."""
    chosen = list(sources)
    store.save_sources(registry.sources.values())
    run = FetchSession(settings, store, registry, progress)
    runs = asyncio.run(run.all(chosen, allow_private))
    run.enrich_touched()
    return runs


def enrich_stored(store: Store, registry: Registry, urls: Sequence[str]) -> int:
    """Enrich the stored items of ``urls`` that lack a current enrichment; how many
    items were looked at."""
    items = list(store.items_by_url(urls).values())
    Enricher(registry.organisation_names(), embed).enrich(store, items)
    return len(items)


PageTask = Callable[[Source, Entry, bool], None]
"""Takes over one article page: (source, entry, whether the entry is stored summary-only)."""


class FetchSession:
    """Fetches sources into a store through one :class:`Fetcher` (its connection pool,
    robots.txt cache and per-host politeness), for one run or a worker's lifetime."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        registry: Registry,
        progress: Callable[[FetchRun], None] | None = None,
        defer_pages: PageTask | None = None,
    ) -> None:
        self.settings = settings
        self.config = settings.fetch
        self.store = store
        self.registry = registry
        self.progress = progress
        self.defer_pages = defer_pages
        self.tz = zone(settings.timezone)
        self.touched: list[str] = []  # URLs stored or upgraded, enriched after the run

    def take_touched(self) -> list[str]:
        """The URLs stored or upgraded since the last call."""
        urls, self.touched = self.touched, []
        return urls

    def enrich_touched(self) -> None:
        """Enrich the items stored or upgraded since the last call (when enabled)."""
        urls = self.take_touched()
        if self.settings.ingest.enrich and urls:
            enrich_stored(self.store, self.registry, urls)

    async def open(self, allow_private: bool) -> None:
        """Open the fetcher (for :meth:`one` and :meth:`page`); :meth:`close` closes it."""
        self._opened = AsyncExitStack()
        fetcher = Fetcher(self.config, allow_private=allow_private)
        self.fetcher = await self._opened.enter_async_context(fetcher)

    async def close(self) -> None:
        await self._opened.aclose()

    async def all(self, sources: list[Source], allow_private: bool) -> list[FetchRun]:
        await self.open(allow_private)
        try:
            return list(await asyncio.gather(*(self.one(s) for s in sources)))
        finally:
            await self.close()

    async def page(self, source: Source, entry: Entry, kept: bool) -> list[str]:
        """Fetch one entry's page (``kept``: its item is stored summary-only); nothing
        when the item is stored in full already. Why it failed, if it did."""
        if kept:
            stored = self.store.items_by_url([entry.url]).get(entry.url)
            if stored is None or not stored.summary_only:
                return []
        elif self.store.known_urls([entry.url]):
            return []
        tally = _Tally()
        await self._article(source, entry, kept, tally)
        return tally.reasons

    async def one(self, source: Source) -> FetchRun:
        started = datetime.now(UTC)
        tally = _Tally()
        deadline = self.config.source_deadline
        try:
            async with asyncio.timeout(deadline):
                if source.kind == "folder":
                    await asyncio.to_thread(self._folder, source, tally)
                else:
                    await self._remote(source, tally)
        except TimeoutError:
            tally.fatal = f"source cut at its {deadline:g} s deadline (items so far are kept)"
        except DongtaiError as exc:
            tally.fatal = _one_line(str(exc))
        except Exception as exc:  # one source never stops the others
            tally.fatal = _one_line(f"unexpected {type(exc).__name__}: {exc}")
        run = tally.run(source.id, started)
        self.store.record_fetch(run, *tally.validators)
        if self.progress is not None:
            self.progress(run)
        return run

    # remote sources ------------------------------------------------------------------

    async def _remote(self, source: Source, tally: _Tally) -> None:
        reading = await first_working(
            self.fetcher,
            source,
            self.config.rsshub_url,
            lambda way: self.store.validators(source.id, way.label()),
        )
        tally.way = reading.way.label()
        response = reading.response
        feedlike = reading.way.kind in (*FEED_KINDS, "rsshub")
        wanted = [] if response.not_modified else self._entries(source, reading, feedlike, tally)
        if feedlike:  # pages due again are tried even when the feed is a 304
            wanted = self._keep_summaries(source, wanted, tally)
        wanted.sort(key=lambda e: e.published or datetime.min.replace(tzinfo=UTC), reverse=True)
        pages = wanted[: self.config.max_articles]
        if self.defer_pages is not None:
            for entry in pages:
                self.defer_pages(source, entry, feedlike)
        else:
            await asyncio.gather(*(self._article(source, e, feedlike, tally) for e in pages))
        tally.not_modified = response.not_modified
        tally.validators = (response.etag, response.last_modified)

    def _entries(
        self, source: Source, reading: Reading, feedlike: bool, tally: _Tally
    ) -> list[Entry]:
        """Store the document's complete entries; those that need their page."""
        for reason in reading.parsed.dropped:
            tally.fail(reason)
        entries = self._fresh(reading.parsed.entries, tally)
        ready = [e for e in entries if feedlike and len(e.text) >= self.config.full_text_below]
        self._store([self._record(source, e, None) for e in ready], tally)
        stored = {e.url for e in ready}
        return [e for e in entries if e.url not in stored]

    def _keep_summaries(self, source: Source, wanted: list[Entry], tally: _Tally) -> list[Entry]:
        """Store the entries waiting for their page as summary-only items; the pages to
        fetch: theirs, then those of earlier summary-only items that are due again."""
        records = [self._record(source, e, None, "page not fetched yet") for e in wanted]
        self._store(records, tally)
        for entry in wanted:
            if not entry.linked:
                self.store.page_failed(entry.url, "the feed gives no link", 0, retries=0)
        linked = [e for e in wanted if e.linked]
        room = self.config.max_articles - len(linked)
        if room <= 0:
            return linked
        due = self.store.pending_pages(source.id, room + len(linked))
        fresh = {e.url for e in linked}
        return linked + [_entry(item) for item in due if item.url not in fresh][:room]

    def _fresh(self, entries: list[Entry], tally: _Tally) -> list[Entry]:
        unique = list({e.url: e for e in entries}.values())
        known = self.store.known_urls(e.url for e in unique)
        tally.unchanged += len(known)
        return [e for e in unique if e.url not in known]

    async def _article(self, source: Source, entry: Entry, kept: bool, tally: _Tally) -> None:
        """Fetch an entry's page; ``kept``: the entry is stored summary-only already."""
        try:
            response = await self.fetcher.get(entry.url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            tally.fail(f"{entry.url}: {exc.reason}")
            if kept:
                c = self.config
                self.store.page_failed(entry.url, exc.reason, c.page_retry_backoff, c.page_retries)
            return
        self.store.save_raw_page(
            entry.url, source.id, response.url, response.content_type, response.body
        )
        article = await asyncio.to_thread(
            extract_article, response.body, response.url, response.content_type
        )
        record = self._record(source, entry, article)
        if kept:
            self._upgrade(record, tally)
        else:
            self._store([record], tally)

    def _upgrade(self, record: dict[str, Any], tally: _Tally) -> None:
        s = self.settings
        line = json.dumps(record, ensure_ascii=False)
        parsed = parse_lines([line], self.registry, self.tz, s.default_weight, s.ingest)
        for error in parsed.errors:
            tally.fail(f"{record['url']}: {error.reason}")
        for item in parsed.items:
            self.store.upgrade_item(item)
            self.touched.append(item.url)

    def _record(
        self, source: Source, entry: Entry, article: Article | None, waiting: str = ""
    ) -> dict[str, Any]:
        text = entry.text or entry.summary or entry.title
        if article is not None and len(article.text) > len(text):
            text = article.text
        published = entry.published or (article.published if article else None)
        record: dict[str, Any] = {
            "url": entry.url,
            "source": source.id,
            "title": entry.title or (article.title if article else ""),
            "published": (published or datetime.now(UTC)).isoformat(),
            "text": text,
            "authors": list(entry.authors or (article.authors if article else ())),
        }
        if entry.summary and entry.summary != text:
            record["summary"] = entry.summary
        if article is not None and article.language:
            record["language"] = article.language
        if waiting:
            record["summary_only"] = True
            record["page_error"] = waiting if entry.linked else "the feed gives no link"
        return record

    def _store(self, records: list[dict[str, Any]], tally: _Tally) -> None:
        if not records:
            return
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        stored = self._store_lines(lines, enrich=False)
        self.touched.extend(str(r["url"]) for r in records)
        for error in stored.errors:
            tally.fail(f"{records[error.line - 1]['url']}: {error.reason}")
        tally.add(stored)

    def _store_lines(self, lines: Sequence[Line], enrich: bool = True) -> Stored:
        s = self.settings
        limits = s.ingest.model_copy(update={"enrich": s.ingest.enrich and enrich})
        return store_lines(self.store, lines, self.registry, self.tz, s.default_weight, limits)

    # local folders -----------------------------------------------------------------------

    def _folder(self, source: Source, tally: _Tally) -> None:
        folder = Path(source.url.removeprefix("file://")).expanduser()
        if not folder.is_dir():
            raise InputError(f"folder {folder} does not exist")
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() == ".jsonl":
                self._jsonl(source, path, tally)
            elif path.suffix.lower() in (".html", ".htm"):
                self._html_file(source, path, tally)

    def _jsonl(self, source: Source, path: Path, tally: _Tally) -> None:
        try:
            data = read_input(path, self.settings.ingest.max_file_bytes)
        except InputError as exc:
            tally.fail(f"{path.name}: {exc}")
            return
        lines = [_with_source(line, source.id) for line in split_lines(data)]
        stored = self._store_lines(lines)
        for error in stored.errors:
            tally.fail(f"{path.name}:{error.line}: {error.reason}")
        tally.add(stored)

    def _html_file(self, source: Source, path: Path, tally: _Tally) -> None:
        try:
            body = path.read_bytes()
        except OSError as exc:
            tally.fail(f"{path.name}: cannot read: {exc}")
            return
        article = extract_article(body, "", same_site_only=False)
        if not article.url:
            tally.fail(f"{path.name}: no canonical URL in the page")
            return
        if article.url in self.store.known_urls([article.url]):
            tally.unchanged += 1
            return
        entry = Entry(url=article.url, title=article.title)
        self._store([self._record(source, entry, article)], tally)


def _entry(item: Item) -> Entry:
    """A stored summary-only item as the entry whose page to try again."""
    return Entry(
        url=item.url,
        title=item.title,
        published=item.published,
        text=item.text,
        summary=item.summary,
        authors=item.authors,
    )


def _with_source(line: bytes, source_id: str) -> bytes | str:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return line
    if isinstance(record, dict) and "source" not in record:
        record["source"] = source_id
        return json.dumps(record, ensure_ascii=False)
    return line


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
