"""One writing session against an endpoint: the request of each task, the response
cache, the ledger (calls, tokens, cost), and one corrective retry of an unusable answer.

Rules:
  * a request is the task's model, the messages, temperature, max_tokens, the JSON mode
    and the extra fields; its cache key is the SHA-256 of that request as canonical JSON
    (streaming, the base URL and the key are left out: they do not change the answer);
  * the cache keeps every answer the server gave, usable or not, as one JSON file per key
    under the cache folder (written to a temporary file, then renamed, so a crash leaves
    no half-written entry); a re-run of the same day replays the same answers, makes no
    call and costs nothing;
  * an answer that is not the JSON the task asked for (refused, empty, not JSON, not
    matching the schema, or failing the task's own check) is asked again once: the same
    messages, the bad answer, and a note of what was wrong (its own cache key);
  * the ledger counts calls made, cache hits, retries, tokens billed (cached answers cost
    nothing) and the estimated cost from each model's price per million tokens; per task,
    calls, their seconds and tokens, and what became of each text (accepted first time,
    regenerated, fallen back, dropped) with the kinds of failure behind it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dongtai.config import LlmSettings
from dongtai.errors import LlmError
from dongtai.models import Fallback, TaskReport, WriterReport
from dongtai.writers.llm.answer import parse_answer
from dongtai.writers.llm.client import Answer, ChatClient

__all__ = ["Ledger", "Reply", "ResponseCache", "Session"]

Check = Callable[[dict[str, Any]], str]
FIX_NOTE = "上一个回答无法使用：{problem}。请只输出一个符合要求的 JSON 对象，不要输出其他内容。"


@dataclass(frozen=True)
class Reply:
    """A task's usable JSON object, or the reason there is none."""

    data: dict[str, Any] | None
    problem: str = ""


class ResponseCache:
    """Answers by request hash, one JSON file each (rules in the module docstring)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @staticmethod
    def key(body: dict[str, Any]) -> str:
        stable = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
        canonical = json.dumps(stable, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Answer | None:
        if self.folder is None:
            return None
        try:
            stored = json.loads(self._path(key).read_text("utf-8"))
            return Answer(**stored)
        except (OSError, ValueError, TypeError):
            return None  # absent or unreadable: ask the endpoint again

    def put(self, key: str, answer: Answer) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {**answer.__dict__, "retries": 0}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.replace(tmp, path)


@dataclass
class Ledger:
    """Calls, cache hits, retries, tokens and cost of one session."""

    settings: LlmSettings
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    regenerated: int = 0
    estimated: bool = False
    tokens: dict[str, list[int]] = field(default_factory=dict)
    tasks: dict[str, dict[str, float]] = field(default_factory=dict)
    reasons: dict[str, Counter[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def billed(self, task: str, model: str, answer: Answer, seconds: float = 0.0) -> None:
        with self._lock:
            self.calls += 1
            self.retries += answer.retries
            self.estimated = self.estimated or answer.estimated
            used = self.tokens.setdefault(model, [0, 0])
            used[0] += answer.prompt_tokens
            used[1] += answer.completion_tokens
            tally = self.tasks.setdefault(task, {})
            for name, value in (
                ("calls", 1),
                ("seconds", seconds),
                ("prompt_tokens", answer.prompt_tokens),
                ("completion_tokens", answer.completion_tokens),
            ):
                tally[name] = tally.get(name, 0) + value

    def outcome(self, task: str, kind: str, reasons: Iterable[str] = ()) -> None:
        """A text of ``task`` was accepted ("first", "regenerated"), "fallen_back" or
        "dropped"; ``reasons`` are the failures behind a regeneration or fallback."""
        with self._lock:
            tally = self.tasks.setdefault(task, {})
            tally[kind] = tally.get(kind, 0) + 1
            self.reasons.setdefault(task, Counter()).update(reason_kind(r) for r in reasons)

    def task_reports(self) -> dict[str, TaskReport]:
        return {
            task: TaskReport(
                calls=int(tally.get("calls", 0)),
                seconds=round(tally.get("seconds", 0.0), 3),
                prompt_tokens=int(tally.get("prompt_tokens", 0)),
                completion_tokens=int(tally.get("completion_tokens", 0)),
                first=int(tally.get("first", 0)),
                regenerated=int(tally.get("regenerated", 0)),
                fallen_back=int(tally.get("fallen_back", 0)),
                dropped=int(tally.get("dropped", 0)),
                reasons=dict(self.reasons.get(task, Counter()).most_common()),
            )
            for task, tally in sorted(self.tasks.items())
        }

    def hit(self) -> None:
        with self._lock:
            self.cache_hits += 1

    def regenerate(self) -> None:
        with self._lock:
            self.regenerated += 1

    def cost(self) -> float:
        total = 0.0
        for model, (prompt, completion) in self.tokens.items():
            price = self.settings.price_of(model)
            total += (prompt * price.input + completion * price.output) / 1_000_000
        return round(total, 6)

    def report(self, models: dict[str, str], fallbacks: list[Fallback]) -> WriterReport:
        return WriterReport(
            name="llm",
            model=self.settings.model,
            models=models,
            calls=self.calls,
            cache_hits=self.cache_hits,
            retries=self.retries,
            prompt_tokens=sum(t[0] for t in self.tokens.values()),
            completion_tokens=sum(t[1] for t in self.tokens.values()),
            tokens_estimated=self.estimated,
            estimated_cost=self.cost(),
            currency=self.settings.currency,
            regenerated=self.regenerated,
            fallbacks=tuple(fallbacks),
            tasks=self.task_reports(),
        )


_KIND = re.compile(r"^“[^”]*”（(\w+)）")


def reason_kind(line: str) -> str:
    """A failure line's kind: the claim kind of a gate line ("figure", "superlative"…),
    else the line's words before its first bracket or colon (at most 40 characters:
    "与报道要点重复", "标题含电头或记者署名")."""
    claim = _KIND.match(line)
    if claim:
        return claim.group(1)
    return re.split(r"[（(:：;；]", line, maxsplit=1)[0].strip()[:40] or "unknown"


class Session:
    """Asks the endpoint for each task's JSON (rules in the module docstring)."""

    def __init__(
        self,
        settings: LlmSettings,
        cache_dir: Path | None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.client = ChatClient(settings, transport)
        self.cache = ResponseCache(cache_dir if settings.cache else None)
        self.ledger = Ledger(settings)

    def close(self) -> None:
        self.client.close()

    def ask(
        self,
        task: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        check: Check | None = None,
    ) -> Reply:
        """The task's JSON object; one corrective retry; an LlmError becomes a reason."""
        try:
            answer = self._complete(task, messages, schema)
            reply = _usable(answer, schema, check)
            if reply.data is not None:
                return reply
            again = [
                *messages,
                {"role": "assistant", "content": answer.content},
                {"role": "user", "content": FIX_NOTE.format(problem=reply.problem)},
            ]
            second = _usable(self._complete(task, again, schema), schema, check)
        except LlmError as exc:
            return Reply(None, str(exc))
        if second.data is None:
            return Reply(None, f"{reply.problem}; asked again: {second.problem}")
        return second

    def body(self, task: str, messages: list[dict[str, str]], schema: dict[str, Any]) -> Any:
        s = self.settings
        body: dict[str, Any] = {
            **s.extra_body,
            "model": s.model_for(task),
            "messages": messages,
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
        }
        if s.response_format == "json_object":
            body["response_format"] = {"type": "json_object"}
        elif s.response_format == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": task, "schema": schema},
            }
        if s.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    def _complete(
        self, task: str, messages: list[dict[str, str]], schema: dict[str, Any]
    ) -> Answer:
        body = self.body(task, messages, schema)
        key = ResponseCache.key(body)
        cached = self.cache.get(key)
        if cached is not None:
            self.ledger.hit()
            return cached
        start = time.perf_counter()
        answer = self.client.complete(body)
        self.ledger.billed(task, body["model"], answer, time.perf_counter() - start)
        self.cache.put(key, answer)
        return answer


def _usable(answer: Answer, schema: dict[str, Any], check: Check | None) -> Reply:
    parsed = parse_answer(answer.content, schema, answer.refusal)
    if parsed.data is None:
        problem = parsed.problem
        if answer.finish_reason == "length":
            problem += " (cut off at max_tokens)"
        return Reply(None, problem)
    problem = check(parsed.data) if check else ""
    return Reply(None, problem) if problem else Reply(parsed.data)
