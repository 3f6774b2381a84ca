"""Polite, bounded, guarded HTTP GET for sources and article pages (async httpx).

Rules:
- at most ``concurrency`` requests in flight overall and ``per_host`` per host; request
  starts to one host are spaced by ``per_host_delay`` (or the host's robots.txt
  ``Crawl-delay``, up to 30 s, when longer);
- robots.txt is read once per origin and run and obeyed for our User-Agent token;
  a missing one (4xx) allows everything, an unreachable one (5xx, network error)
  disallows the origin for this run (RFC 9309);
- the User-Agent is ``{user_agent} (+{contact})`` from the settings;
- conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from the values stored for
  the source; a 304 is a success with no body;
- 429, 500, 502, 503, 504, time-outs, resets and truncated bodies are retried
  ``retries`` times with exponential backoff; a ``Retry-After`` (seconds or HTTP date)
  is honoured when it is at most ``max_retry_after`` (also delaying other requests to
  that host), a longer one fails at once;
- redirects are followed by hand, at most ``max_redirects``; a loop fails with the
  chain; every hop passes the SSRF guard (:mod:`dongtai.fetch.netguard`) again;
- bodies are streamed and cut at ``max_body_bytes`` of *decoded* bytes, checked while
  decoding (:mod:`dongtai.fetch.decode`: a gzip, deflate or brotli bomb never holds
  more than the limit); a larger declared ``Content-Length`` fails before reading;
- every request (headers and body, after its politeness wait) must finish within
  ``request_deadline`` seconds, so a server dripping one byte per second is cut there
  (each read is also bounded by ``read_timeout``); a request past its deadline is not
  retried;
- every failure is a :class:`FetchError` with a one-line reason.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from dongtai.config import FetchSettings
from dongtai.errors import BlockedAddress, FetchError, RobotsDisallowed
from dongtai.fetch.decode import BoundedDecoder
from dongtai.fetch.netguard import AddressPolicy, GuardedTransport

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9,"
    " text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


@dataclass(frozen=True)
class Response:
    """A fetched document (after redirects): final URL, status, body and validators."""

    url: str
    status: int
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    location: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """One fetch run's HTTP client; use ``async with Fetcher(settings) as fetcher``."""

    def __init__(self, config: FetchSettings, allow_private: bool = False) -> None:
        self.config = config
        rsshub = (config.rsshub_url,) if config.rsshub_private else ()
        self.policy = AddressPolicy.build(
            allow_private or config.allow_private_network, config.allowed_networks, rsshub
        )
        contact = f" (+{config.contact})" if config.contact else ""
        self.user_agent = f"{config.user_agent}{contact}"
        self.token = config.user_agent.split("/", 1)[0]
        self._slots = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, asyncio.Task[RobotFileParser | str]] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        c = self.config
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self.policy, max_connections=c.concurrency),
            timeout=httpx.Timeout(c.read_timeout, connect=c.connect_timeout, pool=None),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            follow_redirects=False,
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def get(
        self, url: str, etag: str = "", last_modified: str = "", accept: str = ACCEPT
    ) -> Response:
        """GET ``url`` politely (rules in the module docstring); raises :class:`FetchError`."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._follow(url, headers, robots=self.config.robots)

    async def _follow(self, url: str, headers: dict[str, str], robots: bool) -> Response:
        chain = [url]
        while True:
            if robots:
                await self._obey_robots(chain[-1])
            response = await self._with_retries(chain[-1], headers)
            if response.status not in REDIRECT_STATUS:
                return response
            chain.append(self._next_hop(chain, response))

    def _next_hop(self, chain: list[str], response: Response) -> str:
        location = response.location
        if not location:
            raise FetchError(f"HTTP {response.status} redirect without Location", chain[0])
        target = urljoin(chain[-1], location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(f"redirect to a non-http URL {target[:80]}", chain[0])
        if target in chain:
            loop = " → ".join([*chain[chain.index(target) :], target])
            raise FetchError(f"redirect loop: {loop}", chain[0])
        if len(chain) > self.config.max_redirects:
            raise FetchError(f"more than {self.config.max_redirects} redirects", chain[0])
        return target

    async def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            try:
                return await self._request(url, headers)
            except _Retry as retry:
                if attempt == attempts - 1:
                    raise FetchError(f"{retry.reason} (after {attempts} attempts)", url) from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                self._host(url).next_start = max(
                    self._host(url).next_start, time.monotonic() + wait
                )
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return float(self.config.backoff * (2**attempt))

    async def _request(self, url: str, headers: dict[str, str]) -> Response:
        async with self._polite(url), self._slots:
            deadline = self.config.request_deadline
            try:
                async with asyncio.timeout(deadline):
                    return await self._send(url, headers)
            except TimeoutError:
                reason = f"no complete response within the {deadline:g} s deadline"
                raise FetchError(reason, url) from None
            except BlockedAddress as exc:
                raise FetchError(str(exc), url, blocked=True) from None
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})", None) from None
            except httpx.RemoteProtocolError as exc:
                raise _Retry(f"connection broken or body truncated: {_short(exc)}", None) from None
            except httpx.TransportError as exc:
                raise _Retry(f"network error: {_short(exc)}", None) from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL: {exc}", url) from None

    async def _send(self, url: str, headers: dict[str, str]) -> Response:
        assert self._client is not None, "use Fetcher as an async context manager"
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in REDIRECT_STATUS:
                return Response(url, status, b"", location=response.headers.get("location", ""))
            if status in RETRY_STATUS:
                raise _Retry(f"HTTP {status}", self._retry_after(response, url))
            if status >= 400:
                raise FetchError(f"HTTP {status} {response.reason_phrase}".strip(), url)
            body = b"" if status == 304 else await self._body(response, url)
            return Response(
                url=url,
                status=status,
                body=body,
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
        finally:
            await response.aclose()

    async def _body(self, response: httpx.Response, url: str) -> bytes:
        limit = self.config.max_body_bytes
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and "content-encoding" not in response.headers
        ):
            raise FetchError(
                f"body of {int(declared):,} bytes exceeds the {limit:,}-byte limit", url
            )
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), limit, url)
        chunks = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
        return b"".join(chunks)

    def _retry_after(self, response: httpx.Response, url: str) -> float | None:
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        wait = _seconds(value)
        if wait is None:
            return None
        if wait > self.config.max_retry_after:
            raise FetchError(
                f"HTTP {response.status_code} with Retry-After {wait:.0f} s,"
                f" beyond the {self.config.max_retry_after:.0f} s limit",
                url,
            )
        return wait

    # politeness ---------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        host = self._hosts.get(key)
        if host is None:
            host = _Host(asyncio.Semaphore(self.config.per_host), self.config.per_host_delay)
            self._hosts[key] = host
        return host

    def _polite(self, url: str) -> _HostSlot:
        return _HostSlot(self._host(url))

    async def _obey_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._load_robots(origin))
            self._robots[origin] = task
        rules = await task
        if isinstance(rules, str):
            raise FetchError(rules, url)
        if not rules.can_fetch(self.token, url):
            raise RobotsDisallowed(f"disallowed by {origin}/robots.txt", url)
        delay = rules.crawl_delay(self.token)
        if delay is not None:
            host = self._host(url)
            host.delay = max(host.delay, min(float(delay), MAX_CRAWL_DELAY))

    async def _load_robots(self, origin: str) -> RobotFileParser | str:
        rules = RobotFileParser()
        try:
            response = await self._follow(f"{origin}/robots.txt", {"Accept": "text/plain"}, False)
        except FetchError as exc:
            if exc.blocked:
                return exc.reason
            if exc.reason.startswith("HTTP 4"):
                rules.parse([])
                return rules
            if exc.reason.startswith("HTTP"):
                return f"robots.txt unavailable, origin skipped this run: {exc.reason}"
            return exc.reason
        text = response.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        rules.parse(text.splitlines())
        return rules


class _HostSlot:
    """Holds one of a host's slots, starting no sooner than the host's next start time."""

    def __init__(self, host: _Host) -> None:
        self.host = host

    async def __aenter__(self) -> None:
        await self.host.slots.acquire()
        try:
            async with self.host.lock:
                now = time.monotonic()
                start = max(now, self.host.next_start)
                self.host.next_start = start + self.host.delay
            if start > now:
                await asyncio.sleep(start - now)
        except BaseException:
            self.host.slots.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.host.slots.release()


def _seconds(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
