"""Readers' pages (anonymous, read-only): the latest issue, one issue, its downloads,
the archive, search, topic and organisation pages (with the charts of the
organisation's figures, :mod:`dongtai.web.threads`), and the Atom feed.

Rules it applies: pages show only what :mod:`dongtai.newsroom.issues` lets readers see;
a download is the file the issue's latest rendering wrote into ``HOME/briefings/D/``
(a format never rendered for a date is rendered in memory from the same briefing);
an issue page's data is cached per issue signature and the threads of its sections, so
a correction, or a thread a later issue starts, shows at once.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, date, datetime, time
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from dongtai.models import Briefing
from dongtai.newsroom import Newsroom, search
from dongtai.newsroom.issues import Issue, load_issue
from dongtai.plugins import load_renderer
from dongtai.render import anchor
from dongtai.render.html import page_context
from dongtai.web.app import page, room
from dongtai.web.threads import charts

router = APIRouter(include_in_schema=False)
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
CACHED_PAGES = 64
FEED_ENTRIES = 30


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"不是日期：{text}") from None


def issue_or_404(request: Request, day: date) -> Issue:
    issue = load_issue(room(request).desk, day)
    if issue is None:
        raise HTTPException(404, f"{day.isoformat()} 没有可阅读的一期")
    return issue


@router.get("/", response_class=HTMLResponse)
def latest(request: Request) -> Response:
    shown = room(request).shown()
    if not shown:
        return page(
            request,
            "error.html.j2",
            status=200,
            heading="还没有一期",
            message="运行 dongtai demo 或 dongtai brief 后，最新一期会出现在这里。",
        )
    return _issue_page(request, issue_or_404(request, next(iter(shown))))


@router.get("/issues", response_class=HTMLResponse)
def archive(request: Request) -> Response:
    months: dict[str, list[tuple[date, str]]] = {}
    for day in room(request).shown():
        months.setdefault(f"{day.year} 年 {day.month} 月", []).append((day, f"{day.day} 日"))
    return page(request, "archive.html.j2", months=list(months.items()))


@router.get("/issues/{day}", response_class=HTMLResponse)
def issue(request: Request, day: str) -> Response:
    return _issue_page(request, issue_or_404(request, parse_day(day)))


@router.get("/issues/{day}/briefing.{ext}")
def download(request: Request, day: str, ext: str) -> Response:
    if ext not in MEDIA:
        raise HTTPException(404, f"没有 {ext} 格式")
    issue = issue_or_404(request, parse_day(day))
    settings = room(request).settings
    path = settings.briefings_dir / issue.briefing.date.isoformat() / f"briefing.{ext}"
    name = f"dongtai-{issue.briefing.date.isoformat()}.{ext}"
    if path.is_file():
        return FileResponse(path, media_type=MEDIA[ext], filename=name)
    data = load_renderer(ext).from_settings(settings.branding_in_home()).render(issue.briefing)
    disposition = f'attachment; filename="{name}"'
    return Response(data, media_type=MEDIA[ext], headers={"Content-Disposition": disposition})


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "") -> Response:
    desk = room(request).desk
    query = q.strip()[:200]
    search.sync(desk, room(request).shown())
    hits = search.search(desk, query) if query else []
    return page(
        request,
        "list.html.j2",
        heading="搜索",
        query=query,
        hits=hits,
        empty="没有找到。换个词试试：硅片、ITIF、出口管制。" if query else "输入要找的词。",
    )


@router.get("/topics/{topic}", response_class=HTMLResponse)
def topic_page(request: Request, topic: str) -> Response:
    newsroom = room(request)
    name = newsroom.topic_names.get(topic)
    if name is None:
        raise HTTPException(404, f"没有这个主题：{topic}")
    search.sync(newsroom.desk, newsroom.shown())
    hits = [_hit(d) for d in newsroom.desk.docs_on_topic(topic)]
    return page(request, "list.html.j2", heading=name, hits=hits, empty="这个主题还没有报道。")


@router.get("/orgs/{name}", response_class=HTMLResponse)
def organisation_page(request: Request, name: str) -> Response:
    newsroom = room(request)
    org = newsroom.organisation_id(name)
    if org is None:
        raise HTTPException(404, f"不认识这个机构：{name}")
    search.sync(newsroom.desk, newsroom.shown())
    hits = [_hit(d) for d in newsroom.desk.docs_naming(org)]
    heading = newsroom.organisation_labels.get(org, name)
    return page(
        request,
        "organisation.html.j2",
        heading=heading,
        hits=hits,
        empty="还没有报道提到它。",
        charts=charts(newsroom, [s for s in newsroom.series() if s.org == org]),
    )


@router.get("/feed.xml")
def feed(request: Request) -> Response:
    newsroom = room(request)
    base = str(request.base_url).rstrip("/")
    ns = "http://www.w3.org/2005/Atom"
    root = ET.Element("feed", xmlns=ns)
    ET.SubElement(root, "title").text = newsroom.settings.branding.title
    ET.SubElement(root, "id").text = base + "/"
    ET.SubElement(root, "link", href=base + "/feed.xml", rel="self")
    ET.SubElement(root, "link", href=base + "/")
    updated = ET.SubElement(root, "updated")
    newest = datetime(1970, 1, 1, tzinfo=UTC)
    for day in list(newsroom.shown())[:FEED_ENTRIES]:
        issue = load_issue(newsroom.desk, day)
        if issue is None:
            continue
        when = issue.published_at or datetime.combine(day, time(0), tzinfo=newsroom.tz)
        newest = max(newest, when)
        entry = ET.SubElement(root, "entry")
        b = issue.briefing
        ET.SubElement(
            entry, "title"
        ).text = f"{b.title} · {day.year} 年 {day.month} 月 {day.day} 日"
        ET.SubElement(entry, "id").text = f"{base}/issues/{day.isoformat()}"
        ET.SubElement(entry, "link", href=f"{base}/issues/{day.isoformat()}")
        ET.SubElement(entry, "updated").text = when.isoformat()
        ET.SubElement(entry, "summary").text = b.abstract
    updated.text = newest.isoformat()
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _hit(doc: Any) -> search.Hit:
    return search.Hit(doc.issue_date, doc.anchor, doc.title, search.highlight(doc.text, []))


def _issue_page(request: Request, issue: Issue) -> Response:
    newsroom = room(request)
    cache: OrderedDict[tuple[date, str, tuple[str, ...]], dict[str, Any]] = request.app.state.pages
    found = newsroom.chronicle()
    day = issue.briefing.date
    threads = tuple(
        found.threads.get(found.of_section.get((day, anchor(s.number)), ""))
        for s in issue.briefing.sections
    )
    key = (day, issue.signature, tuple(t.id if t else "" for t in threads))
    context = cache.get(key)
    if context is None:
        context = _issue_context(newsroom, issue.briefing) | {"threads": threads}
        cache[key] = context
        while len(cache) > CACHED_PAGES:
            cache.pop(next(iter(cache)))
    return page(
        request, "issue.html.j2", version=issue.version, corrections=issue.corrections, **context
    )


def _issue_context(newsroom: Newsroom, briefing: Briefing) -> dict[str, Any]:
    topics = [
        {"id": s.topic, "name": newsroom.topic_names[s.topic]}
        if s.topic in newsroom.topic_names
        else None
        for s in briefing.sections
    ]
    orgs = []
    for i, _ in enumerate(briefing.sections):
        prefix = f"/sections/{i}/"
        ids = dict.fromkeys(
            c.normalised
            for c in briefing.verification.claims
            if c.kind == "organisation"
            and c.supported
            and c.pointer.startswith(prefix)
            and c.normalised in newsroom.organisation_labels
        )
        orgs.append([{"id": o, "label": newsroom.organisation_labels[o]} for o in ids])
    branding = newsroom.settings.branding_in_home()
    return {"page": page_context(briefing, branding), "topics": topics, "orgs": orgs}
