"""Fetched documents → entries: feeds, news sitemaps and HTML listing pages.

Pure functions from bytes to :class:`Entry` records; no I/O. Rules:
- RSS 0.9x/1.0/2.0 and Atom go through feedparser (it recovers from most malformed
  XML); JSON Feed 1.0/1.1 is read here, since feedparser does not know it. A body
  that starts with ``{`` is taken as JSON Feed whatever the declared kind;
- bytes whose encoding is declared nowhere (no HTTP charset, no XML declaration, no
  BOM) and that are not UTF-8 are decoded by :mod:`dongtai.fetch.charset` first, so GBK or
  Big5 feeds without a charset read correctly;
- an entry's URL is its ``link`` (else a ``guid`` that is a URL), made absolute against
  the feed URL; an entry without one gets a stable URL from the feed: the feed URL with
  ``#entry-`` and a hash of its ``guid`` (else of its title, text and date), and is
  marked ``linked=False`` (there is no page to fetch); an entry without a title takes
  the first words of its text (else its URL, else "(untitled)"). So every entry the
  parser recovers is kept, even one holding only an image or a map point (its
  identity then is a hash of all its fields);
- an entry's date is ``published`` (else ``updated``), in UTC; none when it does not parse;
- the body is the entry's ``content`` (else its ``summary``) as plain text;
- a news sitemap (``urlset``) gives one entry per ``<url><loc>`` with the news title and
  publication date when present (``lastmod`` otherwise); a sitemap index gives the
  child sitemaps to read next;
- an HTML listing gives one entry per link matched by the source's CSS selector (the
  element itself when it is ``<a href>``, else its first ``a[href]`` descendant).
XML is parsed without network access or entity expansion.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html
from cssselect import SelectorError

from dongtai.errors import ParseError
from dongtai.fetch.charset import declared, decode, header_charset

UNTITLED = "(untitled)"


@dataclass(frozen=True)
class Entry:
    """One item as a feed, sitemap or listing announces it."""

    url: str
    title: str = ""
    published: datetime | None = None
    text: str = ""
    summary: str = ""
    authors: tuple[str, ...] = ()
    linked: bool = True  # False: the URL was made from the feed (no page to fetch)


@dataclass
class Parsed:
    """Entries found in one document, what was dropped and why, and follow-up URLs."""

    entries: list[Entry] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    warning: str = ""


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> Parsed:
    """RSS, Atom or JSON Feed bytes → entries (rules in the module docstring)."""
    if body.lstrip()[:1] == b"{":
        return parse_json_feed(body, base_url)
    data, content_type = _feed_input(body, content_type)
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(data, response_headers=headers, sanitize_html=False)
    version = result.get("version") or ""
    if not version and not result.entries:
        reason = result.get("bozo_exception") or "no feed found"
        raise ParseError(f"not a feed: {_short(reason)}")
    parsed = Parsed()
    if result.get("bozo"):
        parsed.warning = f"malformed feed recovered: {_short(result.get('bozo_exception'))}"
    for raw in result.entries:
        _keep(parsed, _feed_entry(raw, base_url))
    return parsed


def _feed_input(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """The bytes as they are when their encoding is stated or UTF-8; else re-encoded to
    UTF-8 from the detected encoding, with the content type saying so."""
    if header_charset(content_type) or declared(body) or body.startswith(_BOMS):
        return body, content_type
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return decode(body)[0].encode("utf-8"), "application/xml; charset=utf-8"
    return body, content_type


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _feed_entry(raw: Any, base_url: str) -> Entry | str:
    content = raw.get("content") or []
    body = " ".join(str(part.get("value") or "") for part in content)
    summary = _plain(raw.get("summary") or "")
    text = _plain(body) if body.strip() else summary
    published = _entry_date(raw)
    title = _plain(raw.get("title") or "") or _first_words(text)
    url = _entry_url(raw, base_url)
    linked = bool(url)
    if not url:
        url = stable_url(base_url, str(raw.get("id") or "").strip() or _fingerprint(raw))
    authors = [a.get("name", "") for a in raw.get("authors") or [] if isinstance(a, dict)]
    return Entry(
        url=url,
        title=title or (url if linked else UNTITLED),
        published=published,
        text=text,
        summary=summary,
        authors=tuple(a for a in authors if a) or _names(raw.get("author")),
        linked=linked,
    )


def _fingerprint(raw: Any) -> str:
    """Every field of an entry without link or id, as canonical JSON."""
    return json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False)


def stable_url(feed_url: str, key: str) -> str:
    """The identity of an entry without a link: the feed's URL and a hash of its id."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f"{urldefrag(feed_url).url}#entry-{digest}"


def _entry_url(raw: Any, base_url: str) -> str:
    candidates = [raw.get("link")]
    candidates += [link.get("href") for link in raw.get("links") or [] if link.get("href")]
    if raw.get("guidislink") is not False:
        candidates.append(raw.get("id"))
    for candidate in candidates:
        url = absolute(str(candidate or ""), base_url)
        if url:
            return url
    return ""


def absolute(href: str, base_url: str) -> str:
    """``href`` made absolute against ``base_url`` without fragment; "" unless http(s)."""
    href = href.strip()
    if not href:
        return ""
    url = urldefrag(urljoin(base_url, href)).url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _entry_date(raw: Any) -> datetime | None:
    """``published`` else ``updated``: as RFC 3339 when it is (fractions of a second
    kept), else as feedparser parsed it."""
    for key in ("published", "updated"):
        moment = iso_datetime(str(raw.get(key) or "")) or _struct_time(raw.get(f"{key}_parsed"))
        if moment is not None:
            return moment
    return None


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _names(value: Any) -> tuple[str, ...]:
    return (str(value).strip(),) if value and str(value).strip() else ()


def _keep(parsed: Parsed, entry: Entry | str) -> None:
    if isinstance(entry, str):
        parsed.dropped.append(entry)
    else:
        parsed.entries.append(entry)


# JSON Feed ---------------------------------------------------------------------------


def parse_json_feed(body: bytes, base_url: str) -> Parsed:
    """JSON Feed 1.0/1.1 → entries."""
    try:
        data = json.loads(decode(body, "charset=utf-8")[0])
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not a JSON Feed: invalid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("not a JSON Feed: no 'items' list")
    parsed = Parsed()
    base = str(data.get("home_page_url") or base_url)
    for raw in data["items"]:
        entry = _json_entry(raw, base, base_url) if isinstance(raw, dict) else "not an object"
        _keep(parsed, entry)
    return parsed


def _json_entry(raw: dict[str, Any], base_url: str, feed_url: str) -> Entry | str:
    url = absolute(str(raw.get("url") or raw.get("external_url") or ""), base_url)
    if not url:
        url = absolute(str(raw.get("id") or ""), base_url)
    linked = bool(url)
    html = str(raw.get("content_html") or "")
    text = str(raw.get("content_text") or "") or _plain(html)
    summary = _plain(str(raw.get("summary") or ""))
    title = _plain(str(raw.get("title") or "")) or _first_words(text or summary)
    if not url:
        url = stable_url(feed_url, str(raw.get("id") or "").strip() or _fingerprint(raw))
    title = title or (url if linked else UNTITLED)
    authors = raw.get("authors") or ([raw["author"]] if isinstance(raw.get("author"), dict) else [])
    return Entry(
        url=url,
        title=title,
        published=iso_datetime(str(raw.get("date_published") or raw.get("date_modified") or "")),
        text=text.strip() or summary,
        summary=summary,
        authors=tuple(str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")),
        linked=linked,
    )


def _first_words(text: str, limit: int = 80) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + "…"


def iso_datetime(value: str) -> datetime | None:
    """An RFC 3339 / ISO 8601 date-time (or date) in UTC; None when it does not parse."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# sitemaps ------------------------------------------------------------------------------

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def parse_sitemap(body: bytes, base_url: str) -> Parsed:
    """A (news) sitemap or sitemap index → entries, or child sitemap URLs."""
    root = _xml(body)
    parsed = Parsed()
    tag = lxml.etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag == "sitemapindex":
        for loc in root.iter(f"{_SM}loc", "loc"):
            url = absolute(loc.text or "", base_url)
            if url:
                parsed.sitemaps.append(url)
        return parsed
    if tag != "urlset":
        raise ParseError(f"not a sitemap: root element <{tag or '?'}>")
    for node in root.iter(f"{_SM}url", "url"):
        _keep(parsed, _sitemap_entry(node, base_url))
    return parsed


def _sitemap_entry(node: Any, base_url: str) -> Entry | str:
    url = absolute(_child_text(node, "loc"), base_url)
    if not url:
        return "sitemap url without a valid <loc>"
    news = node.find(f"{_NEWS}news")
    title = _child_text(news, "title", _NEWS) if news is not None else ""
    date = _child_text(news, "publication_date", _NEWS) if news is not None else ""
    return Entry(url=url, title=title, published=iso_datetime(date or _child_text(node, "lastmod")))


def _child_text(node: Any, name: str, namespace: str = _SM) -> str:
    child = node.find(f"{namespace}{name}")
    if child is None:
        child = node.find(name)
    return " ".join((child.text or "").split()) if child is not None else ""


def _xml(body: bytes) -> Any:
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise ParseError(f"not XML: {exc}") from None
    if root is None:
        raise ParseError("not XML: empty document")
    return root


# HTML listings -------------------------------------------------------------------------


def parse_listing(body: bytes, base_url: str, selector: str, content_type: str | None) -> Parsed:
    """Links matched by a CSS selector on a listing page → entries (title = link text)."""
    html, _ = decode(body, content_type)
    if not html.strip():
        raise ParseError("empty listing page")
    try:
        tree = lxml.html.document_fromstring(html)
        matched = tree.cssselect(selector)
    except SelectorError as exc:
        raise ParseError(f"bad CSS selector {selector!r}: {exc}") from None
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(f"not HTML: {exc}") from None
    parsed = Parsed()
    seen: set[str] = set()
    for element in matched:
        link = element if element.tag == "a" and element.get("href") else _first_link(element)
        url = absolute(link.get("href") or "", base_url) if link is not None else ""
        if url and url not in seen:
            seen.add(url)
            parsed.entries.append(Entry(url=url, title=" ".join(link.text_content().split())))
    if not parsed.entries:
        parsed.warning = f"selector {selector!r} matched no links"
    return parsed


def _first_link(element: Any) -> Any:
    links = element.xpath(".//a[@href]")
    return links[0] if links else None


# text ------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}


def _plain(value: str) -> str:
    """HTML (or plain text) → text with paragraph breaks."""
    if "<" not in value:
        return " ".join(value.split())
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return " ".join(re.sub(r"<[^>]+>", " ", value).split())
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _short(reason: object) -> str:
    text = " ".join(str(reason).split())
    return text[:160]
