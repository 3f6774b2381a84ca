"""One story written by the ``llm`` writer: relevance, title, facts (x.1) and
implications (x.2), each answer checked before it is kept.

Rules: every text passes the story's verification gate and the quality checks; an
answer with failures is asked again once with its failures listed; a text that still
fails falls back to the extractive writer's (an x.2 that repeats its x.1 or is only
stock phrases is dropped instead), and every fallback says where and why. Model texts
lose reference markers ("[2]"), a facts text its own attribution, and are put in reader
form (Chinese organisation names, stock phrases removed) by :class:`Reader`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dongtai.models import DraftParagraph, DraftSubsection, Fallback, SectionPlan, Story
from dongtai.text.chinese_names import ChineseNames
from dongtai.writers import WriteContext
from dongtai.writers.extractive import OWN_ATTRIBUTION, attribution, story_paragraphs, story_title
from dongtai.writers.llm import prompts, quality
from dongtai.writers.llm.answer import looks_refused
from dongtai.writers.llm.gate import StoryGate
from dongtai.writers.llm.session import Session

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
class Written:
    """One story as written: its title, its paragraphs under their titles, and what the
    abstract needs."""

    title: str
    subsections: list[DraftSubsection]
    facts: str
    gate: StoryGate
    story: Story
    fallbacks: list[Fallback] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


class Reader:
    """Reader text from a model's: markers gone, organisations in Chinese, sentences of
    stock phrases removed from paragraphs; and the title checks that need the names."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = ChineseNames(names)

    def title(self, raw: str) -> str:
        return self.names.to_chinese(clean_title(raw))

    def paragraph(self, raw: str) -> str:
        return quality.without_stock(self.names.to_chinese(raw))

    def sentence(self, raw: str) -> str:
        return self.names.to_chinese(clean(raw))

    def title_problems(self, title: str) -> list[str]:
        return quality.title_problems(title, self.names.known)


@dataclass
class _Verdict:
    """An answer (or why there is none), its failures by part after at most one
    regeneration, and the failures of the first answer when it was regenerated."""

    data: dict[str, Any] | None
    failures: dict[str, list[str]]
    problem: str = ""
    first: list[str] = field(default_factory=list)

    @property
    def regenerated(self) -> bool:
        return bool(self.first)


class StoryWriter:
    """Writes one story: relevance, title, facts, implications (module docstring)."""

    def __init__(
        self,
        session: Session,
        story: Story,
        context: WriteContext,
        reader: Reader,
        where: tuple[str, str],
        plan: SectionPlan,
        k: int,
    ) -> None:
        self.session, self.context, self.reader = session, context, reader
        self.bulletin, self.section = where
        self.story = prompts.without_instructions(story)
        self.paired = len(plan.stories) > 1
        self.sub = f"{self.section}.{k}"
        self.fallbacks: list[Fallback] = []

    # the story ------------------------------------------------------------------------
    def run(self) -> Written:
        left_out = self._relevance() if self.session.settings.relevance else []
        gate = StoryGate(self.story, self.context)
        title = self._title(gate)
        facts, facts_title = self._facts(gate)
        implications = self._implications(gate, facts.text, facts_title)
        subsections = self._subsections(facts, facts_title, implications)
        return Written(title, subsections, facts.text, gate, self.story, self.fallbacks, left_out)

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

        def parts(d: dict[str, Any]) -> dict[str, list[str]]:
            title = self._story_title(d)
            return {"title": gate.title(title) + self.reader.title_problems(title)}

        verdict = self._verified("title", self._messages("title"), parts)
        if verdict.data is None or verdict.failures["title"]:
            self._fell_back(where, "title", verdict, "title")
            return story_title(self.story, self.context)
        self._accepted("title", verdict)
        return self._story_title(verdict.data)

    def _story_title(self, data: dict[str, Any]) -> str:
        title = self.reader.title(str(data["title"]))
        if self.story.follow_up_of is not None and not title.startswith("续报"):
            return f"续报：{title}"
        return title

    def _facts(self, gate: StoryGate) -> tuple[DraftParagraph, str]:
        opening = attribution(self.story, self.context)

        def parts(d: dict[str, Any]) -> dict[str, list[str]]:
            found = {
                "text": gate.paragraph(opening + self._body(d), gate.numbers)
                + quality.paragraph_problems(self._body(d, strip=False))
            }
            if not self.paired:
                title = self.reader.title(d["title"])
                found["title"] = gate.title(title) + self.reader.title_problems(title)
            return found

        verdict = self._verified("facts", self._messages("facts"), parts)
        where = self.sub if self.paired else f"{self.section}.1"
        if verdict.data is None or verdict.failures["text"]:
            self._fell_back(f"{where} 第 1 段", "facts", verdict, "text")
            return story_paragraphs(self.story, self.context)[0], FACTS_TITLE
        self._accepted("facts", verdict)
        cites = tuple(item.url for item in self.story.items)
        paragraph = DraftParagraph(text=opening + self._body(verdict.data), cites=cites)
        if verdict.failures.get("title"):
            self._record(f"{where} 标题", "facts", verdict.failures["title"])
            return paragraph, FACTS_TITLE
        return paragraph, self.reader.title(verdict.data["title"])

    def _body(self, data: dict[str, Any], strip: bool = True) -> str:
        """The facts text without the attributions it opens with (the writer adds its own),
        in reader form (without stock sentences unless ``strip`` is false)."""
        text = clean(data["text"])
        for _ in range(3):
            text = OWN_ATTRIBUTION.sub("", text, count=1)
        return self.reader.paragraph(text) if strip else self.reader.sentence(text)

    def _implications(
        self, gate: StoryGate, facts: str, facts_title: str
    ) -> tuple[DraftParagraph, str] | None:
        def parts(d: dict[str, Any]) -> dict[str, list[str]]:
            text = self.reader.paragraph(clean(d["text"]))
            found = {
                "text": gate.paragraph(text, _refs(d)),
                "quality": quality.paragraph_problems(self.reader.sentence(d["text"]))
                + quality.repeat_problem(text, facts),
            }
            if not self.paired:
                title = self.reader.title(d["title"])
                found["title"] = (
                    gate.title(title, _refs(d))
                    + self.reader.title_problems(title)
                    + quality.repeat_problem(title, facts_title, "标题")
                )
            return found

        messages = self._messages("implications", facts=facts)
        verdict = self._verified("implications", messages, parts)
        where = f"{self.sub} 第 2 段" if self.paired else f"{self.section}.2 第 1 段"
        if verdict.data is not None and verdict.failures["quality"]:
            self._dropped(where, verdict)
            return None
        if verdict.data is None or verdict.failures["text"]:
            self._fell_back(where, "implications", verdict, "text")
            further = story_paragraphs(self.story, self.context)[1:]
            return (further[0], FURTHER_TITLE) if further else None
        self._accepted("implications", verdict)
        cites = tuple(dict.fromkeys(self.story.items[n - 1].url for n in _refs(verdict.data)))
        paragraph = DraftParagraph(
            text=self.reader.paragraph(clean(verdict.data["text"])), cites=cites
        )
        if verdict.failures.get("title"):
            self._record(f"{self.section}.2 标题", "implications", verdict.failures["title"])
            return paragraph, IMPLICATIONS_TITLE
        return paragraph, self.reader.title(verdict.data["title"])

    # asking, checking, regenerating -----------------------------------------------------
    def _verified(self, task: str, messages: list[dict[str, str]], parts: Parts) -> _Verdict:
        """The answer, its failures by part after at most one regeneration, or the
        reason there is no usable answer."""
        schema = prompts.schema(task)
        reply = self.session.ask(task, messages, schema, self._check)
        if reply.data is None:
            return _Verdict(None, {}, reply.problem)
        failures = parts(reply.data)
        if not any(failures.values()):
            return _Verdict(reply.data, failures)
        self.session.ledger.regenerate()
        lines = [line for found in failures.values() for line in found]
        again = [
            *messages,
            {"role": "assistant", "content": json.dumps(reply.data, ensure_ascii=False)},
            {"role": "user", "content": prompts.repair_message(lines)},
        ]
        second = self.session.ask(task, again, schema, self._check)
        if second.data is None:
            return _Verdict(reply.data, failures, first=lines)
        return _Verdict(second.data, parts(second.data), first=lines)

    def _check(self, data: dict[str, Any]) -> str:
        """An answer's own faults: references that are no item, a refusal as text."""
        wrong = [n for n in data.get("refs", []) if not 1 <= n <= len(self.story.items)]
        if wrong:
            return f"refs {wrong} are not item numbers (1–{len(self.story.items)})"
        return refused(data.get("title", ""), data.get("text", ""))

    def _accepted(self, task: str, verdict: _Verdict) -> None:
        kind = "regenerated" if verdict.regenerated else "first"
        self.session.ledger.outcome(task, kind, verdict.first)

    def _fell_back(self, where: str, task: str, verdict: _Verdict, part: str) -> None:
        lines = verdict.failures.get(part) or [verdict.problem]
        self.session.ledger.outcome(task, "fallen_back", lines)
        self._record(where, task, lines)

    def _dropped(self, where: str, verdict: _Verdict) -> None:
        lines = verdict.failures["quality"]
        self.session.ledger.outcome("implications", "dropped", lines)
        self._record(where, "implications", ["dropped: " + "; ".join(lines)])

    def _record(self, where: str, task: str, why: list[str]) -> None:
        reason = "; ".join(why)
        self.fallbacks.append(Fallback(where=where, task=task, reason=reason[:500]))


def refused(*texts: str) -> str:
    said = next((t for t in texts if looks_refused(t)), "")
    return f"refused: {said[:120]}" if said else ""


def _refs(data: dict[str, Any]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(n) for n in data["refs"]))
