"""Benchmark: the demo issue written by the ``llm`` writer, against the ``extractive``
writer in the same run; per task, what the model's texts became.

Scripted (default): a local scripted OpenAI-compatible server (``tests/llmserver.py``)
answers every task from the items in its prompt and waits ``--latency`` seconds per
answer; one facts answer in two invents a figure the first time (the gate catches it and
the text is regenerated), and the implications of section 4 always invent one (they fall
back to the extractive paragraph). Runs, each from the same planned issue (write + verify):
  * extractive: the offline writer (baseline);
  * llm: a cold cache, JSON answers; llm, again: the same day re-run (all from the cache);
  * llm, streamed: a cold cache, server-sent events;
  * llm, plausible: the plausible-but-wrong model (boasts of records and firsts, dateline
    titles, English organisation names, implications repeating the facts, stock phrases).

Real model: ``--endpoint URL --model NAME`` (any OpenAI-compatible server: llama.cpp,
Ollama, vLLM, DeepSeek…; ``--api-key`` or DONGTAI_LLM_API_KEY when it needs one) writes
the demo issue once with a cold cache (``--sections N``: its first N sections only, for a
slow local model).

Each llm run prints calls, tokens, cache hits, regenerations, fallbacks, seconds and the
verdict; then per task: calls, seconds, tokens, texts accepted first time, regenerated,
fallen back, dropped, and the kinds of failure behind them; then what a reader should
never see (:func:`dongtai.writers.llm.quality.reader_faults`: unsupported superlatives,
English organisation names, stock phrases, bad titles, repeated paragraphs).

Run: ``.venv/bin/python bench/llm.py [--latency 0.2] [--concurrency 4]`` or
``.venv/bin/python bench/llm.py --endpoint http://127.0.0.1:8080/v1 --model NAME``.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import DEMO_DATE, ingest_lines, sample_lines
from tests.llmserver import (
    FakeLlm,
    Reply,
    Request,
    grounded,
    inflate,
    is_repair,
    plausible,
    task_of,
)

from dongtai import pipeline
from dongtai.config import load_settings
from dongtai.models import Briefing
from dongtai.sources import load_registry
from dongtai.store import open_store
from dongtai.writers.llm.quality import reader_faults

TASKS = ("relevance", "title", "facts", "implications", "abstract")


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


def planned(root: Path, sections: int = 0) -> Path:
    """The demo day run up to its plan (only its first ``sections`` when not 0)."""
    home = root / "planned"
    settings = load_settings(home=home)
    store = open_store(settings.db_url)
    ingest_lines(settings, store, sample_lines())
    pipeline.run_until(pipeline.Run(settings, store, DEMO_DATE), "plan")
    if sections:
        plan = store.load_stage(DEMO_DATE, "plan") or []
        store.save_stage(DEMO_DATE, "plan", plan[:sections])
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
        f"{label:<18} {w.calls:>5} {tokens:>13} {w.cache_hits:>6} {w.regenerated:>5} "
        f"{len(w.fallbacks):>9} {seconds:>8.2f}  {verdict} ({briefing.verification.checked})"
    )


def print_runs(rows: list[tuple[str, tuple[Briefing, float]]]) -> None:
    print(
        f"{'writer':<18} {'calls':>5} {'tokens p/c':>13} {'cached':>6} {'regen':>5} "
        f"{'fallbacks':>9} {'seconds':>8}  verification (claims)"
    )
    for label, (briefing, seconds) in rows:
        print(row(label, briefing, seconds))


def print_tasks(label: str, briefing: Briefing) -> None:
    """Per task: calls, seconds, tokens and what became of its texts, with the reasons."""
    writer = briefing.writer
    assert writer is not None
    print(f"\n{label}: per task")
    print(
        f"{'task':<13} {'calls':>5} {'seconds':>8} {'tokens p/c':>13} {'texts':>5} "
        f"{'first':>5} {'regen':>5} {'fallback':>8} {'dropped':>7}  reasons"
    )
    total = [0, 0, 0, 0, 0]
    for task in TASKS:
        t = writer.tasks.get(task)
        if t is None:
            continue
        texts = t.first + t.regenerated + t.fallen_back + t.dropped
        for i, value in enumerate((texts, t.first, t.regenerated, t.fallen_back, t.dropped)):
            total[i] += value
        reasons = ", ".join(f"{kind} {n}" for kind, n in t.reasons.items()) or "-"
        print(
            f"{task:<13} {t.calls:>5} {t.seconds:>8.1f} "
            f"{f'{t.prompt_tokens}/{t.completion_tokens}':>13} {texts:>5} {t.first:>5} "
            f"{t.regenerated:>5} {t.fallen_back:>8} {t.dropped:>7}  {reasons}"
        )
    texts, first, regen, fell, dropped = total
    if texts:
        print(
            f"texts {texts}: accepted first time {first} ({first / texts:.0%}), after "
            f"regeneration {regen} ({regen / texts:.0%}), fallen back {fell} "
            f"({fell / texts:.0%}), dropped {dropped} ({dropped / texts:.0%})"
        )
    faults = reader_faults(briefing, load_registry().organisation_names())
    print(f"what a reader should never see: {len(faults)}")
    for fault in faults:
        print(f"  {fault}")
    for fallback in writer.fallbacks:
        print(f"  fallback {fallback.where} ({fallback.task}): {fallback.reason[:100]}")


def scripted_runs(args: argparse.Namespace, root: Path, source: Path) -> None:
    fake = FakeLlm(scripted(args.latency)).start()
    wrong = FakeLlm(plausible).start()
    llm = {"base_url": fake.base_url, "model": "scripted", "concurrency": args.concurrency}
    llm |= {"price_input": 2.0, "price_output": 8.0, "currency": "CNY"}
    print(f"demo issue {DEMO_DATE}; scripted model, {args.latency} s per answer")
    rows = [("extractive", run(copy(source, root / "e"), writer="extractive"))]
    home = copy(source, root / "l")
    rows.append(("llm", run(home, writer="llm", llm=llm)))
    rows.append(("llm, again", run(home, writer="llm", llm=llm)))
    streamed = {**llm, "stream": True}
    rows.append(("llm, streamed", run(copy(source, root / "s"), writer="llm", llm=streamed)))
    misled = {**llm, "base_url": wrong.base_url, "model": "plausible"}
    rows.append(("llm, plausible", run(copy(source, root / "p"), writer="llm", llm=misled)))
    fake.stop()
    wrong.stop()
    print_runs(rows)
    cold = rows[1][1][0].writer
    assert cold is not None
    print(f"estimated cost of the cold run: {cold.estimated_cost:.6f} {cold.currency}")
    print_tasks("llm (scripted, cold)", rows[1][1][0])
    print_tasks("llm, plausible-but-wrong", rows[4][1][0])


def endpoint_run(args: argparse.Namespace, root: Path, source: Path) -> None:
    llm: dict[str, Any] = {
        "base_url": args.endpoint,
        "model": args.model,
        "concurrency": args.concurrency,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "item_tokens": args.item_tokens,
        "read_timeout": args.read_timeout,
        "response_format": args.response_format,
    }
    key = args.api_key or os.environ.get("DONGTAI_LLM_API_KEY", "")
    if key:
        llm["api_key"] = key
    part = f", first {args.sections} section(s)" if args.sections else ""
    print(f"demo issue {DEMO_DATE}{part}; model {args.model} at {args.endpoint}")
    rows = [("extractive", run(copy(source, root / "e"), writer="extractive"))]
    rows.append(("llm", run(copy(source, root / "l"), writer="llm", llm=llm)))
    print_runs(rows)
    print_tasks(f"llm ({args.model})", rows[1][1][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="scripted: s per answer")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--endpoint", help="an OpenAI-compatible base URL (…/v1)")
    parser.add_argument("--model", default="", help="the model name at --endpoint")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--sections", type=int, default=0, help="only the first N sections")
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--item-tokens", type=int, default=3000)
    parser.add_argument("--read-timeout", type=float, default=300.0)
    parser.add_argument(
        "--response-format", default="json_object", choices=["json_object", "json_schema", "none"]
    )
    args = parser.parse_args()
    if args.endpoint and not args.model:
        parser.error("--endpoint needs --model")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = planned(root, args.sections)
        if args.endpoint:
            endpoint_run(args, root, source)
        else:
            scripted_runs(args, root, source)


if __name__ == "__main__":
    main()
