"""Threads and figures over time, on a workspace of three issue dates built by the
pipeline from ``tests/data/thread-days.jsonl``: the thread page's timeline, the SVG chart
of SIA's monthly sales (its points, their order and their links to the issue section and
the proving item), the organisation page's chart, and threads made by follow-ups alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from dongtai import pipeline
from dongtai.config import Settings, load_settings
from dongtai.newsroom import threads
from dongtai.store import open_store
from tests.conftest import ingest_lines
from tests.websupport import client, database

DATA = Path(__file__).parent / "data" / "thread-days.jsonl"
DAYS = (date(2026, 6, 3), date(2026, 6, 4), date(2026, 6, 5))
THREAD = "2026-06-03-sec-1"
SECTIONS = ["/issues/2026-06-03#sec-1", "/issues/2026-06-04#sec-2", "/issues/2026-06-05#sec-1"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def days(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The three issue dates built on each database kind (PostgreSQL: a database of its
    own, skipped with the reason when no server answers on 127.0.0.1:5432)."""
    home = tmp_path_factory.mktemp("threads")
    with database(request.param) as url:
        settings = load_settings(home=home, database_url=url)
        store = open_store(settings.db_url)
        assert not ingest_lines(settings, store, DATA.read_text("utf-8").splitlines()).errors
        for day in DAYS:
            assert pipeline.build(settings, day, store=store).status == "passed"
        store.engine.dispose()
        yield settings


def sources_of(published: str) -> set[str]:
    """URLs of the test items published on a day (ISO date)."""
    return set(re.findall(rf'"url": "([^"]+)"[^\n]*"published": "{published}', DATA.read_text()))


def svg_of(html: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", html, re.S)
    assert found, "no chart on the page"
    return ET.fromstring(found[0].replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_a_story_over_three_days_is_one_thread_with_its_timeline(days: Settings) -> None:
    web = client(days)
    latest = web.get("/").text
    assert f'href="/threads/{THREAD}"' in latest
    page = web.get(f"/threads/{THREAD}")
    assert page.status_code == 200
    timeline = page.text[page.text.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert re.findall(r'href="([^"]+)"', timeline) == SECTIONS
    assert timeline.count("续报</span>") == 2  # the two later days are follow-ups
    assert "宁德时代" not in timeline  # the other story of 06-04 is not in the thread
    assert web.get("/issues/2026-06-04").text.count("/threads/") == 1
    assert web.get("/threads/2026-06-04-sec-1").status_code == 404


def test_the_thread_draws_the_monthly_sales_with_each_point_linked(days: Settings) -> None:
    svg = svg_of(client(days).get(f"/threads/{THREAD}").text)
    assert svg.get("data-series") == "sia/money/USD/month/level"
    points = svg.findall(f"{SVG}g")
    assert [p.get("data-period") for p in points] == ["2026-02", "2026-03", "2026-04"]
    assert [float(p.get("data-value", "")) for p in points] == [6.21e10, 6.54e10, 6.87e10]
    circles = [p.find(f"{SVG}a/{SVG}circle") for p in points]
    xs = [float(c.get("cx", "")) for c in circles if c is not None]
    ys = [float(c.get("cy", "")) for c in circles if c is not None]
    assert xs == sorted(xs) and len(set(xs)) == 3  # later periods to the right
    assert ys == sorted(ys, reverse=True)  # rising sales drawn higher (smaller y)
    issue_links = [p.find(f"{SVG}a[@class='issue']") for p in points]
    assert [a.get("href") for a in issue_links if a is not None] == SECTIONS
    for point, published in zip(points, ("2026-06-02", "2026-06-03", "2026-06-04"), strict=True):
        source = point.find(f"{SVG}a[@class='source']")
        assert source is not None and source.get("href") in sources_of(published)
        label = source.find(f"{SVG}text")
        assert label is not None and label.text and label.text.endswith("亿美元")


def test_the_organisation_page_draws_its_figures_over_time(days: Settings) -> None:
    web = client(days)
    svg = svg_of(web.get("/orgs/SIA").text)
    assert [g.get("data-period") for g in svg.findall(f"{SVG}g")] == [
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert "<svg" not in web.get("/orgs/WSTS").text  # named, but no figure of its own


def test_follow_ups_alone_make_the_thread(days: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "LIKENESS", 1.01)  # no two sections alike enough
    page = client(days).get(f"/threads/{THREAD}")
    assert page.status_code == 200
    assert all(f'href="{s}"' in page.text for s in SECTIONS)
