"""``dongtai sources check``: which sources work, and what to do about those that do not.

Each source's ways are read as a fetch run reads them (:mod:`dongtai.fetch.ways`: same
polite client, real User-Agent, robots.txt obeyed), once, storing nothing. Rules:
- a ``manual`` source is not fetched: status ``manual``, its note as advice;
- ways are tried in order and the first that works is reported (as a fetch would use
  it); when none works, the first way's failure is reported, with the others' in
  ``ways``;
- a way's status: ``ok`` (items found), ``stale`` (newest item older than
  ``stale_days``), ``blocked`` (HTTP 401/403/451: a bot wall or a paywall),
  ``robots`` (robots.txt disallows it), ``wrong-url`` (HTTP 404/410, or a listing whose
  selector matches nothing), ``malformed`` (the document is not a feed/sitemap we can
  read), ``javascript`` (an HTML page whose content is drawn by scripts: a listing or
  "feed" that only a browser, or RSSHub, can read), ``empty`` (a valid document without
  items), ``needs-rsshub`` (an RSSHub route while ``fetch.rsshub_url`` is unset),
  ``refused`` (the SSRF guard refused the address), ``unreachable`` (network errors,
  time-outs, 5xx after the retries);
- one article page (of the newest item) is fetched and extracted: ``article`` says
  whether its text could be read (``readable``) or why not;
- ``robots`` is the robots.txt verdict for the way reported: ``allowed``,
  ``disallowed``, ``unavailable``, ``not checked`` (``fetch.robots`` off), or "" when
  the request never reached the point of asking (no RSSHub instance, refused address,
  network error);
- ``advice`` is one line starting with the verdict: works / stale / blocked → manual /
  wrong URL / needs RSSHub / unreachable / manual.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.html

from dongtai.config import FetchSettings
from dongtai.errors import DongtaiError, FetchError, InputError, RobotsDisallowed
from dongtai.fetch.charset import decode
from dongtai.fetch.extract import extract_article
from dongtai.fetch.feeds import Parsed
from dongtai.fetch.http import Fetcher, Response
from dongtai.fetch.ways import NEEDS_RSSHUB, parse_way, way_url
from dongtai.models import Source, Way

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
READABLE_CHARS = 200
SCRIPT_PAGE_TEXT = 200
WORKING = ("ok", "stale")
_HTTP = re.compile(r"^HTTP (\d{3})")
_JS = "the page is drawn by JavaScript: no links without a browser"


@dataclass
class WayCheck:
    """What reading one way gave."""

    way: str
    status: str
    items: int = 0
    newest_age_hours: float | None = None
    robots: str = ""
    article: str = ""
    error: str = ""


@dataclass
class SourceCheck:
    """One source's verdict (the JSON object ``sources check --json`` prints)."""

    id: str
    status: str
    items: int
    newest_age_hours: float | None
    advice: str
    way: str = ""
    robots: str = ""
    article: str = ""
    ways: list[WayCheck] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_sources(
    config: FetchSettings,
    sources: Iterable[Source],
    allow_private: bool = False,
    stale_days: float = 14.0,
) -> list[SourceCheck]:
    """Check ``sources`` (rules in the module docstring), one verdict each, in order."""
    return asyncio.run(_check_all(config, list(sources), allow_private, stale_days))


async def _check_all(
    config: FetchSettings, sources: list[Source], allow_private: bool, stale_days: float
) -> list[SourceCheck]:
    async with Fetcher(config, allow_private=allow_private) as fetcher:
        checker = _Checker(fetcher, config, stale_days)
        return list(await asyncio.gather(*(checker.source(s) for s in sources)))


class _Checker:
    def __init__(self, fetcher: Fetcher, config: FetchSettings, stale_days: float) -> None:
        self.fetcher = fetcher
        self.config = config
        self.stale_hours = stale_days * 24

    async def source(self, source: Source) -> SourceCheck:
        if source.kind == "manual":
            return SourceCheck(
                source.id, "manual", 0, None, f"manual: {source.note or 'no way in'}"
            )
        if source.kind == "folder":
            return SourceCheck(source.id, "ok", 0, None, "works: a local folder (not checked)")
        checks: list[WayCheck] = []
        for way in source.ways():
            checks.append(await self.way(way))
            if checks[-1].status in WORKING:
                break
        chosen = checks[-1] if checks[-1].status in WORKING else checks[0]
        return SourceCheck(
            id=source.id,
            status=chosen.status,
            items=chosen.items,
            newest_age_hours=chosen.newest_age_hours,
            advice=_advice(chosen, checks, self.stale_hours),
            way=chosen.way,
            robots=chosen.robots,
            article=chosen.article,
            ways=checks,
        )

    async def way(self, way: Way) -> WayCheck:
        check = WayCheck(way=way.label(), status="")
        try:
            response = await self.fetcher.get(way_url(way, self.config.rsshub_url))
        except InputError as exc:
            check.status, check.error = ("needs-rsshub", str(exc))
            return check
        except RobotsDisallowed as exc:
            check.status, check.robots, check.error = "robots", "disallowed", exc.reason
            return check
        except FetchError as exc:
            check.status, check.error = _fetch_failure(exc)
            if "robots.txt unavailable" in exc.reason:
                check.robots = "unavailable"
            elif _HTTP.match(exc.reason):  # the server answered: robots.txt let us ask
                check.robots = self._robots_default()
            return check
        check.robots = self._robots_default()
        try:
            parsed = await parse_way(self.fetcher, way, response)
        except DongtaiError as exc:
            status = "javascript" if _script_page(response) else "malformed"
            check.status, check.error = status, _JS if status == "javascript" else str(exc)
            return check
        await self._judge(check, way, response, parsed)
        return check

    def _robots_default(self) -> str:
        return "allowed" if self.config.robots else "not checked"

    async def _judge(self, check: WayCheck, way: Way, response: Response, parsed: Parsed) -> None:
        check.items = len(parsed.entries)
        dates = [e.published for e in parsed.entries if e.published is not None]
        if dates:
            age = (datetime.now(UTC) - max(dates)).total_seconds() / 3600
            check.newest_age_hours = round(max(age, 0.0), 1)
        if not parsed.entries:
            check.status, check.error = _no_items(way, response, parsed)
            return
        check.error = parsed.warning
        stale = check.newest_age_hours is not None and check.newest_age_hours > self.stale_hours
        check.status = "stale" if stale else "ok"
        newest = max(parsed.entries, key=lambda e: e.published or datetime.min.replace(tzinfo=UTC))
        check.article = await self._article(newest.url)

    async def _article(self, url: str) -> str:
        try:
            response = await self.fetcher.get(url, accept=PAGE_ACCEPT)
        except RobotsDisallowed:
            return "disallowed by robots.txt"
        except DongtaiError as exc:
            return str(exc)
        article = await asyncio.to_thread(
            extract_article, response.body, response.url, response.content_type
        )
        return "readable" if len(article.text) >= READABLE_CHARS else "no article text found"


def _fetch_failure(exc: FetchError) -> tuple[str, str]:
    if exc.blocked or exc.reason.startswith("refused to connect"):  # the guard, maybe via robots
        return "refused", exc.reason
    match = _HTTP.match(exc.reason)
    code = int(match.group(1)) if match else 0
    if code in (401, 403, 451):
        return "blocked", exc.reason
    if code in (404, 410):
        return "wrong-url", exc.reason
    return "unreachable", exc.reason


def _no_items(way: Way, response: Response, parsed: Parsed) -> tuple[str, str]:
    if _script_page(response):
        return "javascript", _JS
    if parsed.warning.startswith("malformed"):
        return "malformed", "malformed, no item readable: " + parsed.warning.split(": ", 1)[-1]
    if way.kind == "html":
        return "wrong-url", parsed.warning or "the selector matched no links"
    return "empty", parsed.warning or "a valid document without items"


def _script_page(response: Response) -> bool:
    """An HTML page with scripts and almost no text of its own."""
    if b"<script" not in response.body.lower() or b"<html" not in response.body[:2048].lower():
        return False
    try:
        tree = lxml.html.document_fromstring(decode(response.body, response.content_type)[0])
    except (lxml.etree.ParserError, ValueError):
        return False
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return len(" ".join(tree.text_content().split())) < SCRIPT_PAGE_TEXT


def _advice(chosen: WayCheck, checks: list[WayCheck], stale_hours: float) -> str:
    status, why = chosen.status, chosen.error
    if status == "ok":
        return "works: " + _works(chosen, checks)
    if status == "stale":
        days = (chosen.newest_age_hours or 0) / 24
        return (
            f"stale: newest item {days:.0f} days old (limit {stale_hours / 24:.0f})"
            " → find a livelier feed or a fallback"
        )
    later = checks[1:]
    rest = f"; then {', '.join(f'{c.way}: {c.status}' for c in later)}" if later else ""
    if status == "needs-rsshub":
        return f"needs RSSHub: {NEEDS_RSSHUB}{rest}"
    if status == "javascript":
        return f"needs RSSHub: {why} → an RSSHub route or a feed{rest}"
    if status in ("blocked", "robots"):
        return f"blocked → manual: {why} (add-url / ingest, or an RSSHub route){rest}"
    if status in ("wrong-url", "malformed", "empty"):
        fix = "the selector" if chosen.way.startswith("html ") and "selector" in why else "the URL"
        return f"wrong URL: {why} → fix {fix}{rest}"
    if status == "refused":
        return f"refused: {why} → --allow-private-network for a local source{rest}"
    return f"unreachable: {why} → try again later{rest}"


def _works(chosen: WayCheck, checks: list[WayCheck]) -> str:
    text = f"{chosen.items} item{'' if chosen.items == 1 else 's'}"
    if chosen is not checks[0]:
        text += f" via {chosen.way} ({checks[0].way}: {checks[0].status})"
    if chosen.article != "readable":
        text += f"; headlines only, article page: {chosen.article}"
    if chosen.error:
        text += f"; {chosen.error}"
    return text
