"""Benchmark: the demo issue written by the ``llm`` writer against a local scripted
OpenAI-compatible server, against the ``extractive`` writer in the same run.

The scripted model (``tests/llmserver.py``) answers every task from the items in its
prompt and waits ``--latency`` seconds per answer, as a remote model would; one facts
answer in two invents a figure the first time (the gate catches it and the text is
regenerated), and the implications of section 4 always invent one (they fall back
to the extractive paragraph). Runs, each from the same planned issue (write + verify):
  * extractive: the offline writer (baseline);
  * llm: a cold cache, JSON answers;
  * llm, again: the same day re-run (every answer from the cache);
  * llm, streamed: a cold cache, server-sent events.
Prints calls, tokens, cache hits, regenerations, fallbacks, seconds and the verdict.

Run: ``.venv/bin/python bench/llm.py [--latency 0.2] [--concurrency 4]``. Asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import DEMO_DATE, ingest_lines, sample_lines
from tests.llmserver import FakeLlm, Reply, Request, grounded, inflate, is_repair, task_of

from dongtai import pipeline
from dongtai.config import load_settings
from dongtai.models import Briefing
from dongtai.store import open_store


def scripted(latency: float) -> Any:
    facts_seen = [0]

    def script(request: Request) -> Reply:
        reply = grounded(request)
        reply.delay = latency
        task = task_of(request)
        if task == "facts" and not is_repair(request):
            facts_seen[0] += 1
            if facts_seen[0] % 2:
                reply.content = inflate(reply.content)
        if task == "implications" and "第 4 节" in request["messages"][1]["content"]:
            reply.content = inflate(reply.content)
        return reply

    return script


def planned(root: Path) -> Path:
    home = root / "planned"
    settings = load_settings(home=home)
    store = open_store(settings.db_url)
    ingest_lines(settings, store, sample_lines())
    pipeline.run_until(pipeline.Run(settings, store, DEMO_DATE), "plan")
    store.engine.dispose()
    return home


def copy(source: Path, target: Path) -> Path:
    target.mkdir()
    for part in source.glob("dongtai.db*"):
        shutil.copy(part, target / part.name)
    return target


def run(home: Path, **overrides: Any) -> tuple[Briefing, float]:
    settings = load_settings(home=home, **overrides)
    start = time.perf_counter()
    pipeline.run_stage(settings, DEMO_DATE, "write")
    briefing: Briefing = pipeline.run_stage(settings, DEMO_DATE, "verify")
    return briefing, time.perf_counter() - start


def row(label: str, briefing: Briefing, seconds: float) -> str:
    w = briefing.writer
    assert w is not None
    verdict = "passed" if briefing.verification.passed else "FAILED"
    tokens = f"{w.prompt_tokens}/{w.completion_tokens}"
    return (
        f"{label:<18} {w.calls:>5} {tokens:>11} {w.cache_hits:>6} {w.regenerated:>5} "
        f"{len(w.fallbacks):>9} {seconds:>8.2f}  {verdict} ({briefing.verification.checked})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = planned(root)
        fake = FakeLlm(scripted(args.latency)).start()
        llm = {"base_url": fake.base_url, "model": "scripted", "concurrency": args.concurrency}
        llm |= {"price_input": 2.0, "price_output": 8.0, "currency": "CNY"}
        print(f"demo issue {DEMO_DATE}; scripted model, {args.latency} s per answer")
        print(
            f"{'writer':<18} {'calls':>5} {'tokens p/c':>11} {'cached':>6} {'regen':>5} "
            f"{'fallbacks':>9} {'seconds':>8}  verification (claims)"
        )
        rows = [("extractive", run(copy(source, root / "e"), writer="extractive"))]
        home = copy(source, root / "l")
        rows.append(("llm", run(home, writer="llm", llm=llm)))
        rows.append(("llm, again", run(home, writer="llm", llm=llm)))
        streamed = {**llm, "stream": True}
        rows.append(("llm, streamed", run(copy(source, root / "s"), writer="llm", llm=streamed)))
        fake.stop()
        for label, (briefing, seconds) in rows:
            print(row(label, briefing, seconds))
        cold = rows[1][1][0].writer
        assert cold is not None
        print(f"estimated cost of the cold run: {cold.estimated_cost:.6f} {cold.currency}")
        for fallback in cold.fallbacks:
            print(f"  fallback {fallback.where} ({fallback.task}): {fallback.reason[:90]}")


if __name__ == "__main__":
    main()
