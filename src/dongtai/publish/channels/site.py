"""Static site: the readers' archive exported to a folder for any web server or bucket.

Layout (``folder``, default ``HOME/site``)::

    index.html                     every published issue, newest first, with its abstract
    issues/D/index.html            the issue page (the HTML rendering)
    issues/D/briefing.{pdf,json}   the downloads
    topics/TOPIC.html              the sections of every issue on one topic
    feed.xml                       Atom feed of the issues
    search.json                    search index: per issue its date, title, URL and text

Issues exported: every date with a delivered delivery plus the one being published.
The folder is built beside the old one and swapped in at the end, so a web server never
serves half a site. Links are relative, except in the feed, whose entries need
``base_url`` (default ``publish.public_url``) to be absolute.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

import jinja2
from pydantic import BaseModel, Field

from dongtai.publish.channel import Channel
from dongtai.publish.issue import Issue, ensure_files, load_issue
from dongtai.store import open_store
from dongtai.store.publishing import Ledger

ATOM = "http://www.w3.org/2005/Atom"
DOWNLOADS = ("pdf", "json")
_PAGE = jinja2.Environment(
    loader=jinja2.PackageLoader("dongtai.publish", "templates"), autoescape=True
).get_template("site.html.j2")


class SiteOptions(BaseModel):
    folder: Path | None = Field(None, description="Where the site is written; default HOME/site")
    base_url: str = Field("", description="The site's public URL; default publish.public_url")


class SiteChannel(Channel):
    Options: ClassVar[type[BaseModel]] = SiteOptions
    formats: ClassVar[tuple[str, ...]] = ("html", *DOWNLOADS)
    options: SiteOptions

    @property
    def folder(self) -> Path:
        chosen = self.options.folder or Path("site")
        return chosen if chosen.is_absolute() else self.settings.home / chosen

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        return [issue]

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        issues = self._issues(part)
        target = self.folder
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            _write_site(staging, issues, self.options.base_url or self.settings.publish.public_url)
            _swap(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return f"{len(issues)} issue(s) exported to {target}"

    def _issues(self, current: Issue) -> list[Issue]:
        store = open_store(self.settings.db_url)
        dates = {*Ledger(store).published_dates(), current.date}
        issues = []
        for day in sorted(dates, reverse=True):
            issue = current if day == current.date else load_issue(self.settings, store, day)
            ensure_files(issue, self.formats)
            issues.append(issue)
        return issues


def _write_site(root: Path, issues: list[Issue], base_url: str) -> None:
    topics: dict[str, list[dict[str, str]]] = {}
    entries = []
    for issue in issues:
        folder = root / "issues" / issue.date.isoformat()
        folder.mkdir(parents=True)
        shutil.copyfile(issue.file("html"), folder / "index.html")
        for fmt in DOWNLOADS:
            shutil.copyfile(issue.file(fmt), folder / f"briefing.{fmt}")
        day = issue.date.isoformat()
        entries.append({"date": day, "heading": issue.title, "text": issue.briefing.abstract})
        for section in issue.briefing.sections:
            topics.setdefault(section.topic, []).append(
                {"date": issue.date.isoformat(), "heading": section.title, "text": issue.title}
            )
    names = sorted(topics)
    title = issues[0].branding.title if issues else "dongtai"
    page = _PAGE.render(title=title, entries=entries, topics=names, root="")
    (root / "index.html").write_text(page, "utf-8")
    (root / "topics").mkdir()
    for topic in names:
        html = _PAGE.render(title=f"{title} · {topic}", entries=topics[topic], topics=[],
                            root="../")  # fmt: skip
        (root / "topics" / f"{topic}.html").write_text(html, "utf-8")
    (root / "feed.xml").write_bytes(_atom(issues, title, base_url))
    (root / "search.json").write_text(_search(issues), "utf-8")


def _atom(issues: list[Issue], title: str, base_url: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base_url or "urn:dongtai:site"
    newest = issues[0].date if issues else datetime.now(UTC).date()
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base_url}/feed.xml", rel="self")
    for issue in issues:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = f"{base_url}/issues/{issue.date.isoformat()}/index.html"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = issue.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = (
            url if base_url else f"urn:dongtai:{issue.date}"
        )
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(issue.date)
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = issue.briefing.abstract
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data


def _stamp(day: Any) -> str:
    return datetime.combine(day, time(0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _search(issues: list[Issue]) -> str:
    documents = []
    for issue in issues:
        b = issue.briefing
        texts = [b.abstract]
        for section in b.sections:
            texts.append(section.title)
            texts += [p.text for sub in section.subsections for p in sub.paragraphs]
        documents.append({"date": b.date.isoformat(), "title": issue.title,
                          "url": f"issues/{b.date.isoformat()}/index.html",
                          "topics": sorted({s.topic for s in b.sections}),
                          "text": "\n".join(texts)})  # fmt: skip
    return json.dumps(documents, ensure_ascii=False, indent=1)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target`` (the old site removed after the move)."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
