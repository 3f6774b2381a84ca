"""Benchmark of the verification gate: mutation catch rates and false alarms.

    .venv/bin/python bench/verify.py [--mutants 600] [--seed 0]

For each corpus — the bundled demo day (2026-05-06) and the second sample day of the tests
(``tests/data/sample-2026-05-13.jsonl``) — it builds the issue, applies ``--mutants``
random single mutations (:mod:`dongtai.mutations`: digit, scale, percent, direction,
org_swap, date_shift, quote, wrong_ref, drop_item) and prints, per kind, how many the
gate caught, beside a baseline measured in the same run: the figure-value check alone
(what the gate checked before claims had dates, names, quotes, citations, directions,
periods and contexts). It then builds every issue of both corpora for three windows
(24, 48, 72 h) and several dates, and counts false alarms: unsupported claims in
unmutated issues. Last, the time one gate run takes on each corpus.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench import mutations
from dongtai import pipeline
from dongtai.config import Settings, load_settings
from dongtai.ingest import store_lines
from dongtai.models import Verification
from dongtai.sources import load_registry
from dongtai.store import open_store
from dongtai.verify.gate import Index, verify_briefing
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
VALUE_ONLY = "no cited item states this figure"


def build(corpus: Path, day: date, hours: int, home: Path) -> tuple[Settings, pipeline.Result]:
    settings = load_settings(home=home, window_hours=hours, formats=["json"])
    store = open_store(settings.db_url)
    registry = load_registry(settings.home)
    lines = corpus.read_text("utf-8").splitlines()
    store_lines(store, lines, registry, zone(settings.timezone), 0.4)
    return settings, pipeline.build(settings, day, store=store)


def baseline_caught(verification: Verification) -> bool:
    """Caught by the figure-value check alone (no other claim kind, no context rules)."""
    return any(
        c.kind == "figure" and c.reason.startswith(VALUE_ONLY) for c in verification.unsupported
    )


def mutation_table(
    name: str, settings: Settings, result: pipeline.Result, count: int, seed: int
) -> float:
    index = index_for(settings, result.briefing)
    rows: dict[str, list[int]] = {}
    for mutant in mutations.mutants(result.briefing, index, count, seed):
        verdict = verify_briefing(mutant.briefing, index)
        row = rows.setdefault(mutant.kind, [0, 0, 0])
        row[0] += 1
        row[1] += not verdict.passed
        row[2] += baseline_caught(verdict)
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    print(f"\n{name}: {total[0]} mutants (seed {seed})")
    print(
        f"  {'kind':<11} {'mutants':>7} {'caught':>7} {'rate':>8}   baseline (figure values only)"
    )
    for kind, (n, caught, base) in rows.items():
        print(f"  {kind:<11} {n:>7} {caught:>7} {caught / n:>8.1%}   {base / n:>8.1%}")
    rate = total[1] / total[0]
    print(f"  {'all':<11} {total[0]:>7} {total[1]:>7} {rate:>8.1%}   {total[2] / total[0]:>8.1%}")
    return rate


def false_alarms() -> tuple[int, int, int]:
    issues = claims = alarms = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (corpus, _, days) in CORPORA.items():
            for hours in WINDOWS:
                for day in days:
                    home = Path(tmp) / f"{name.split()[0]}-{day}-{hours}"
                    _, result = build(corpus, day, hours, home)
                    v = result.briefing.verification
                    issues, claims, alarms = (
                        issues + 1,
                        claims + v.checked,
                        alarms + len(v.unsupported),
                    )
                    for c in v.unsupported:
                        print(
                            f"  FALSE ALARM {name} {day} {hours}h {c.where}: {c.text} ({c.reason})"
                        )
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
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (corpus, day, _) in CORPORA.items():
            settings, result = build(corpus, day, 48, Path(tmp) / name.split()[0])
            v = result.briefing.verification
            sections = len(result.briefing.sections)
            print(f"\n{name}: {sections} sections, {v.checked} claims, passed={v.passed}")
            rates.append(mutation_table(name, settings, result, args.mutants, args.seed))
            cold, warm = timing(settings, result)
            print(f"  one gate run: {cold:.0f} ms with a fresh index, {warm:.0f} ms reusing it")
    print("\nfalse alarms over every issue of both corpora (windows 24/48/72 h):")
    issues, claims, alarms = false_alarms()
    print(f"  {issues} issues, {claims} claims checked, {alarms} false alarms")
    return 0 if min(rates) >= 0.99 and alarms == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
