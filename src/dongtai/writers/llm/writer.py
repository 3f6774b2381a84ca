"""The ``llm`` writer: translated, analytical text from any OpenAI-compatible endpoint,
never trusted blindly.

Per story, the model sees only that story's items, numbered 1…n, trimmed to the token
budget (:mod:`dongtai.writers.llm.prompts`), and answers JSON (one task, one call):
  * relevance (optional, ``llm.relevance``; stories of three items or more): items the
    model says do not report the story's event are left out while two items remain;
  * title: the section's title (in a paired section, the story's subsection title; the
    section is titled as the extractive writer titles pairs: "A；B" when that fits the
    title width, else a short common theme); a follow-up's title opens with "续报：";
  * facts (x.1): the writer opens it with the attribution naming every outlet and the
    date span, as the extractive writer does (what code can state exactly is not left to
    the model), then the model's account in Chinese; it cites every item;
  * implications (x.2): the analysis, citing the items it draws on;
then, for the issue, the abstract: one sentence per story, from the texts written.

Reader form: every text of the model has its English organisation names written in
Chinese (:mod:`dongtai.text.chinese_names`) and, in a paragraph, its sentences of stock
phrases removed (:mod:`dongtai.writers.llm.quality`). One story's writing is
:mod:`dongtai.writers.llm.story`; this module runs the stories and writes the abstract.

Grounding: every text goes through the verification gate (:mod:`dongtai.writers.llm.gate`:
figures, dates, names, quotations, superlatives/records/firsts), and through the
quality checks (titles like titles; a paragraph that was only stock phrases; an x.2
repeating its x.1). An answer with failures is regenerated once with its failures
listed; a text that still fails falls back to the extractive writer's (title, paragraph,
abstract sentence) — except an x.2 that still repeats its x.1 or was only stock phrases,
which is dropped — and the issue's ``writer`` block records where and why, with per task
what became of each text (accepted first time, regenerated, fallen back, dropped).
Sentences of an item addressed to a model ("ignore previous instructions…") are dropped
first, for the prompts, the gate and the fallbacks alike
(:func:`dongtai.writers.llm.prompts.without_instructions`). A subsection title stays
only with its own paragraph (generic titles carry no claim). An unusable answer (time-
outs, 429/5xx after retries, refusal, empty or invalid JSON after one corrective retry)
falls back the same way. Reference markers in a text ("[2]") are removed (references are
numbered when the issue is assembled); a facts text opening with its own attribution
("据……报道，") loses it. Stories are written in parallel (``llm.concurrency``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dongtai.config import LLM_TASKS, LlmSettings, Settings
from dongtai.errors import ConfigError
from dongtai.models import Draft, DraftSection, DraftSubsection, Fallback, SectionPlan
from dongtai.writers import WriteContext
from dongtai.writers.extractive import abstract_sentence
from dongtai.writers.headline import pair_title
from dongtai.writers.llm import prompts, quality
from dongtai.writers.llm.session import Session
from dongtai.writers.llm.story import Reader, StoryWriter, Written, refused

__all__ = ["LlmWriter"]


class LlmWriter:
    """Writes with an OpenAI-compatible model, checked by the gate (module docstring)."""

    name = "llm"

    def __init__(self, llm: LlmSettings, cache_dir: Path, bulletin: str) -> None:
        self.llm = llm
        self.cache_dir = cache_dir
        self.bulletin = bulletin

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmWriter:
        """The writer of the configured endpoint; a clear error when none is set."""
        if not settings.llm.base_url or not settings.llm.model:
            raise ConfigError(
                "the llm writer needs an endpoint and a model: set DONGTAI_LLM_BASE_URL and "
                "DONGTAI_LLM_MODEL (or base_url and model under [llm] in dongtai.toml)"
            )
        return cls(settings.llm, _cache_dir(settings), settings.branding.title)

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft:
        session = Session(self.llm, self.cache_dir)
        try:
            return self._write(plans, context, session, self.bulletin)
        finally:
            session.close()

    def _write(
        self, plans: Sequence[SectionPlan], context: WriteContext, session: Session, bulletin: str
    ) -> Draft:
        reader = Reader(context.names or {})
        jobs = [
            StoryWriter(session, story, context, reader, (bulletin, f"{plan_no}"), plan, k)
            for plan_no, plan in enumerate(plans, start=1)
            for k, story in enumerate(plan.stories, start=1)
        ]
        with ThreadPoolExecutor(max_workers=session.settings.concurrency) as pool:
            written = list(pool.map(lambda job: job.run(), jobs))
        abstract, abstract_fallbacks = _Abstract(session, context, bulletin, reader).write(written)
        sections, at = [], 0
        for plan in plans:
            sections.append(_section(plan, written[at : at + len(plan.stories)], context))
            at += len(plan.stories)
        fallbacks = [f for w in written for f in w.fallbacks] + abstract_fallbacks
        tasks = [t for t in LLM_TASKS if t != "relevance" or session.settings.relevance]
        models = {task: session.settings.model_for(task) for task in tasks}
        report = session.ledger.report(models, fallbacks)
        left_out = tuple(url for w in written for url in w.left_out)
        return Draft(
            abstract=abstract,
            sections=tuple(sections),
            report=report.model_copy(update={"left_out": left_out}),
        )


def _cache_dir(settings: Settings) -> Path:
    folder = settings.llm.cache_dir or Path("cache") / "llm"
    return folder if folder.is_absolute() else settings.home / folder


def _section(plan: SectionPlan, written: list[Written], context: WriteContext) -> DraftSection:
    if len(written) == 1:
        only = written[0]
        return DraftSection(title=only.title, topic=plan.topic, subsections=tuple(only.subsections))
    subsections = tuple(
        DraftSubsection(
            title=w.title, paragraphs=tuple(p for sub in w.subsections for p in sub.paragraphs)
        )
        for w in written
    )
    first, second = (w.title for w in written)
    topic_zh = context.topic_names.get(plan.topic, plan.topic)
    title = pair_title(first, second, topic_zh, context.title_chars, context.names)
    return DraftSection(title=title, topic=plan.topic, subsections=subsections)


class _Abstract:
    """The abstract: one sentence per story, each checked against its story's items."""

    def __init__(
        self, session: Session, context: WriteContext, bulletin: str, reader: Reader
    ) -> None:
        self.session, self.context, self.bulletin = session, context, bulletin
        self.reader = reader

    def write(self, written: list[Written]) -> tuple[str, list[Fallback]]:
        stories = [
            {"story": k, "title": w.title, "facts": w.facts} for k, w in enumerate(written, 1)
        ]
        messages = prompts.messages("abstract", self.bulletin, stories=prompts.data_json(stories))
        schema = prompts.schema("abstract")
        reply = self.session.ask("abstract", messages, schema, _abstract_check)
        sentences = self._sentences(reply.data, len(written))
        failures = self._failures(written, sentences)
        first = dict(failures)
        if len(sentences) < len(written) or any(failures.values()):
            sentences, failures = self._again(written, messages, reply, sentences, failures)
        out, fallbacks = [], []
        ledger = self.session.ledger
        for k, w in enumerate(written, start=1):
            if k in sentences and not failures.get(k):
                out.append(_full_stop(sentences[k]))
                ledger.outcome(
                    "abstract", "regenerated" if first.get(k) else "first", first.get(k, [])
                )
                continue
            lines = failures.get(k) or [reply.problem or "no sentence for this story"]
            ledger.outcome("abstract", "fallen_back", lines)
            why = "; ".join(lines)
            fallbacks.append(Fallback(where=f"摘要 第 {k} 句", task="abstract", reason=why[:500]))
            out.append(abstract_sentence(w.story, self.context))
        return "".join(out), fallbacks

    def _failures(self, written: list[Written], sentences: dict[int, str]) -> dict[int, list[str]]:
        return {
            k: written[k - 1].gate.abstract(s) + [f"含套话（“{p}”）" for p in quality.stock_in(s)]
            for k, s in sentences.items()
        }

    def _again(
        self,
        written: list[Written],
        messages: list[dict[str, str]],
        reply: Any,
        sentences: dict[int, str],
        failures: dict[int, list[str]],
    ) -> tuple[dict[int, str], dict[int, list[str]]]:
        if reply.data is None:
            return sentences, failures
        self.session.ledger.regenerate()
        lines = [f"第 {k} 则：{line}" for k, found in failures.items() for line in found]
        lines += [
            f"第 {k} 则：缺少这一句" for k in range(1, len(written) + 1) if k not in sentences
        ]
        again = [
            *messages,
            {"role": "assistant", "content": json.dumps(reply.data, ensure_ascii=False)},
            {"role": "user", "content": prompts.repair_message(lines)},
        ]
        second = self.session.ask("abstract", again, prompts.schema("abstract"), _abstract_check)
        if second.data is None:
            return sentences, failures
        redone = self._sentences(second.data, len(written))
        return redone, self._failures(written, redone)

    def _sentences(self, data: dict[str, Any] | None, count: int) -> dict[int, str]:
        if data is None:
            return {}
        found: dict[int, str] = {}
        for entry in data["sentences"]:
            k, text = entry["story"], self.reader.sentence(entry["text"])
            if 1 <= k <= count and text and k not in found:
                found[k] = text
        return found


def _abstract_check(data: dict[str, Any]) -> str:
    return refused(*(str(entry["text"]) for entry in data["sentences"]))


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith(("。", "！", "？", "”")) else sentence + "。"
