"""Article pages → main text and metadata (title, authors, date, language, canonical URL).

Rules:
- bytes are decoded by :func:`dongtai.fetch.charset.decode` (HTTP charset, meta tag, BOM,
  detection: GBK/GB2312/Big5 pages without a charset header decode correctly);
- the main text is trafilatura's, tuned for precision (``favor_precision``) and without
  comments: boilerplate (menus, related links, comment threads) is worse for a
  briefing than a missed paragraph;
- the date is trafilatura's metadata date (htmldate, original publication date
  preferred over the last update), kept only when it parses;
- the canonical URL is ``<link rel=canonical>``/``og:url`` as trafilatura reads them,
  kept only when it is an absolute http(s) URL on the same site as the page,
  otherwise the page's own URL;
- the language is the page's ``<html lang>`` when it is English or Chinese, else left
  for the ingest rules to detect.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

import trafilatura

from dongtai.fetch.charset import decode

_LANG = re.compile(rb"""<html[^>]*\blang\s*=\s*["']?([a-zA-Z]{2})""", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """What extraction found on one page; empty strings when absent."""

    url: str
    text: str
    title: str = ""
    authors: tuple[str, ...] = ()
    published: date | None = None
    language: str = ""
    encoding: str = ""


def extract_text(html: str) -> str:
    """The main text of an HTML document ("" when none is found)."""
    return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""


def extract_article(
    body: bytes, url: str, content_type: str | None = None, same_site_only: bool = True
) -> Article:
    """Main text and metadata of a page (rules in the module docstring).

    ``same_site_only=False`` trusts any absolute canonical URL: for pages read from a
    local folder, which have no URL of their own (``url`` is then "")."""
    html, encoding = decode(body, content_type)
    raw = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
    )
    data = json.loads(raw) if raw else {}
    return Article(
        url=_canonical(url, str(data.get("source") or ""), same_site_only),
        text=str(data.get("text") or ""),
        title=" ".join(str(data.get("title") or "").split()),
        authors=_authors(str(data.get("author") or "")),
        published=_date(str(data.get("date") or "")),
        language=_language(body),
        encoding=encoding,
    )


def _canonical(url: str, declared: str, same_site_only: bool) -> str:
    if not declared:
        return url
    absolute = urljoin(url, declared)
    parts, own = urlsplit(absolute), urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    if same_site_only and _site(parts.hostname) != _site(own.hostname):
        return url
    return absolute


def _site(host: str | None) -> str:
    """The registrable part of a host, roughly: the last two labels."""
    labels = (host or "").lower().removeprefix("www.").split(".")
    return ".".join(labels[-2:])


def _authors(value: str) -> tuple[str, ...]:
    names = (name.strip() for name in re.split(r";|\|", value))
    return tuple(dict.fromkeys(name for name in names if name))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _language(body: bytes) -> str:
    match = _LANG.search(body[:4096])
    lang = match.group(1).decode("ascii").lower() if match else ""
    return lang if lang in ("en", "zh") else ""
