"""What the gate adds for a model's prose, part by part: superlatives, records, firsts and
rankings as claims (:mod:`dongtai.text.superlatives`), organisations in Chinese
(:mod:`dongtai.text.chinese_names`), stock phrases, repetition and titles
(:mod:`dongtai.writers.llm.quality`)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest

from dongtai.models import Briefing, Item, Paragraph, Reference, Section, Subsection
from dongtai.sources import load_registry
from dongtai.text.chinese_names import ChineseNames
from dongtai.text.names import Lexicon
from dongtai.text.superlatives import find, superlative_claims
from dongtai.verify.gate import verify
from dongtai.writers.llm import prompts, quality

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@cache
def names() -> dict[str, str]:
    return load_registry().organisation_names()


def item(text: str, n: int = 1, language: str = "zh", title: str = "标题") -> Item:
    return Item.model_validate(
        {
            "url": f"https://example.org/{n}",
            "source": "example",
            "title": title,
            "published": datetime(2026, 5, 5, 8, tzinfo=UTC),
            "text": text,
            "language": language,
        }
    )


# finding superlatives ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("此举创下世界纪录，规模为全球最大，系国内首次。", ["record", "最大", "first"]),
        ("256 比特达到世界最高", ["最高"]),
        ("作为全球领先的生物制药企业", ["lead"]),
        ("全球第二大晶圆代工厂，排名第三", ["rank:2", "rank:3"]),
        ("市场份额位居全球第一", ["lead"]),
        ("the world's largest foundry and its first-ever 2nm chip", ["最大", "first"]),
        ("sales hit a record; the second-largest maker", ["record", "rank:2"]),
        ("最为先进的工艺", ["最先进"]),
    ],
)
def test_superlatives_are_found_in_either_language(text: str, concepts: list[str]) -> None:
    assert [s.concept for s in find(text)] == concepts


@pytest.mark.parametrize(
    "text",
    [
        "最高 100 亿元的补贴，最多 3 家",  # bounds of figures: the figure check reads them
        "收益最大化，最大程度降低风险，最高人民法院",
        "最重要的是最新的报告，最终结果",
        "第一，第一季度销售额；first quarter revenue; a track record",
        "纪录片中，迈向新高度",
    ],
)
def test_words_that_are_no_superlative_claims(text: str) -> None:
    assert find(text) == []


def _claims(text: str, items: list[Item]) -> list[tuple[str, bool]]:
    evidence = {n: i for n, i in enumerate(items, start=1)}
    lexicon = Lexicon.build(names(), (), items)
    found = superlative_claims(text, "1.1 第 1 段", "/p", tuple(evidence), evidence, lexicon)
    return [(c.text, c.supported) for c in found]


def test_a_superlative_needs_an_item_stating_it_about_the_same_subject() -> None:
    sia = item("SIA预计，2026年全球半导体销售额有望首次突破1万亿美元。台积电营收增长。")
    assert _claims("全球半导体销售额有望首次突破 1 万亿美元。", [sia]) == [("首次", True)]
    assert _claims("台积电首次实现 2 纳米量产。", [sia]) == [("首次", False)]
    assert _claims("销售额创下世界纪录。", [sia]) == [("世界纪录", False)]


def test_a_superlative_is_supported_across_languages_by_its_subject() -> None:
    english = item(
        "TSMC, the world's largest contract chipmaker, said revenue rose.", language="en"
    )
    assert _claims("台积电是全球最大的晶圆代工厂。", [english]) == [("最大", True)]
    assert _claims("台积电营收居全球第一。", [english]) == [("居全球第一", True)]
    assert _claims("中芯国际是全球最大的晶圆代工厂。", [english]) == [("最大", False)]


def test_a_sentence_without_a_subject_takes_the_one_before() -> None:
    report = item("国际半导体产业协会称，一季度硅片出货面积创历史新高。")
    text = "国际半导体产业协会发布硅片出货报告。此举创下历史新高。"
    assert _claims(text, [report]) == [("历史新高", True)]
    assert _claims("中芯国际发布财报。此举创下历史新高。", [report]) == [("历史新高", False)]


def test_the_gate_refuses_an_unsupported_superlative_with_its_reason() -> None:
    source = item("某公司发布新一代芯片，性能提升 30%。")
    ref = Reference(n=1, source="example", date=date(2026, 5, 5), title="标题", url=source.url)
    paragraph = Paragraph(text="某公司发布新一代芯片，性能提升 30%，为全球最快。", refs=(1,))
    section = Section(
        number="1",
        title="某公司发布新一代芯片",
        topic="ai",
        subsections=(Subsection(number="1.1", title="新芯片", paragraphs=(paragraph,)),),
    )
    verification = verify("", [section], [ref], {source.url: source}, names())
    bad = [c for c in verification.unsupported if c.kind == "superlative"]
    assert [(c.text, c.normalised, c.where) for c in bad] == [("最快", "最快", "1.1 第 1 段")]
    assert "same subject" in bad[0].reason


# organisations in Chinese -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("美国 Commerce Department 发布 AI 芯片出口管制新规", "美国商务部发布 AI 芯片出口管制新规"),
        ("据 Semiconductor Industry Association 称，SIA 预测", "据美国半导体行业协会称，SIA 预测"),
        ("美国半导体行业协会（Semiconductor Industry Association）称", None),
        ("TSMC 与 Hua Hong 扩产", "TSMC 与华虹半导体扩产"),
        ("SIA 与 ITIF 的报告", None),
    ],
)
def test_english_organisation_names_become_chinese(text: str, expected: str | None) -> None:
    chinese = ChineseNames(names())
    assert chinese.to_chinese(text) == (expected or text)
    assert bool(chinese.english(text)) == (expected is not None)


# stock phrases, repetition, titles --------------------------------------------------------------
def test_stock_sentences_are_removed_and_a_paragraph_of_them_is_refused() -> None:
    real = "报告认为，硅片国产化率提升后，国内晶圆厂的采购议价能力将明显增强，设备商也会随之受益。"
    filler = "该消息对相关产业、政策与竞争格局产生了深远影响。这一动向值得持续关注。"
    assert quality.without_stock(real + filler) == real
    assert quality.paragraph_problems(real + filler) == []
    assert quality.paragraph_problems(filler) and quality.paragraph_problems("简短。值得关注。")
    assert quality.paragraph_problems("一句短话。") == []  # short is not stock


def test_an_implication_repeating_its_facts_is_refused() -> None:
    facts = "美国半导体行业协会公布，一季度全球半导体销售额同比增长 25%，三月销售额为 690 亿美元。"
    assert quality.repeat_problem(facts + "增长势头延续。", facts)
    fresh = "需求集中在数据中心，意味着存储和先进封装环节的产能将最先吃紧，成熟制程则要靠汽车复苏。"
    assert quality.repeat_problem(fresh, facts) == []


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("财联社 5 月 12 日电，美国商务，创世界纪录", "电头"),
        ("财联社 5 月 12 日电，美国商务，创世界纪录", "残缺"),
        ("美国商务部发布芯片出口管制新规的", "残缺"),
        ("全球半导体销售额同比增长 25%……", "残缺"),
        ("“璇玑二号发布，256 比特超导量子计算机", "不成对"),
        ("芯片", "长度"),
        ("硅片国产化值得关注", "套话"),
    ],
)
def test_titles_are_checked_like_titles(title: str, problem: str) -> None:
    known = ChineseNames(names()).known
    assert any(problem in p for p in quality.title_problems(title, known))


def test_a_good_title_passes() -> None:
    known = ChineseNames(names()).known
    assert quality.title_problems("美国商务部发布 AI 芯片出口管制新规", known) == []


def test_reader_faults_name_what_a_reader_should_not_see() -> None:
    paragraph = Paragraph(text="美国 Commerce Department 发布新规，影响深远。", refs=(1,))
    section = Section(
        number="1",
        title="财联社 5 月 12 日电，美国商务",
        topic="policy",
        subsections=(Subsection(number="1.1", title="要点", paragraphs=(paragraph, paragraph)),),
    )
    briefing = Briefing.model_validate(
        {
            "date": "2026-05-06",
            "title": "t",
            "abstract": "",
            "sections": [section.model_dump()],
            "references": [],
            "verification": {"passed": True, "checked": 0},
        }
    )
    faults = quality.reader_faults(briefing, names())
    assert any("English name “Commerce Department”" in f for f in faults)
    assert any("stock phrase “影响深远”" in f for f in faults)
    assert any("repeats an earlier one" in f for f in faults)
    assert any("电头" in f for f in faults) and any("残缺" in f for f in faults)


# the prompts --------------------------------------------------------------------------------------
def test_the_v2_prompts_teach_the_voice_and_what_not_to_do() -> None:
    system, user = (
        m["content"]
        for m in prompts.messages("implications", "每日动态", section="1", items="[]", facts="…")
    )
    assert "世界纪录" in system and "美国商务部" in system and "产生了深远影响" in system
    assert "示例" in user and "好的分析" in user and "不要写" in user
    assert all(prompts.VERSIONS[t] == "v2" for t in ("title", "facts", "implications"))
    assert prompts.schema("implications")["required"] == ["refs", "title", "text"]


def test_the_prompts_quote_no_sentence_of_the_reference_bulletin() -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"the reference bulletin is not at {REFERENCE}")
    bulletin = re.sub(r"\s+", "", (REFERENCE / "bulletin-2026-05-06.txt").read_text("utf-8"))
    for task in ("system", "title", "facts", "implications", "abstract", "repair"):
        text = re.sub(r"\s+|\{\{.*?\}\}|\{%.*?%\}", "", prompts._text(f"{task}.v2.j2"))
        runs = {text[i : i + 14] for i in range(len(text) - 13)}
        assert not [r for r in runs if r in bulletin], task
