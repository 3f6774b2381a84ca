"""The readers' site and the JSON API on the demo issue, on SQLite and PostgreSQL:
pages, downloads, archive, topic and organisation pages, search in Chinese and English,
the Atom feed, security headers, escaping, and the API checked against /openapi.json."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import pytest
from jsonschema import Draft202012Validator

from dongtai.config import Settings
from dongtai.models import Briefing
from dongtai.store import open_store
from dongtai.web.app import CSP
from tests.conftest import DEMO_DATE
from tests.websupport import client

DAY = DEMO_DATE.isoformat()


def test_latest_issue_is_the_demo_with_sections_permalinks_and_downloads(
    workspace: Settings,
) -> None:
    web = client(workspace)
    home = web.get("/")
    assert home.status_code == 200
    briefing = Briefing.model_validate_json(
        (workspace.briefings_dir / DAY / "briefing.json").read_text("utf-8")
    )
    assert briefing.abstract[:40] in home.text
    for section in briefing.sections:
        anchor = "sec-" + section.number
        assert f'id="{anchor}"' in home.text
        assert f'href="/issues/{DAY}#{anchor}"' in home.text  # permalink
    assert home.text == web.get(f"/issues/{DAY}").text
    assert web.get(f"/issues/{DAY}/briefing.pdf").content[:5] == b"%PDF-"
    assert web.get(f"/issues/{DAY}/briefing.docx").content[:2] == b"PK"  # rendered on demand
    assert web.get(f"/issues/{DAY}/briefing.json").json()["date"] == DAY
    assert web.get(f"/issues/{DAY}/briefing.exe").status_code == 404
    assert web.get("/issues/2020-01-01").status_code == 404
    assert web.get("/issues/not-a-date").status_code == 404


def test_archive_topics_organisations_and_feed(workspace: Settings) -> None:
    web = client(workspace)
    assert f'href="/issues/{DAY}"' in web.get("/issues").text
    semis = web.get("/topics/semiconductors").text
    assert "硅片" in semis and f"/issues/{DAY}#sec-2" in semis
    assert f"/issues/{DAY}#sec-1" not in semis  # a policy story
    assert web.get("/topics/astrology").status_code == 404
    for name in ("ITIF", "itif", "美国信息技术与创新基金会"):
        page = web.get(f"/orgs/{name}")
        assert page.status_code == 200 and f"/issues/{DAY}#sec-1" in page.text
    assert f"/issues/{DAY}#sec-3" in web.get("/orgs/SIA").text
    assert web.get("/orgs/nobody-at-all").status_code == 404
    feed = feedparser.parse(web.get("/feed.xml").content)
    assert not feed.bozo
    assert [e.link for e in feed.entries] == [f"https://testserver/issues/{DAY}"]


@pytest.mark.parametrize(
    ("query", "anchor", "marked"),
    [
        ("硅片", "sec-2", "硅片"),  # the wafer target shares section 2 with SEMI
        ("itif", "sec-1", "ITIF"),  # English, any case
        ("半导体销售额", "sec-3", "半导体"),
    ],
)
def test_search_finds_and_highlights(
    workspace: Settings, query: str, anchor: str, marked: str
) -> None:
    page = client(workspace).get("/search", params={"q": query}).text
    assert f"/issues/{DAY}#{anchor}" in page
    assert f"<mark>{marked}</mark>" in page


def test_search_without_match_and_with_markup(sqlite_workspace: Settings) -> None:
    web = client(sqlite_workspace)
    assert "没有找到" in web.get("/search", params={"q": "火星殖民地"}).text
    page = web.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_every_page_has_a_strict_csp_and_no_script(sqlite_workspace: Settings) -> None:
    web = client(sqlite_workspace)
    for path in ("/", "/issues", f"/issues/{DAY}", "/search?q=硅片", "/login", "/feed.xml"):
        response = web.get(path)
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in response.text
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP


def test_item_text_with_markup_is_escaped(sqlite_workspace: Settings) -> None:
    """A stored issue whose texts hold markup shows it as text on every page."""
    store = open_store(sqlite_workspace.db_url)
    briefing, status = store.load_briefing(DEMO_DATE) or pytest.fail("no demo")
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    hostile = _with_payload(briefing, payload)
    cited = {r.n: r.url for r in briefing.references}
    store.save_briefing(hostile, status, "extractive", cited)
    web = client(sqlite_workspace)
    for path in (f"/issues/{DAY}", "/search?q=alert", "/topics/policy"):
        page = web.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    feed = web.get("/feed.xml").text
    assert "<img src=x" not in feed


def _with_payload(briefing: Briefing, payload: str) -> Briefing:
    data = briefing.model_dump(mode="json")
    data["sections"][0]["title"] += payload
    data["references"][0]["title"] = payload
    data["abstract"] = payload + data["abstract"]
    return Briefing.model_validate(data)


def _validator(openapi: dict[str, Any], path: str) -> Draft202012Validator:
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return Draft202012Validator({**schema["schema"], "components": openapi["components"]})


def test_json_api_matches_its_openapi_schema(workspace: Settings) -> None:
    web = client(workspace)
    openapi = web.get("/openapi.json").json()
    listing = web.get("/api/issues").json()
    _validator(openapi, "/api/issues").validate(listing)
    assert [entry["date"] for entry in listing] == [DAY]
    issue = web.get(f"/api/issues/{DAY}").json()
    _validator(openapi, "/api/issues/{day}").validate(issue)
    on_disk = json.loads((workspace.briefings_dir / DAY / "briefing.json").read_text("utf-8"))
    assert issue["abstract"] == on_disk["abstract"]
    assert issue["verification"]["claims"], "per-claim evidence is part of the API"
    assert web.get("/api/issues/2020-01-01").status_code == 404
    assert web.get("/api/issues/tomorrow").status_code == 422


def test_a_failed_build_is_not_shown_to_readers(sqlite_workspace: Settings) -> None:
    store = open_store(sqlite_workspace.db_url)
    briefing, _ = store.load_briefing(DEMO_DATE) or pytest.fail("no demo")
    store.save_briefing(briefing, "failed", "extractive", {r.n: r.url for r in briefing.references})
    web = client(sqlite_workspace)
    assert web.get(f"/issues/{DAY}").status_code == 404
    assert web.get("/api/issues").json() == []
    assert "没有找到" in web.get("/search", params={"q": "硅片"}).text  # unindexed
