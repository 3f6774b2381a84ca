"""The ``llm`` writer: translated, analytical text from any OpenAI-compatible endpoint,
never trusted blindly.

Per story, the model sees only that story's items, numbered 1…n, trimmed to the token
budget (:mod:`dongtai.writers.llm.prompts`), and answers JSON (one task, one call):
  * relevance (optional, ``llm.relevance``; stories of three items or more): items the
    model says do not report the story's event are left out while two items remain;
  * title: the section's title (in a paired section, the story's subsection title; the
    section joins the two with "；"); a follow-up's title opens with "续报：";
  * facts (x.1): the writer opens it with the attribution naming every outlet and the
    date span, as the extractive writer does (what code can state exactly is not left to
    the model), then the model's account in Chinese; it cites every item;
  * implications (x.2): the analysis, citing the items it draws on;
then, for the issue, the abstract: one sentence per story, from the texts written.

Grounding: every text goes through the verification gate (:mod:`dongtai.writers.llm.gate`).
An answer with failures is regenerated once with its failures listed; a text that still
fails falls back to the extractive writer's (title, paragraph, abstract sentence), and
the issue's ``writer`` block records where and why. Sentences of an item addressed to a
model ("ignore previous instructions…") are dropped first, for the prompts, the gate and
the fallbacks alike (:func:`dongtai.writers.llm.prompts.without_instructions`). A
subsection title stays only with its own paragraph (generic titles carry no claim). An
unusable answer (time-outs, 429/5xx after retries, refusal, empty or invalid JSON after
one corrective retry) falls back the same way. Reference markers in a text ("[2]") are
removed (references are numbered when the issue is assembled); a facts text opening with
its own attribution ("据……报道，") loses it. Stories are written in parallel (``llm.concurrency``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dongtai.config import LLM_TASKS, Settings
from dongtai.errors import ConfigError
from dongtai.models import (
    Draft,
    DraftParagraph,
    DraftSection,
    DraftSubsection,
    Fallback,
    SectionPlan,
    Story,
)
from dongtai.writers import WriteContext
from dongtai.writers.extractive import (
    OWN_ATTRIBUTION,
    abstract_sentence,
    attribution,
    story_paragraphs,
    story_title,
)
from dongtai.writers.llm import prompts
from dongtai.writers.llm.answer import looks_refused
from dongtai.writers.llm.gate import StoryGate
from dongtai.writers.llm.session import Session

__all__ = ["LlmWriter"]

FACTS_TITLE = "报道要点"
FURTHER_TITLE = "更多事实与背景"
IMPLICATIONS_TITLE = "影响与启示"
MIN_KEPT = 2
RELEVANCE_FROM = 3
_WRAPPERS = {("“", "”"), ('"', '"'), ("「", "」"), ("'", "'")}
_MARKERS = re.compile(r"\s*[\[【]\d+(?:\s*[,，、\-–]\s*\d+)*[\]】]")
Parts = Callable[[dict[str, Any]], dict[str, list[str]]]


def clean(text: str) -> str:
    """A model's text without reference markers, blanks collapsed."""
    return " ".join(_MARKERS.sub("", text).split())


def clean_title(text: str) -> str:
    """A model's title without markers, a full stop, or quotation marks around all of it."""
    title = clean(text).rstrip("。.")
    wrapped = len(title) > 2 and (title[0], title[-1]) in _WRAPPERS
    return title[1:-1].strip() if wrapped else title


@dataclass
class _Written:
    """One story as written: its title, its paragraphs under their titles, and what the
    abstract needs."""

    title: str
    subsections: list[DraftSubsection]
    facts: str
    gate: StoryGate
    story: Story
    fallbacks: list[Fallback] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


class LlmWriter:
    """Writes with an OpenAI-compatible model, checked by the gate (module docstring)."""

    name = "llm"

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft:
        settings = _settings(context)
        session = Session(settings.llm, _cache_dir(settings))
        try:
            return self._write(plans, context, session, settings.branding.title)
        finally:
            session.close()

    def _write(
        self, plans: Sequence[SectionPlan], context: WriteContext, session: Session, bulletin: str
    ) -> Draft:
        jobs = [
            _StoryWriter(session, story, context, bulletin, f"{plan_no}", len(plan.stories), k)
            for plan_no, plan in enumerate(plans, start=1)
            for k, story in enumerate(plan.stories, start=1)
        ]
        with ThreadPoolExecutor(max_workers=session.settings.concurrency) as pool:
            written = list(pool.map(lambda job: job.run(), jobs))
        abstract, abstract_fallbacks = _Abstract(session, context, bulletin).write(written)
        sections, at = [], 0
        for plan in plans:
            sections.append(_section(plan, written[at : at + len(plan.stories)]))
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


def _settings(context: WriteContext) -> Settings:
    settings = context.settings
    if settings is None:
        raise ConfigError("the llm writer needs the run's settings in its context")
    if not settings.llm.base_url or not settings.llm.model:
        raise ConfigError(
            "the llm writer needs an endpoint and a model: set DONGTAI_LLM_BASE_URL and "
            "DONGTAI_LLM_MODEL (or base_url and model under [llm] in dongtai.toml)"
        )
    return settings


def _cache_dir(settings: Settings) -> Path:
    folder = settings.llm.cache_dir or Path("cache") / "llm"
    return folder if folder.is_absolute() else settings.home / folder


def _section(plan: SectionPlan, written: list[_Written]) -> DraftSection:
    if len(written) == 1:
        only = written[0]
        return DraftSection(title=only.title, topic=plan.topic, subsections=tuple(only.subsections))
    subsections = tuple(
        DraftSubsection(
            title=w.title, paragraphs=tuple(p for sub in w.subsections for p in sub.paragraphs)
        )
        for w in written
    )
    return DraftSection(
        title="；".join(w.title for w in written), topic=plan.topic, subsections=subsections
    )


class _StoryWriter:
    """Writes one story: relevance, title, facts, implications (module docstring)."""

    def __init__(
        self,
        session: Session,
        story: Story,
        context: WriteContext,
        bulletin: str,
        section: str,
        stories_in_section: int,
        k: int,
    ) -> None:
        self.session, self.context, self.bulletin = session, context, bulletin
        self.story = prompts.without_instructions(story)
        self.section = section
        self.paired = stories_in_section > 1
        self.sub = f"{section}.{k}"
        self.fallbacks: list[Fallback] = []

    # the story ------------------------------------------------------------------------
    def run(self) -> _Written:
        left_out = self._relevance() if self.session.settings.relevance else []
        gate = StoryGate(self.story, self.context)
        title = self._title(gate)
        facts, facts_title = self._facts(gate)
        implications = self._implications(gate, facts.text)
        subsections = self._subsections(facts, facts_title, implications)
        return _Written(title, subsections, facts.text, gate, self.story, self.fallbacks, left_out)

    def _subsections(
        self,
        facts: DraftParagraph,
        facts_title: str,
        implications: tuple[DraftParagraph, str] | None,
    ) -> list[DraftSubsection]:
        if self.paired:
            paragraphs = (facts,) if implications is None else (facts, implications[0])
            return [DraftSubsection(title="", paragraphs=paragraphs)]
        subsections = [DraftSubsection(title=facts_title, paragraphs=(facts,))]
        if implications is not None:
            paragraph, title = implications
            subsections.append(DraftSubsection(title=title, paragraphs=(paragraph,)))
        return subsections

    def _items(self) -> str:
        s = self.session.settings
        return prompts.items_block(
            self.story.items, self.context.sources, self.context.tz, s.item_tokens
        )

    def _messages(self, task: str, **values: Any) -> list[dict[str, str]]:
        return prompts.messages(
            task, self.bulletin, section=self.section, items=self._items(), **values
        )

    # tasks ----------------------------------------------------------------------------
    def _relevance(self) -> list[str]:
        items = self.story.items
        if len(items) < RELEVANCE_FROM:
            return []
        reply = self.session.ask(
            "relevance", self._messages("relevance"), prompts.schema("relevance")
        )
        if reply.data is None:
            return []
        off = {e["n"] for e in reply.data["items"] if not e["same_event"]}
        kept = tuple(item for n, item in enumerate(items, start=1) if n not in off)
        if len(kept) < MIN_KEPT or len(kept) == len(items):
            return []
        self.story = self.story.model_copy(update={"items": kept})
        return [item.url for n, item in enumerate(items, start=1) if n in off]

    def _title(self, gate: StoryGate) -> str:
        where = f"{self.sub} 标题" if self.paired else f"{self.section} 标题"
        data, failures, problem = self._verified(
            "title", self._messages("title"), lambda d: {"title": gate.title(self._story_title(d))}
        )
        if data is None or failures["title"]:
            self._fell_back(where, "title", problem or failures["title"])
            return story_title(self.story, self.context)
        return self._story_title(data)

    def _story_title(self, data: dict[str, Any]) -> str:
        title = clean_title(str(data["title"]))
        if self.story.follow_up_of is not None and not title.startswith("续报"):
            return f"续报：{title}"
        return title

    def _facts(self, gate: StoryGate) -> tuple[DraftParagraph, str]:
        opening = attribution(self.story, self.context)

        def parts(d: dict[str, Any]) -> dict[str, list[str]]:
            found = {"text": gate.paragraph(opening + _body(d), gate.numbers)}
            if not self.paired:
                found["title"] = gate.title(clean_title(d["title"]))
            return found

        data, failures, problem = self._verified("facts", self._messages("facts"), parts)
        where = self.sub if self.paired else f"{self.section}.1"
        if data is None or failures["text"]:
            self._fell_back(f"{where} 第 1 段", "facts", problem or failures["text"])
            return story_paragraphs(self.story, self.context)[0], FACTS_TITLE
        cites = tuple(item.url for item in self.story.items)
        paragraph = DraftParagraph(text=opening + _body(data), cites=cites)
        if failures.get("title"):
            self._fell_back(f"{where} 标题", "facts", failures["title"])
            return paragraph, FACTS_TITLE
        return paragraph, clean_title(data["title"])

    def _implications(self, gate: StoryGate, facts: str) -> tuple[DraftParagraph, str] | None:
        def parts(d: dict[str, Any]) -> dict[str, list[str]]:
            found = {"text": gate.paragraph(clean(d["text"]), _refs(d))}
            if not self.paired:
                found["title"] = gate.title(clean_title(d["title"]), _refs(d))
            return found

        messages = self._messages("implications", facts=facts)
        data, failures, problem = self._verified("implications", messages, parts)
        where = f"{self.sub} 第 2 段" if self.paired else f"{self.section}.2 第 1 段"
        if data is None or failures["text"]:
            self._fell_back(where, "implications", problem or failures["text"])
            further = story_paragraphs(self.story, self.context)[1:]
            return (further[0], FURTHER_TITLE) if further else None
        cites = tuple(dict.fromkeys(self.story.items[n - 1].url for n in _refs(data)))
        paragraph = DraftParagraph(text=clean(data["text"]), cites=cites)
        if failures.get("title"):
            self._fell_back(f"{self.section}.2 标题", "implications", failures["title"])
            return paragraph, IMPLICATIONS_TITLE
        return paragraph, clean_title(data["title"])

    # asking, checking, regenerating -----------------------------------------------------
    def _verified(
        self, task: str, messages: list[dict[str, str]], parts: Parts
    ) -> tuple[dict[str, Any] | None, dict[str, list[str]], str]:
        """The answer, its failures by part after at most one regeneration, or the
        reason there is no usable answer."""
        schema = prompts.schema(task)
        reply = self.session.ask(task, messages, schema, self._check)
        if reply.data is None:
            return None, {}, reply.problem
        failures = parts(reply.data)
        if not any(failures.values()):
            return reply.data, failures, ""
        self.session.ledger.regenerate()
        lines = [line for found in failures.values() for line in found]
        again = [
            *messages,
            {"role": "assistant", "content": json.dumps(reply.data, ensure_ascii=False)},
            {"role": "user", "content": prompts.repair_message(lines)},
        ]
        second = self.session.ask(task, again, schema, self._check)
        if second.data is None:
            return reply.data, failures, ""
        return second.data, parts(second.data), ""

    def _check(self, data: dict[str, Any]) -> str:
        """An answer's own faults: references that are no item, a refusal as text."""
        wrong = [n for n in data.get("refs", []) if not 1 <= n <= len(self.story.items)]
        if wrong:
            return f"refs {wrong} are not item numbers (1–{len(self.story.items)})"
        return _refused(data.get("title", ""), data.get("text", ""))

    def _fell_back(self, where: str, task: str, why: str | list[str]) -> None:
        reason = why if isinstance(why, str) else "; ".join(why)
        self.fallbacks.append(Fallback(where=where, task=task, reason=reason[:500]))


def _refused(*texts: str) -> str:
    said = next((t for t in texts if looks_refused(t)), "")
    return f"refused: {said[:120]}" if said else ""


def _body(data: dict[str, Any]) -> str:
    """The facts text without the attributions it opens with (the writer adds its own)."""
    text = clean(data["text"])
    for _ in range(3):
        text = OWN_ATTRIBUTION.sub("", text, count=1)
    return text


def _refs(data: dict[str, Any]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(n) for n in data["refs"]))


class _Abstract:
    """The abstract: one sentence per story, each checked against its story's items."""

    def __init__(self, session: Session, context: WriteContext, bulletin: str) -> None:
        self.session, self.context, self.bulletin = session, context, bulletin

    def write(self, written: list[_Written]) -> tuple[str, list[Fallback]]:
        stories = [
            {"story": k, "title": w.title, "facts": w.facts} for k, w in enumerate(written, 1)
        ]
        messages = prompts.messages("abstract", self.bulletin, stories=prompts.data_json(stories))
        schema = prompts.schema("abstract")
        reply = self.session.ask("abstract", messages, schema, _abstract_check)
        sentences = self._sentences(reply.data, len(written))
        failures = {k: written[k - 1].gate.abstract(s) for k, s in sentences.items()}
        if len(sentences) < len(written) or any(failures.values()):
            sentences, failures = self._again(written, messages, reply, sentences, failures)
        out, fallbacks = [], []
        for k, w in enumerate(written, start=1):
            if k in sentences and not failures.get(k):
                out.append(_full_stop(sentences[k]))
                continue
            why = "; ".join(failures.get(k) or [reply.problem or "no sentence for this story"])
            fallbacks.append(Fallback(where=f"摘要 第 {k} 句", task="abstract", reason=why[:500]))
            out.append(abstract_sentence(w.story, self.context))
        return "".join(out), fallbacks

    def _again(
        self,
        written: list[_Written],
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
        return redone, {k: written[k - 1].gate.abstract(s) for k, s in redone.items()}

    @staticmethod
    def _sentences(data: dict[str, Any] | None, count: int) -> dict[int, str]:
        if data is None:
            return {}
        found: dict[int, str] = {}
        for entry in data["sentences"]:
            k, text = entry["story"], clean(entry["text"])
            if 1 <= k <= count and text and k not in found:
                found[k] = text
        return found


def _abstract_check(data: dict[str, Any]) -> str:
    return _refused(*(str(entry["text"]) for entry in data["sentences"]))


def _full_stop(sentence: str) -> str:
    return sentence if sentence.endswith(("。", "！", "？", "”")) else sentence + "。"
