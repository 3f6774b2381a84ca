"""Claims read from briefing text: kinds, normalised forms, exempt categories, hostile text."""

from __future__ import annotations

import pytest

from dongtai.sources import load_registry
from dongtai.text.dates import When, covers, extract_dates
from dongtai.text.names import Lexicon
from dongtai.verify.claims import extract

REGISTRY = load_registry()
LEXICON = Lexicon.build(REGISTRY.organisation_names(), REGISTRY.sources.values())


def kinds(text: str) -> list[tuple[str, str, str]]:
    return [(f.kind, f.text, f.label) for f in extract(text, LEXICON, 2026)]


def labels(text: str) -> list[str]:
    return [w.label() for w in extract_dates(text, 2026)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026 年 5 月 4 日", ["2026-05-04"]),
        ("5月4号", ["05-04"]),
        ("五月四日", ["05-04"]),
        ("记者 4 日从合肥获悉", ["--04"]),
        ("据 A 5 月 4 日至 5 日报道", ["05-04", "05-05"]),
        ("4 月 30 日至 5 月 1 日", ["04-30", "05-01"]),
        ("May 4, 2026", ["2026-05-04"]),
        ("4 May 2026", ["2026-05-04"]),
        ("May 4-5", ["05-04", "05-05"]),
        ("第一季度", ["Q1"]),
        ("2026 年一季度", ["2026-Q1"]),
        ("Q1 2026", ["2026-Q1"]),
        ("1Q26", ["2026-Q1"]),
        ("first quarter of 2026", ["2026-Q1"]),
        ("去年第四季度", ["2025-Q4"]),
        ("今年上半年", ["2026-H1"]),
        ("H1 2026", ["2026-H1"]),
        ("3 月份", ["03"]),
        ("March sales", ["03"]),
        ("1-3 月", ["01", "03"]),
    ],
)
def test_dates_are_read_in_both_languages(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026 年", "in 2024", "3 个月", "近 7 日", "30 日内", "日本", "日元", "May be", "H20 chips"],
)
def test_years_durations_and_lookalikes_are_not_dates(text: str) -> None:
    assert labels(text) == []


def test_a_date_is_covered_by_the_same_day_month_or_quarter_only() -> None:
    day = extract_dates("5 月 4 日")[0]
    assert covers(day, extract_dates("May 4")[0])
    assert not covers(day, extract_dates("May 5")[0])
    q4 = extract_dates("2025 年第四季度")[0]
    assert covers(q4, extract_dates("the fourth quarter of 2025")[0])
    assert not covers(q4, extract_dates("the fourth quarter of 2024")[0])
    # evidence without a year: its publication year, or the year before for a later month
    assert covers(q4, extract_dates("四季度")[0], published=(2026, 5))
    assert not covers(
        extract_dates("2024 年第四季度")[0], When("四季度", 0, 3, "quarter", quarter=4)
    )


def test_figures_carry_direction_period_and_scale() -> None:
    found = {f.text: f for f in extract("2026 年一季度销售额同比增长 25%，达 2054 亿美元", LEXICON)}
    assert found["25%"].direction == 1 and found["25%"].period is not None
    assert found["25%"].period.label() == "2026-Q1"
    assert found["2054 亿美元"].figure is not None and found["2054 亿美元"].figure.scale == 1e8
    falling = extract("出货量同比下降 12%", LEXICON)[0]
    assert falling.direction == -1
    neutral = extract("占比 25%", LEXICON)[0]
    assert neutral.direction == 0


def test_organisations_are_found_by_any_alias_with_word_boundaries() -> None:
    found = kinds(
        "美国半导体行业协会 (SIA) 与 SEMI 发布；Asia semiconductor 不是机构；据 21 世纪经济报道"
    )
    orgs = [(text, label) for kind, text, label in found if kind == "organisation"]
    assert orgs == [
        ("美国半导体行业协会", "sia"),
        ("SIA", "sia"),
        ("SEMI", "semi"),
        ("21 世纪经济报道", "21jingji"),
    ]


def test_items_teach_the_lexicon_their_acronyms() -> None:
    from datetime import UTC, datetime

    from dongtai.models import Item

    item = Item(
        url="https://example.test/1",
        source="xinhua",
        title="t",
        published=datetime(2026, 5, 5, tzinfo=UTC),
        text="中国电子信息产业发展研究院（CCID）发布报告。国际半导体产业协会（SEMI）旗下硅制造商集团（SMG）。",
        language="zh",
    )
    lexicon = Lexicon.build(REGISTRY.organisation_names(), REGISTRY.sources.values(), [item])
    assert lexicon.entity("SMG") == "semi"
    assert lexicon.entity("CCID") == lexicon.entity("中国电子信息产业发展研究院") == "abbr:CCID"


def test_quotes_are_claims_and_short_ones_are_not() -> None:
    found = kinds('报告称之为“战略监听站”，题为《芯片法案》，记者说“好”，he said "very strong".')
    assert [(k, t) for k, t, _ in found if k == "quote"] == [
        ("quote", "战略监听站"),
        ("quote", "芯片法案"),
        ("quote", "very strong"),
    ]


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("url", "详见 https://example.com/2026/05/04/report-120-wafers.html 一文"),
        ("domain", "见 www.semi.org/q1-2026 与 itif.org/123"),
        ("model", "英伟达 H20 芯片、5G 基站、RTX 4090 显卡与 GPT-4 模型"),
        ("process node", "3nm 与 3 纳米工艺"),
        ("year", "2026 年将加快推进，in 2024 已启动"),
        ("section number", "1.1 报道要点"),
        ("list marker", "1. 引言\n2、背景\n(3) 结论"),
        ("phone", "咨询电话 010-12345678 或 +86 138 0013 8000"),
        ("reference marker", "参见 [3] 与【12】"),
        ("time", "10:30 开始"),
        ("ordinal", "位列第一，排名第 3 名"),
    ],
)
def test_exempt_categories_are_not_claims(category: str, text: str) -> None:
    assert [k for k in kinds(text) if k[0] == "figure"] == [], category


@pytest.mark.parametrize(
    "text",
    [
        "1" * 20000 + " 亿美元",
        "９" * 5000 + "％",
        "增长２５％",
        "\u202e25%\u202c 与 \u200f1,250\u200e 种",
        "一" * 3000 + "万",
        "万" * 3000,
        "“" * 2000 + "”" * 2000,
        "《" * 1000,
        "(((" * 2000 + "SIA",
        "5 月 " * 3000,
        "Q1 " * 3000,
        "\x00\ufffd\U0001f600" * 500,
    ],
)
def test_hostile_text_does_not_crash(text: str) -> None:
    found = extract(text, LEXICON, 2026)
    assert all(text[f.start : f.end] == f.text for f in found)


def test_full_width_digits_are_read() -> None:
    found = extract("同比增长２５％", LEXICON)
    assert found[0].figure is not None and found[0].figure.value == 25.0
