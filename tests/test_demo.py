"""Acceptance: the demo issue carries the reference bulletin's stories, verified."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import jsonschema

from dongtai.models import Briefing
from dongtai.render.jsonout import JsonRenderer

from .conftest import sample_records

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


def test_sections_are_the_reference_bulletins_stories(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    assert [s.number for s in briefing.sections] == ["1", "2", "3", "4", "5", "6"]
    one, two, three, four, five, six = (section_text(briefing, n) for n in "123456")
    assert "ITIF" in one and "中国" in one and "100" not in one
    assert {"ITIF", "South China Morning Post"} <= section_sources(briefing, "1")
    assert "100 余项政策建议" in two and "国家力量产业" in two
    assert "70%" in three and "120 万片" in three and "奕斯伟" in three
    assert {"Nikkei Asia", "Tom's Hardware"} <= section_sources(briefing, "3")
    assert (
        "25%" in four
        and "1 万亿美元" in four
        and {"SIA", "Reuters"} <= section_sources(briefing, "4")
    )
    assert "13%" in five and "SEMI" in section_sources(briefing, "5")
    assert "1250" in six and "1440" in six and "ITIF" in section_sources(briefing, "6")


def test_strong_stories_beyond_the_budget_are_listed_with_the_reason(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    left = {entry.title: entry for entry in briefing.left_out}
    assert set(left) == {
        "朱雀三号遥二运载火箭发射成功",
        "索辰科技发布新一代多物理场仿真平台，求解效率提升3倍",
    }
    for entry in left.values():
        assert len(entry.outlets) >= 2 and entry.reason.startswith("all 6 sections taken")
        assert not {ref.url for ref in briefing.references} & set(entry.urls)


def test_abstract_carries_the_headline_figures_and_verification_passes(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    for figure in ("70%", "120 万片", "40%", "25%", "1 万亿美元", "1250", "1440"):
        assert figure in briefing.abstract, figure
    assert briefing.verification.passed and briefing.verification.checked >= 30
    assert demo[1].status == "passed"


def test_no_off_topic_or_out_of_window_item_is_cited(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    records = {r["url"]: r for r in sample_records()}
    cited = [records[ref.url] for ref in briefing.references]
    for record in cited:
        published = datetime.fromisoformat(str(record["published"]))
        assert WINDOW_START <= published < WINDOW_END, record["url"]
        assert not any(noise in str(record["title"]) for noise in NOISE_TITLES)
    noise = [r for r in records.values() if any(n in str(r["title"]) for n in NOISE_TITLES)]
    assert len(noise) == len(NOISE_TITLES)


def test_every_paragraph_cites_and_every_reference_is_cited_in_order(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    order: list[int] = []
    for section in briefing.sections:
        for sub in section.subsections:
            for paragraph in sub.paragraphs:
                assert paragraph.refs
                order += [n for n in paragraph.refs if n not in order]
    assert order == [r.n for r in briefing.references] == list(range(1, len(order) + 1))


def test_attribution_names_every_outlet_and_the_date_span(demo) -> None:  # type: ignore[no-untyped-def]
    first = demo[1].briefing.sections[0].subsections[0].paragraphs[0].text
    assert first.startswith("据信息技术与创新基金会 (ITIF)、南华早报 (SCMP)")
    assert "5 月 4 日至 5 日报道" in first


def test_briefing_json_validates_against_the_schema(demo) -> None:  # type: ignore[no-untyped-def]
    settings, result = demo
    schema = json.loads(
        resources.files("dongtai").joinpath("data/briefing.schema.json").read_text()
    )
    path = settings.home / "briefings" / "2026-05-06" / "briefing.json"
    document = json.loads(path.read_text("utf-8"))
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document == json.loads(JsonRenderer().render(result.briefing, settings.branding))
    names = {p.name for p in result.paths}
    assert names == {"briefing.md", "briefing.html", "briefing.pdf", "briefing.json"}
