"""Each stage on small, hand-made records: the rules in the module docstrings hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dongtai.config import Settings
from dongtai.models import Classified, Copy, Item, Story
from dongtai.stages.classify import classify_item, load_topics
from dongtai.stages.dedupe import canonical_url, dedupe
from dongtai.stages.plan import left_out, plan
from dongtai.stages.rank import rank
from dongtai.store import Store

T0 = datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
WINDOW = (T0 - timedelta(hours=40), T0 + timedelta(hours=8))
BODY_ZH = (
    "美国半导体行业协会5月5日发布数据显示，2026年一季度全球半导体销售额同比增长25%，"
    "按此势头全年销售额有望首次突破1万亿美元。数据显示，一季度全球半导体销售额为2054亿美元。"
    "人工智能是推动行业增长的主要力量，数据中心GPU和高带宽存储需求旺盛。"
)


def item(url: str, source: str, title: str, text: str, lang: str = "en", hours: int = 0) -> Item:
    return Item(
        url=url,
        source=source,
        title=title,
        published=T0 + timedelta(hours=hours),
        text=text,
        language=lang,  # type: ignore[arg-type]
    )


def story(sid: str, topic: str, outlets: list[str], concepts: tuple[str, ...] = ()) -> Story:
    items = tuple(item(f"https://{o}.example/{sid}", o, sid, "text") for o in outlets)
    return Story(id=sid, topic=topic, items=items, concepts=concepts)


def test_canonical_url_ignores_tracking_scheme_www_and_slash() -> None:
    assert canonical_url("http://www.Example.com/a/?utm_source=x&id=3#top") == canonical_url(
        "https://example.com/a?id=3"
    )
    assert canonical_url("https://example.com/a?id=3") != canonical_url(
        "https://example.com/a?id=4"
    )


def test_syndicated_copy_collapses_and_keeps_every_outlet() -> None:
    original = item("https://yicai.com/1", "yicai", "销售额增长25%", BODY_ZH, "zh")
    copy = item(
        "https://sina.com/9", "sina-finance", "销售额增25%", BODY_ZH + "来源：第一财经", "zh", 2
    )
    tracked = item(
        "https://www.yicai.com/1/?utm_medium=rss", "yicai-rss", "x", "另一段文字。", "zh"
    )
    other = item(
        "https://cls.cn/2", "cls", "另一件事", "宁德时代发布新一代钠离子电池，能量密度提升。", "zh"
    )
    kept = dedupe([original, copy, tracked, other], {"yicai": 0.8, "sina-finance": 0.5, "cls": 0.7})
    assert len(kept) == 2
    lead = next(k for k in kept if k.url == "https://yicai.com/1")
    assert lead.source == "yicai"
    assert set(lead.copies) == {
        Copy(
            source="sina-finance",
            url="https://sina.com/9",
            reason="near-identical text (Jaccard 0.94)",
        ),
        Copy(
            source="yicai-rss",
            url="https://www.yicai.com/1/?utm_medium=rss",
            reason="same canonical URL",
        ),
    }
    assert set(lead.outlets()) == {"yicai", "sina-finance", "yicai-rss"}


def test_classify_keeps_strategic_news_and_drops_sports_with_a_tech_sponsor() -> None:
    topics = load_topics()
    chips = classify_item(
        item("https://a/1", "x", "一季度全球半导体销售额同比增长25%", BODY_ZH, "zh"), topics
    )
    assert chips.on_topic and chips.topic == "semiconductors" and "chip" in chips.concepts
    match = classify_item(
        item(
            "https://a/2",
            "x",
            "中超第11轮：主队补时绝杀",
            "比赛最后时刻主队进球，赞助商一家芯片企业的代表到场观赛，球迷欢呼。",
            "zh",
        ),
        topics,
    )
    assert not match.on_topic and match.reason.startswith("off-topic (sports")
    storm = classify_item(
        item(
            "https://a/3",
            "x",
            "Rainstorm warning issued",
            "Heavy rainstorm and flooding; the power grid held up.",
            "en",
        ),
        topics,
    )
    assert not storm.on_topic and "weather" in storm.reason


def test_rank_counts_outlets_not_syndicated_copies() -> None:
    original = item("https://r/1", "reuters", "t", "x")
    with_copies = Story(
        id="a",
        topic="semiconductors",
        items=(original.model_copy(update={"copies": (Copy(source="yahoo", url="https://y/1"),)}),),
    )
    two_outlets = Story(
        id="b", topic="semiconductors", items=(original, item("https://s/1", "sia", "t", "x"))
    )
    weights = {"reuters": 0.9, "sia": 0.9, "yahoo": 0.5}
    ranked = rank([with_copies, two_outlets], weights, {"semiconductors": 1.2}, WINDOW)
    assert [s.id for s in ranked] == ["b", "a"]
    assert ranked[1].reasons[0].startswith("coverage: 1 outlet(s)")


def test_plan_pairs_related_overflow_and_lists_what_is_left_out() -> None:
    ranked = [
        story("policy1", "policy", ["a", "b", "c"]),
        story("policy2", "policy", ["a", "d"]),
        story("wafer", "semiconductors", ["e", "f"], ("chip", "wafer", "self_sufficiency")),
        story("sales", "semiconductors", ["g", "h"], ("chip", "chip_sales")),
        story("shipments", "semiconductors", ["i", "j"], ("chip", "wafer")),
        story("drugs", "biotech", ["k", "l"], ("drug",)),
        story("single", "ai", ["m"], ("ai",)),
    ]
    sections = plan(ranked, max_sections=4, min_outlets=2, max_stories=5)
    assert [[s.id for s in sec.stories] for sec in sections] == [
        ["policy1"],
        ["policy2"],
        ["wafer", "shipments"],
        ["sales"],
    ]
    out = left_out(ranked, sections, max_sections=4, min_outlets=2, max_stories=5)
    assert [(o.story, o.reason.split(" (")[0]) for o in out] == [
        ("drugs", "over the budget of 5 stories")
    ]
    roomy = plan(ranked, max_sections=6, min_outlets=2, max_stories=8)
    assert [s.stories[0].id for s in roomy] == [
        "policy1",
        "policy2",
        "wafer",
        "sales",
        "shipments",
        "drugs",
    ]
    assert left_out(ranked, roomy, 6, 2, 8) == []


def test_a_thin_day_gives_a_short_plan_never_filler() -> None:
    ranked = [story("a", "ai", ["x", "y"]), story("b", "ai", ["z"]), story("c", "quantum", ["w"])]
    sections = plan(ranked, max_sections=4, min_outlets=2)
    assert [sec.stories[0].id for sec in sections] == ["a"]
    assert plan([], 4, 2) == []


def test_borderline_items_are_judged_by_their_closeness_to_topic_examples() -> None:
    from dongtai.stages.classify import classify
    from dongtai.text.embedding import embed

    topics = load_topics()
    launch = item(
        "https://a/1",
        "x",
        "A Dongguan workshop bets on orbital launch hardware",
        "The company machines turbopump housings and valves for reusable rocket builders "
        "in southern China, and says orders doubled this year.",
    )
    bookshop = item(
        "https://a/2",
        "x",
        "城市书店的夜读生活",
        "这家书店开到凌晨，店里的电动汽车充电桩也吸引了不少夜归人。",
        "zh",
    )
    keyword_only = classify([launch, bookshop], topics, {})
    assert not any(e.on_topic for e in keyword_only)
    judged = classify([launch, bookshop], topics, {}, embed)
    assert judged[0].on_topic and judged[0].topic == "aerospace"
    assert "examples" in judged[0].reason
    assert not judged[1].on_topic


def test_copied_and_judged_off_stories_are_left_out_with_the_reason() -> None:
    from dongtai.stages.plan import judged_off

    lone = story("lone", "ai", ["x"], ("ai",))
    copied = lone.items[0].model_copy(
        update={"copies": (Copy(source="y", url="https://y.example/lone"),)}
    )
    reposted = lone.model_copy(update={"items": (copied,)})
    out = left_out([reposted], [], max_sections=6, min_outlets=2, max_stories=8)
    assert [(o.story, o.outlets, o.urls) for o in out] == [
        ("lone", ("x",), ("https://x.example/lone", "https://y.example/lone"))
    ]
    assert "copies by y are not independent coverage" in out[0].reason
    assert left_out([lone], [], 6, 2, 8) == []  # one outlet, no copies: not a strong story
    near = story("near", "ai", ["a", "b"])
    closer = story("closer", "ai", ["c", "d"])

    def judged(item: Item, relevance: float, reason: str) -> Classified:
        return Classified(item=item, topic="ai", relevance=relevance, on_topic=False, reason=reason)

    entries = {
        near.items[0].url: judged(near.items[0], 0.10, "off-topic (relevance model 0.10 < 0.3)"),
        near.items[1].url: judged(near.items[1], 0.05, "off-topic (consumer: lifestyle)"),
        closer.items[0].url: judged(closer.items[0], 0.74, "too little evidence; model 0.74"),
        closer.items[1].url: judged(closer.items[1], 0.2, "too little evidence; model 0.20"),
    }
    first, second = judged_off([near, lone, closer], entries, min_outlets=2)
    assert first.story == "closer" and first.reason.endswith("model 0.74")
    assert second.story == "near" and second.reason.startswith("judged off topic: off-topic (rel")


def test_near_misses_are_items_that_named_a_topic_or_that_the_model_rated_relevant() -> None:
    from dongtai.stages.classify import near_misses
    from dongtai.stages.relevance import load_model

    threshold = load_model().threshold
    base = item("https://x.example/a", "x", "Galaxy phone sales", "text")

    def judged(relevance: float, concepts: tuple[str, ...], on: bool = False) -> Classified:
        return Classified(
            item=base, topic="ai", relevance=relevance, on_topic=on, reason="r", concepts=concepts
        )

    named = judged(0.01, ("chip",))
    rated = judged(threshold, ())
    neither = judged(threshold - 0.01, ())
    carried = judged(0.9, ("chip",), on=True)
    assert near_misses([named, rated, neither, carried]) == [named, rated]


def test_the_relevance_score_from_sparse_n_grams_equals_the_dense_rows() -> None:
    import numpy as np

    from dongtai.stages.relevance import char_features, load_model

    model = load_model()
    titles = ["国产光刻机交付 12 台", "Chipmaker ships tools", "", "大件运输欢迎咨询"]
    vectors = np.random.default_rng(0).normal(size=(len(titles), 512))
    dense = model.probability(np.hstack([vectors, char_features(titles)]))
    assert np.allclose(model.score(vectors, titles), dense)


def test_a_chained_component_too_large_for_linkage_is_split_at_stronger_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    from dongtai.stages import cluster

    monkeypatch.setattr(cluster, "MAX_LINKAGE", 3)
    nodes = np.arange(6)
    # a chain 0-1-2-3-4-5: weak links 2-3 and 4-5 (under 0.55), strong ones elsewhere
    left, right = np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 4, 5])
    sims = np.array([0.9, 0.9, 0.52, 0.9, 0.53])
    found = cluster.components(nodes, left, right, sims, cut=0.5)
    assert sorted(found) == [[0, 1, 2], [3, 4], [5]]
    assert sorted(cluster.components(nodes, left, right, sims, cut=0.4)) == sorted(found)
    monkeypatch.setattr(cluster, "MAX_LINKAGE", 6)
    assert cluster.components(nodes, left, right, sims, cut=0.5) == [[0, 1, 2, 3, 4, 5]]


def test_pairs_scored_in_chunks_give_the_same_stories(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, store: Store
) -> None:
    from dongtai import pipeline
    from dongtai.stages import cluster
    from tests.conftest import DEMO_DATE, ingest_lines, sample_lines

    ingest_lines(settings, store, sample_lines())

    def stories() -> list[tuple[str, ...]]:
        run = pipeline.Run(settings, store, DEMO_DATE, include_off_topic=True, persist=False)
        found = pipeline.run_until(run, "cluster")["cluster"]
        return [tuple(i.url for i in s.items) for s in found]

    whole = stories()
    monkeypatch.setattr(cluster, "PAIR_CHUNK", 7)
    assert stories() == whole and len(whole) > 10


def test_verbatim_copies_join_without_a_jaccard_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from dongtai.stages import dedupe as stage

    body = "国产光刻机首台交付客户，整机良率达到设计要求，明年产能将提升至每年二十台。" * 3
    reworded = body.replace("明年", "下一年")
    items = [
        item("https://a.example/1", "a", "t", body, "zh"),
        item("https://b.example/1", "b", "t", "  " + body.replace("，", " ，"), "zh", 1),
        item("https://c.example/1", "c", "t", reworded, "zh", 2),
    ]
    checked: list[tuple[int, int]] = []
    jaccards = stage._jaccards

    def spy(found: list[Item], pairs: list[tuple[int, int]]) -> list[float]:
        checked.extend(pairs)
        return jaccards(found, pairs)

    monkeypatch.setattr(stage, "_jaccards", spy)
    [kept] = dedupe(items, {})
    assert [c.reason for c in kept.copies] == [
        "near-identical text (Jaccard 1.00)",
        kept.copies[1].reason,
    ]
    assert kept.copies[1].reason.startswith("near-identical text (Jaccard 0.")
    assert checked == [(0, 2)]  # only the reworded copy is compared


NEIGHBOURS_OF_RANDOM_VECTORS = """
import hashlib, numpy as np
from dongtai.stages import cluster
vectors = np.random.default_rng(0).normal(size=(3000, 512))
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
keys, _ = cluster._nearest(vectors, 20)
print(hashlib.sha1(keys.tobytes()).hexdigest())
"""


def test_nearest_neighbours_are_the_same_in_every_process() -> None:
    """The neighbour index is built the same way every run (a multi-threaded build
    gave other neighbours, hence other stories, from one run of a large day to the next)."""
    import subprocess
    import sys

    runs = {
        subprocess.run(
            [sys.executable, "-c", NEIGHBOURS_OF_RANDOM_VECTORS],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(3)
    }
    assert len(runs) == 1
