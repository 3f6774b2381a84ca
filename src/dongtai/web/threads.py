"""Threads and figures over time on the readers' site: ``/threads/{id}`` (a story over
days: its timeline and the charts of the figures its sections proved), and the charts of
an organisation's page.

Rules it applies: a chart is drawn for a series with at least ``MIN_PERIODS`` periods
(one period is a figure, not a trend); on a thread page only the points its own
sections stated count. Charts are SVG drawn by the server (no script).
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dongtai.newsroom import Newsroom
from dongtai.newsroom.series import Chart, Series, chart
from dongtai.web.app import page, room

router = APIRouter(include_in_schema=False)
MIN_PERIODS = 2
KINDS = {"money": "金额", "percent": "比例", "number": "数量"}
UNITS = {"USD": "美元", "CNY": "元", "sq in": "平方英寸"}
GRAINS = {"month": "按月", "quarter": "按季度", "half": "按半年", "year": "按年"}


def charts(newsroom: Newsroom, series: Iterable[Series]) -> list[tuple[Chart, str]]:
    """The charts of the series with enough periods, each with its caption."""
    return [
        (chart(s), _caption(newsroom, s)) for s in series if s.distinct_periods() >= MIN_PERIODS
    ]


def _caption(newsroom: Newsroom, s: Series) -> str:
    org = newsroom.organisation_labels.get(s.org, s.org)
    what = ("增减 " if s.change else "") + KINDS.get(s.kind, s.kind)
    unit = f"（{UNITS.get(s.unit, s.unit)}）" if s.unit else ""
    return f"{org}：{what}{unit}，{GRAINS[s.grain]}"


@router.get("/threads/{thread_id}", response_class=HTMLResponse)
def thread_page(request: Request, thread_id: str) -> Response:
    newsroom = room(request)
    thread = newsroom.chronicle().threads.get(thread_id)
    if thread is None:
        raise HTTPException(404, f"没有这条线索：{thread_id}")
    keys = thread.keys()
    mine = []
    for s in newsroom.series():
        points = [p for p in s.points if (p.day, p.anchor) in keys]
        if points:
            mine.append(Series(s.org, s.kind, s.unit, s.grain, s.change, points))
    return page(request, "thread.html.j2", thread=thread, charts=charts(newsroom, mine))
