"""Acceptance: the demo issue carries the reference bulletin's stories, verified."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import jsonschema

from dongtai.models import Briefing
from dongtai.render.jsonout import JsonRenderer

from .conftest import Demo, sample_records

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW_END = datetime(2026, 5, 6, tzinfo=SHANGHAI)
WINDOW_START = WINDOW_END - timedelta(hours=48)
NOISE_TITLES = (
    "CBA总决赛",
    "暴雨蓝色预警",
    "电影总票房",
    "Knicks",
    "Fulham",
    "Met Gala",
    "双色球",
    "世乒赛",
    "外卖大促",
    "iPhone 17 cases",
    "歌手林默",
    "演唱会扎堆",
    "出游人次",
    "Airlines brace",
    "中超",
    "追尾",
    "气温突破35℃",
    "Box Office",
)


def section_sources(briefing: Briefing, number: str) -> set[str]:
    section = next(s for s in briefing.sections if s.number == number)
    refs = {n for sub in section.subsections for p in sub.paragraphs for n in p.refs}
    return {r.source for r in briefing.references if r.n in refs}


def section_text(briefing: Briefing, number: str) -> str:
    section = next(s for s in briefing.sections if s.number == number)
    parts = [section.title] + [p.text for sub in section.subsections for p in sub.paragraphs]
    return "\n".join(parts)


def subsection_text(briefing: Briefing, number: str) -> str:
    sub = next(u for s in briefing.sections for u in s.subsections if u.number == number)
    return "\n".join([sub.title] + [p.text for p in sub.paragraphs])


def test_sections_are_the_reference_bulletins_stories(demo: Demo) -> None:
    briefing = demo[1].briefing
    assert [s.number for s in briefing.sections] == ["1", "2", "3", "4", "5", "6"]
    two, three, four, five, six = (section_text(briefing, n) for n in "23456")
    report, seminar = (subsection_text(briefing, n) for n in ("1.1", "1.2"))
    assert "ITIF" in report and "中国" in report and "100" not in report
    assert "100 余项政策建议" in seminar and "国家力量产业" in seminar
    assert {"ITIF", "South China Morning Post"} <= section_sources(briefing, "1")
    assert "70%" in two and "120 万片" in two and "奕斯伟" in two
    assert {"Nikkei Asia", "Tom's Hardware"} <= section_sources(briefing, "2")
    assert "13%" in subsection_text(briefing, "2.2") and "SEMI" in section_sources(briefing, "2")
    assert (
        "25%" in three
        and "1 万亿美元" in three
        and {"SIA", "Reuters"} <= section_sources(briefing, "3")
    )
    assert "1250" in four and "1440" in four and "ITIF" in section_sources(briefing, "4")
    assert "朱雀三号" in five and "索辰科技" in six and "3 倍" in six


def test_strong_stories_share_sections_to_fit_the_budget(demo) -> None:  # type: ignore[no-untyped-def]
    """Eight strong stories, six sections: two pairs of one topic each share a section
    (ITIF's report and seminar; the wafer target and SEMI's shipments), so the rocket
    launch and the CAE release are carried instead of left out."""
    briefing = demo[1].briefing
    paired = [s for s in briefing.sections if s.title.endswith("两则动态")]
    assert [s.topic for s in paired] == ["policy", "semiconductors"]
    assert all(len(s.subsections) == 2 for s in paired)
    assert len(briefing.sections) + len(paired) == 8 and briefing.left_out == ()


def test_abstract_carries_the_headline_figures_and_verification_passes(demo: Demo) -> None:
    briefing = demo[1].briefing
    for figure in ("70%", "120 万片", "40%", "25%", "1 万亿美元", "1250", "1440"):
        assert figure in briefing.abstract, figure
    assert briefing.verification.passed and briefing.verification.checked >= 30
    assert demo[1].status == "passed"


def test_no_off_topic_or_out_of_window_item_is_cited(demo: Demo) -> None:
    briefing = demo[1].briefing
    records = {r["url"]: r for r in sample_records()}
    cited = [records[ref.url] for ref in briefing.references]
    for record in cited:
        published = datetime.fromisoformat(str(record["published"]))
        assert WINDOW_START <= published < WINDOW_END, record["url"]
        assert not any(noise in str(record["title"]) for noise in NOISE_TITLES)
    noise = [r for r in records.values() if any(n in str(r["title"]) for n in NOISE_TITLES)]
    assert len(noise) == len(NOISE_TITLES)


def test_every_paragraph_cites_and_every_reference_is_cited_in_order(demo: Demo) -> None:
    briefing = demo[1].briefing
    order: list[int] = []
    for section in briefing.sections:
        for sub in section.subsections:
            for paragraph in sub.paragraphs:
                assert paragraph.refs
                order += [n for n in paragraph.refs if n not in order]
    assert order == [r.n for r in briefing.references] == list(range(1, len(order) + 1))


def test_attribution_names_every_outlet_and_the_date_span(demo: Demo) -> None:
    first = demo[1].briefing.sections[0].subsections[0].paragraphs[0].text
    assert first.startswith("据信息技术与创新基金会 (ITIF)、南华早报 (SCMP)")
    assert "5 月 4 日至 5 日报道" in first


def test_briefing_json_validates_against_the_schema(demo: Demo) -> None:
    settings, result = demo
    schema = json.loads(
        resources.files("dongtai").joinpath("data/briefing.schema.json").read_text()
    )
    path = settings.home / "briefings" / "2026-05-06" / "briefing.json"
    document = json.loads(path.read_text("utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document == json.loads(
        JsonRenderer.from_settings(settings.branding).render(result.briefing)
    )
    names = {p.name for p in result.paths}
    assert names == {"briefing.md", "briefing.html", "briefing.pdf", "briefing.json"}
