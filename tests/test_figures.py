"""Figures: extraction, exemptions, support across English and Chinese, Chinese rendering."""

from __future__ import annotations

import math
import time

import pytest

from dongtai.text.dates import extract_dates
from dongtai.text.figures import (
    Figure,
    extract_figures,
    find_support,
    is_exempt,
    mismatch,
    supports,
    to_chinese,
)


def only(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


# (text, surface, value, unit, kind, qualifier)
EXTRACT = [
    # percent
    ("增长 25%", "25%", 25.0, "%", "percent", ""),
    ("增长２５％", "２５％", 25.0, "%", "percent", ""),
    ("rose 25 percent", "25 percent", 25.0, "%", "percent", ""),
    ("rose 25 per cent", "25 per cent", 25.0, "%", "percent", ""),
    ("占比百分之二十五", "百分之二十五", 25.0, "%", "percent", ""),
    ("占比百分之八点五", "百分之八点五", 8.5, "%", "percent", ""),
    ("占三成", "三成", 30.0, "%", "percent", ""),
    ("占两成", "两成", 20.0, "%", "percent", ""),
    ("近三成", "三成", 30.0, "%", "percent", "near"),
    ("上升 3 个百分点", "3 个百分点", 3.0, "pp", "percent", ""),
    ("up 3 percentage points", "3 percentage points", 3.0, "pp", "percent", ""),
    # plain numbers, separators, Chinese numerals, magnitudes
    ("共 1,250 种", "1,250 种", 1250.0, "", "number", ""),
    ("1.2 million wafers", "1.2 million", 1.2e6, "", "number", ""),
    ("月产 120 万片", "120 万片", 1.2e6, "", "number", ""),
    ("月产120万片", "120万片", 1.2e6, "", "number", ""),
    ("一百二十万", "一百二十万", 1.2e6, "", "number", ""),
    ("十二家企业", "十二家", 12.0, "", "number", ""),
    ("三亿五千万", "三亿五千万", 3.5e8, "", "number", ""),
    ("一万二千", "一万二千", 12000.0, "", "number", ""),
    ("一万零五", "一万零五", 10005.0, "", "number", ""),
    ("两万亿", "两万亿", 2e12, "", "number", ""),
    ("规模 1.5万亿", "1.5万亿", 1.5e12, "", "number", ""),
    ("投资 3亿", "3亿", 3e8, "", "number", ""),
    ("sold 1.2M units", "1.2M", 1.2e6, "", "number", ""),
    ("一千二百五十", "一千二百五十", 1250.0, "", "number", ""),
    # money
    ("$1 trillion", "$1 trillion", 1e12, "USD", "money", ""),
    ("1 万亿美元", "1 万亿美元", 1e12, "USD", "money", ""),
    ("$1tn", "$1tn", 1e12, "USD", "money", ""),
    ("$1T", "$1T", 1e12, "USD", "money", ""),
    ("1 trillion dollars", "1 trillion dollars", 1e12, "USD", "money", ""),
    ("US$205.4 billion", "US$205.4 billion", 2.054e11, "USD", "money", ""),
    ("2054亿美元", "2054亿美元", 2.054e11, "USD", "money", ""),
    ("$69bn", "$69bn", 6.9e10, "USD", "money", ""),
    ("raised $5m", "$5m", 5e6, "USD", "money", ""),
    ("135 亿元", "135 亿元", 1.35e10, "CNY", "money", ""),
    ("13.5 billion yuan", "13.5 billion yuan", 1.35e10, "CNY", "money", ""),
    ("RMB 13.5 billion", "RMB 13.5 billion", 1.35e10, "CNY", "money", ""),
    ("人民币 135 亿元", "人民币 135 亿元", 1.35e10, "CNY", "money", ""),
    ("￥100", "￥100", 100.0, "CNY", "money", ""),
    ("¥100 yuan", "¥100 yuan", 100.0, "CNY", "money", ""),
    ("¥100 billion", "¥100 billion", 1e11, "JPY", "money", ""),
    ("1000 亿日元", "1000 亿日元", 1e11, "JPY", "money", ""),
    ("€5bn", "€5bn", 5e9, "EUR", "money", ""),
    ("50 亿欧元", "50 亿欧元", 5e9, "EUR", "money", ""),
    ("约 $1 万亿", "$1 万亿", 1e12, "USD", "money", "approx"),
    ("A$5 million", "A$5 million", 5e6, "AUD", "money", ""),
    ("HK$3 billion", "HK$3 billion", 3e9, "HKD", "money", ""),
    # physical units
    ("12-inch wafers", "12-inch", 12.0, "inch", "number", ""),
    ("12 英寸晶圆", "12 英寸", 12.0, "inch", "number", ""),
    ("3nm process", "3nm", 3.0, "nm", "number", ""),
    ("3 纳米工艺", "3 纳米", 3.0, "nm", "number", ""),
    ("10 GWh", "10 GWh", 10.0, "GWh", "number", ""),
    ("120 万千瓦", "120 万千瓦", 1.2e6, "kW", "number", ""),
    ("1,000 qubits", "1,000 qubits", 1000.0, "qubit", "number", ""),
    ("增长1.2倍", "1.2倍", 1.2, "x", "number", ""),
    ("draw 1.4 gigawatts", "1.4 gigawatts", 1.4, "GW", "number", ""),
    ("at 65 °C", "65 °C", 65.0, "°C", "number", ""),
    ("时延低于5毫秒", "5毫秒", 5.0, "ms", "number", "under"),
    # qualifiers
    ("约 40%", "40%", 40.0, "%", "percent", "approx"),
    ("about 40%", "40%", 40.0, "%", "percent", "approx"),
    ("40% 左右", "40% 左右", 40.0, "%", "percent", "approx"),
    ("超过 1250 种", "1250 种", 1250.0, "", "number", "over"),
    ("逾 100 家", "100 家", 100.0, "", "number", "over"),
    ("1250 余种", "1250 余种", 1250.0, "", "number", "over"),
    ("100 多家", "100 多家", 100.0, "", "number", "over"),
    ("120多万", "120多万", 1.2e6, "", "number", "over"),
    ("1250 种以上", "1250 种以上", 1250.0, "", "number", "over"),
    ("more than 1,250", "1,250", 1250.0, "", "number", "over"),
    ("1,250+ models", "1,250+", 1250.0, "", "number", "over"),
    ("发布100+项建议", "100+项", 100.0, "", "number", "over"),
    ("不到 10%", "10%", 10.0, "%", "percent", "under"),
    ("less than 10%", "10%", 10.0, "%", "percent", "under"),
    ("Over 1.5 million", "1.5 million", 1.5e6, "", "number", "over"),
    ("最近 3 天", "3", 3.0, "", "number", ""),
]


@pytest.mark.parametrize(("text", "surface", "value", "unit", "kind", "qualifier"), EXTRACT)
def test_extract(
    text: str, surface: str, value: float, unit: str, kind: str, qualifier: str
) -> None:
    fig = only(text)
    assert (fig.text, fig.unit, fig.kind, fig.qualifier) == (surface, unit, kind, qualifier)
    assert fig.value == pytest.approx(value)
    assert text[fig.start : fig.end] == fig.text


EXEMPT = [
    "见 https://example.com/2024/05/123?id=42",
    "详见 36kr.com/p/123456",
    "联系 a1@b22.com",
    "2026",
    "2026 年",
    "in 2024",
    "2026年5月4日",
    "5 月 4 日",
    "1-3 月",
    "May 4",
    "on 4 May",
    "Sept. 12",
    "2026-05-04",
    "05/04",
    "10:30 开会",
    "Q1 2026",
    "第一季度",
    "一季度",
    "1.1 概述",
    "## 2 市场",
    "1. 引言",
    "(2) 第二项",
    "（3）第三项",
    "① 要点",
    "据报道[3]",
    "据报道[^12]",
    "据报道【4】",
    "H20",
    "5G",
    "5G-A",
    "6G",
    "A100",
    "GPT-4",
    "M4",
    "B200",
    "HBM3E",
    "3D 封装",
    "RTX 4090",
    "iPhone 16",
    "第一",
    "第 3 名",
    "No. 5",
    "电话 010-12345678",
    "热线 400-123-4567",
    "手机 13812345678",
    "+86 138 1234 5678",
    "二十大",
    "十四五",
    "一些企业",
    "十分重要",
    "千万不要",
    "统一标准",
    "世界 500 强",
    "二〇二六年",
    "20 世纪",
    "Llama 3.1",
    "COVID-19",
    "36氪获悉",
    "5月4日17时许",
]


@pytest.mark.parametrize("text", EXEMPT)
def test_exempt(text: str) -> None:
    assert extract_figures(text) == []


@pytest.mark.parametrize(
    ("text", "needle", "expected"),
    [
        ("in 2024 sales", "2024", True),
        ("共 1250 种", "1250", False),
        ("A100 芯片", "100", True),
        ("见 https://x.org/77", "77", True),
    ],
)
def test_is_exempt(text: str, needle: str, expected: bool) -> None:
    start = text.index(needle)
    assert is_exempt(text, start, start + len(needle)) is expected


def test_exempt_and_claims_mixed() -> None:
    text = "2026 年 5 月 4 日，英伟达 H20 在 Q1 2026 出货 120 万片，占比 25%[3]。"
    assert [f.text for f in extract_figures(text)] == ["120 万片", "25%"]


# (claim, evidence, supported); each text holds one figure
SUPPORT = [
    ("1 万亿美元", "$1 trillion", True),
    ("$1 trillion", "1 万亿美元", True),
    ("1 万亿美元", "$1tn", True),
    ("1 万亿美元", "1 trillion dollars", True),
    ("1 万亿美元", "$1T", True),
    ("120 万片", "1.2 million wafers", True),
    ("1.2 million", "120万", True),
    ("1.2 million", "1,200,000", True),
    ("1.2 million", "一百二十万", True),
    ("一百二十万", "1.2 million", True),
    ("2054 亿美元", "$205.4 billion", True),
    ("$205.4 billion", "2054亿美元", True),
    ("690 亿美元", "$69bn", True),
    ("135 亿元", "13.5 billion yuan", True),
    ("1250", "1,250", True),
    ("40%", "40.2%", True),
    ("40%", "40.6%", False),
    ("25%", "百分之二十五", True),
    ("百分之二十五", "25 percent", True),
    ("２５％", "25 per cent", True),
    ("三成", "30%", True),
    ("两成", "20 percent", True),
    ("3 个百分点", "3 percentage points", True),
    ("12 英寸", "12-inch", True),
    ("3 纳米", "3nm", True),
    ("120 万千瓦", "1.2 GW", True),
    ("1.4 吉瓦", "1.4 gigawatts", True),
    ("33.02 亿平方英寸", "3,302 MSI", True),
    ("3302 MSI", "3,302 million square inches", True),
    # qualifiers
    ("约 40%", "about 40%", True),
    ("约 40%", "40.2 percent", True),
    ("约 40%", "41.9%", True),
    ("约 40%", "46%", False),
    ("40% 左右", "38.5%", True),
    ("超过 1250 种", "more than 1,250", True),
    ("超过 1250 种", "1,251", True),
    ("超过 1250 种", "1,250", False),
    ("超过 1250 种", "1,200", False),
    ("超过 1250 种", "more than 1,200", False),
    ("超过 1250 种", "fewer than 1,300", False),
    ("1250 余种", "more than 1,250", True),
    ("1250", "more than 1,250", False),
    ("不到 10%", "less than 10%", True),
    ("不到 10%", "9.5%", True),
    ("不到 10%", "10.5%", False),
    # near misses
    ("12 万", "1.2 million", False),
    ("120 万", "1.2 billion", False),
    ("3 亿", "300 万", False),
    ("1 万亿美元", "$1 billion", False),
    ("1.2 million", "1.2 billion", False),
    ("25%", "2.5%", False),
    ("25%", "25 percentage points", False),
    ("12 英寸", "12 wafers", False),
    ("12 片", "12-inch", False),
    ("135 亿元", "$13.5 billion", False),
    ("1 万亿美元", "$1.4 trillion", False),
    ("1250", "1,200", False),
    ("1.23 million", "1.2 million", False),
]


@pytest.mark.parametrize(("claim", "evidence", "expected"), SUPPORT)
def test_supports(claim: str, evidence: str, expected: bool) -> None:
    assert supports(only(claim), only(evidence)) is expected


def test_find_support_picks_matching_figure() -> None:
    claim = only("中芯国际月产能达 120 万片")
    evidence = "In 2026 SMIC said output rose 25% to 1.2 million wafers a month, worth $5bn."
    found = find_support(claim, evidence)
    assert found is not None and found.text == "1.2 million"
    assert find_support(only("12 万片"), evidence) is None
    assert find_support(claim, "") is None


def test_ranges_take_unit_of_second_end() -> None:
    assert [(f.value, f.unit) for f in extract_figures("增长 30-40%")] == [(30, "%"), (40, "%")]
    assert [f.value for f in extract_figures("投资 1-2 亿")] == [1e8, 2e8]
    assert supports(only("30%"), extract_figures("30-40%")[0])


TO_CHINESE = [
    ("1.2 million", "120 万"),
    ("$1 trillion", "1 万亿美元"),
    ("25 percent", "25%"),
    ("1,250", "1250"),
    ("$205.4 billion", "2054 亿美元"),
    ("13.5 billion yuan", "135 亿元"),
    ("$69bn", "690 亿美元"),
    ("3 percentage points", "3 个百分点"),
    ("12-inch", "12 英寸"),
    ("€5bn", "50 亿欧元"),
    ("12,500", "1.25 万"),
    ("1.5 trillion", "1.5 万亿"),
    ("more than 1,250", "超过 1250"),
    ("nearly 40%", "近 40%"),
    ("about $5bn", "约 50 亿美元"),
]


@pytest.mark.parametrize(("english", "chinese"), TO_CHINESE)
def test_to_chinese(english: str, chinese: str) -> None:
    fig = only(english)
    assert to_chinese(fig) == chinese
    back = only(chinese)
    assert supports(back, fig) and supports(fig, back)


def test_hostile_long_number() -> None:
    figures = extract_figures("增长 " + "9" * 500 + " 家")
    assert len(figures) == 1 and not math.isfinite(figures[0].value)
    assert not supports(figures[0], figures[0])
    assert to_chinese(figures[0]) == figures[0].text


def test_hostile_full_width_and_marks() -> None:
    assert only("１２３４５６７８９０").value == 1234567890
    fig = only("增长\u200f25%\u200f，")
    assert (fig.value, fig.text) == (25.0, "25%")
    assert only("\u200e$\u200f1 trillion").value == 1e12
    assert extract_figures("") == []


@pytest.mark.parametrize(
    "text",
    [
        ("据报道，中芯国际 2026 年 5 月 4 日称月产能 120 万片，增长 25%，投资 $1 trillion。\n")
        * 3000,
        "一" * 200_000,
        "十" * 200_000,
        "1," * 100_000,
        "1-" * 100_000,
        "a" * 200_000,
        "a.b-" * 50_000,
        "$" * 200_000,
        "[1," * 60_000,
        "+1 " * 60_000,
    ],
)
def test_hostile_large_inputs_finish(text: str) -> None:
    began = time.perf_counter()
    figures = extract_figures(text)
    # only catastrophic backtracking fails this (a linear pass takes ~5 s on a loaded
    # 2-core machine); speed itself is not asserted here
    assert time.perf_counter() - began < 60
    assert all(text[f.start : f.end] == f.text for f in figures)


# ------------------------------------ the same figure with and without spaces (issue 11)
@pytest.mark.parametrize(
    ("glued", "spaced", "surface"),
    [
        ("共246户1062人", "共 246 户 1062 人", "1062"),
        ("上线46款app", "上线 46 款 app", "46"),
        ("改造3亿个led路灯", "改造 3 亿个 led 路灯", "3"),
        ("投资380亿美金7、", "投资 380 亿美金 7、", "380"),
        ("多40元2018年", "多 40 元 2018 年", "40"),
        ("交付1000台YX-H2人形机器人", "交付 1000 台 YX-H2 人形机器人", "1000"),
    ],
)
def test_a_figure_reads_the_same_with_and_without_spaces(
    glued: str, spaced: str, surface: str
) -> None:
    def read(text: str) -> list[tuple[float, str, str]]:
        return [(f.value, f.unit, f.kind) for f in extract_figures(text)]

    assert read(glued) == read(spaced)
    assert any(f.text.startswith(surface) for f in extract_figures(glued))


@pytest.mark.parametrize(
    "text", ["YX-H2", "交付YX-H2机器人", "RTX 4090", "RTX4090", "A100", "H20", "4K电视", "5G基站"]
)
def test_identifiers_are_exempt_by_the_shape_of_the_whole_token(text: str) -> None:
    assert extract_figures(text) == []
    assert [w for w in extract_dates(text) if w.kind == "half"] == []


BOUNDS = [
    ("超 1.7 亿", "超1.7亿", ""),
    ("超 1.0 亿", "超1.7亿", "value"),
    ("超 1.7 万", "超1.7亿", "value"),
    ("超过 100 亿度", "超过100亿度", ""),
    ("100 万度", "超过100亿度", "value"),
    ("降幅超 63%", "降幅超70%", "value"),
    ("降幅超 70%", "降幅超70%", ""),
    ("降幅 70%", "降幅超70%", "qualifier"),
    ("8% 以内", "8%以内", ""),
    ("13% 以内", "8%以内", "value"),
    ("不到 8%", "8%以上", "qualifier"),
    ("超过 8%", "不到8%", "qualifier"),
    ("超过 100 家", "105家", ""),
    ("超过 100 家", "300家", "value"),
    ("超过 100 家", "约100家", "qualifier"),
    ("近 100 家", "98家", ""),
    ("近 100 家", "超过100家", "qualifier"),
    ("at least 30", "至少30", ""),
    ("up to 30%", "30%以内", ""),
    ("nearly 40%", "将近40%", ""),
    ("约 40%", "近40%", ""),
]


@pytest.mark.parametrize(("claim", "evidence", "why"), BOUNDS)
def test_a_bound_must_restate_the_sources_figure(claim: str, evidence: str, why: str) -> None:
    assert mismatch(only(claim), only(evidence)) == why


def test_a_plain_figure_supports_only_the_bound_it_rounds_to() -> None:
    assert mismatch(only("超过 60%"), only("70%")) == "value"
    assert mismatch(only("超过 100 家"), only("150家")) == ""
    assert mismatch(only("超过 100 家"), only("151家")) == "value"
    assert mismatch(only("超 1.7 亿"), only("1.72亿")) == ""
