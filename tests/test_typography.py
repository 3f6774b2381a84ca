"""Chinese typography: spacing between CJK and Latin, full-width punctuation."""

from __future__ import annotations

import pytest

from dongtai.text.typography import cjk_ratio, polish

CASES = [
    # spacing between CJK and Latin letters / digits
    ("2026年5月6日", "2026 年 5 月 6 日"),
    ("据ITIF报道", "据 ITIF 报道"),
    ("120万片", "120 万片"),
    ("增长25%", "增长 25%"),
    ("同比增25%与去年", "同比增 25% 与去年"),
    ("南华早报(SCMP)报道", "南华早报 (SCMP) 报道"),
    ("发布100+项建议", "发布 100+ 项建议"),
    ("约$1万亿", "约 $1 万亿"),
    ("稀有字𠀀abc", "稀有字𠀀 abc"),
    ("据日经亚洲及Tom's Hardware 5月5日报道", "据日经亚洲及 Tom's Hardware 5 月 5 日报道"),
    ("会议10:30开始", "会议 10:30 开始"),
    ("增长1.2倍", "增长 1.2 倍"),
    # full-width punctuation
    ("中文,中文", "中文，中文"),
    ("中文, 中文", "中文，中文"),
    ("原因有三:营收;情报", "原因有三：营收；情报"),
    ("为什么?因为!", "为什么？因为！"),
    ("报道结束.", "报道结束。"),
    ("ITIF:美国", "ITIF：美国"),
    ("南华早报(SCMP),美国", "南华早报 (SCMP)，美国"),
    # nothing to do: full-width punctuation, spaces already right
    ("增长 25%，全年", "增长 25%，全年"),
    ("2026 年 5 月 6 日", "2026 年 5 月 6 日"),
    # never touched
    ("1.2", "1.2"),
    ("10:30", "10:30"),
    ("Tom's Hardware", "Tom's Hardware"),
    ("Hello, world. Yes: no? ok!", "Hello, world. Yes: no? ok!"),
    ("等等...", "等等..."),
    ("阿里巴巴.com", "阿里巴巴.com"),
    ("详见https://a.com/x?y=1,2:3了解", "详见 https://a.com/x?y=1,2:3 了解"),
    ("访问www.example.com.", "访问 www.example.com."),
    ("第一行\n第二行ABC", "第一行\n第二行 ABC"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_polish(raw: str, expected: str) -> None:
    assert polish(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_polish_is_idempotent(raw: str, expected: str) -> None:
    assert polish(polish(raw)) == polish(raw)


@pytest.mark.parametrize(
    "text",
    [
        "据ITIF,SIA及南华早报(SCMP)5月4日至5日报道,2026年Q1全球销售额同比增25%!",
        "见https://example.com/路径,以及http://a.b/c.",
        "中文 , 中文 . ABC?中文",
    ],
)
def test_idempotent_on_mixed_text(text: str) -> None:
    once = polish(text)
    assert polish(once) == once


def test_no_space_between_digit_and_percent_or_before_full_width() -> None:
    out = polish("占全球约30%，略低于美国的1440种。")
    assert "30%" in out
    assert "30 %" not in out
    assert " ，" not in out
    assert out == "占全球约 30%，略低于美国的 1440 种。"


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("", 0.0), ("abc", 0.0), ("中文", 1.0), ("中文ab", 0.5), ("中文，！ 。", 1.0)],
)
def test_cjk_ratio(text: str, ratio: float) -> None:
    assert cjk_ratio(text) == pytest.approx(ratio)
