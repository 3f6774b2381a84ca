"""The extractive writer: offline, deterministic, built from the items' own sentences.

It does not translate and does not analyse; it selects and attributes. Rules:
- Chinese items are preferred for wording; the *lead item* of a story is its Chinese
  item stating the most figures (then the most authoritative outlet);
- x.1 opens with attribution naming every outlet and the date span
  ("据 A、B 及 C 5 月 4 日至 5 日报道，"), then the lead item's first sentences
  (its own attribution phrase removed); it cites every item of the story;
- x.2 gives further facts from the story's other items: unused Chinese sentences
  first, then English sentences that state figures; it cites the items it quotes;
- a story reported only in English gets a Chinese attribution sentence with its key
  figures in Chinese form ("1 万亿美元", "120 万") and the English lead facts;
- a section pairing two stories gives each story one subsection;
- the abstract has one sentence per story: the sentence stating the most figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from dongtai.figures import extract_figures, to_chinese
from dongtai.models import (
    Draft,
    DraftParagraph,
    DraftSection,
    DraftSubsection,
    Item,
    SectionPlan,
    Story,
)
from dongtai.writers import WriteContext

ZH_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*[”」』]?")
EN_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[A-Z\"“‘0-9$])")
OWN_ATTRIBUTION = re.compile(r"^(据[^，。]{1,40}?(报道|消息|显示|称|获悉)|[^，。]{2,20}(讯|消息|报道))[，,：:]\s*")
LEAD_CHARS = 120
FURTHER_CHARS = 260
ABSTRACT_CHARS = 110


def sentences(item: Item) -> list[str]:
    """The body's sentences, in order."""
    text = " ".join(item.text.split())
    if item.language == "zh":
        return [s.strip() for s in ZH_SENTENCE.findall(text) if s.strip()]
    return [s.strip() for s in EN_SENTENCE.split(text) if s.strip()]


def figure_count(text: str) -> int:
    return len(extract_figures(text))


def join_names(names: Sequence[str]) -> str:
    """'A', 'A 及 B', 'A、B 及 C'."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + " 及 " + names[-1]


def date_span(days: Sequence[date]) -> str:
    """'5 月 5 日', '5 月 4 日至 5 日', '4 月 30 日至 5 月 1 日'."""
    first, last = min(days), max(days)
    start = f"{first.month} 月 {first.day} 日"
    if first == last:
        return start
    if first.month == last.month:
        return f"{start}至 {last.day} 日"
    return f"{start}至 {last.month} 月 {last.day} 日"


class ExtractiveWriter:
    """Selects and attributes the items' own sentences (see the module docstring)."""

    name = "extractive"

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft:
        sections = [self._section(plan, context) for plan in plans]
        abstract = "".join(
            self._headline(story, context) for plan in plans for story in plan.stories
        )
        return Draft(abstract=abstract, sections=tuple(sections))

    # sections -----------------------------------------------------------------
    def _section(self, plan: SectionPlan, context: WriteContext) -> DraftSection:
        if len(plan.stories) == 2:
            first, second = plan.stories
            subsections = (
                DraftSubsection(title=_title(first), paragraphs=self._story_paragraphs(first, context)),
                DraftSubsection(title=_title(second), paragraphs=self._story_paragraphs(second, context)),
            )
            title = f"{_title(first)}；{_title(second)}"
        else:
            story = plan.stories[0]
            facts, *further = self._story_paragraphs(story, context)
            subsections = (DraftSubsection(title="报道要点", paragraphs=(facts,)),)
            if further:
                subsections += (DraftSubsection(title="更多事实与背景", paragraphs=tuple(further)),)
            title = _title(story)
        return DraftSection(title=title, topic=plan.topic, subsections=subsections)

    def _story_paragraphs(self, story: Story, context: WriteContext) -> tuple[DraftParagraph, ...]:
        lead = _lead_item(story, context)
        cites = tuple(item.url for item in story.items)
        used = set()
        if lead.language == "zh":
            picked = _take(sentences(lead), LEAD_CHARS)
            used.update(picked)
            body = _strip_attribution("".join(picked))
        else:
            body = self._english_lead(lead)
        facts = DraftParagraph(text=_attribution(story, context) + body, cites=cites)
        further = self._further(story, lead, used)
        return (facts, further) if further else (facts,)

    def _english_lead(self, lead: Item) -> str:
        figures = []
        for figure in extract_figures(f"{lead.title}\n{lead.text[:600]}"):
            chinese = to_chinese(figure)
            if chinese not in figures:
                figures.append(chinese)
        head = f"报道题为《{lead.title}》"
        if figures:
            head += f"，涉及的关键数字包括 {'、'.join(figures[:4])}"
        return f"{head}。原文要点：{' '.join(_take(sentences(lead), LEAD_CHARS))}"

    def _further(self, story: Story, lead: Item, used: set[str]) -> DraftParagraph | None:
        others = [i for i in story.items if i.url != lead.url]
        ordered = sorted(others, key=lambda i: i.language != "zh")
        chosen: list[tuple[Item, str]] = []
        length = 0
        for item in ordered + [lead]:
            for sentence in sentences(item):
                if length >= FURTHER_CHARS:
                    break
                if sentence in used or (item.language == "en" and not figure_count(sentence)):
                    continue
                if item is lead and len(chosen) > 0:
                    continue
                used.add(sentence)
                chosen.append((item, _strip_attribution(sentence)))
                length += len(sentence)
        if not chosen:
            return None
        text = "".join(s if it.language == "zh" else f"{s} " for it, s in chosen).strip()
        cites = tuple(dict.fromkeys(it.url for it, _ in chosen))
        return DraftParagraph(text=text, cites=cites)

    # abstract -----------------------------------------------------------------
    def _headline(self, story: Story, context: WriteContext) -> str:
        chinese = [i for i in story.items if i.language == "zh"]
        if not chinese:
            lead = _lead_item(story, context)
            outlet = context.source(lead.source).label_zh()
            return f"{outlet}报道：{lead.title}。"
        candidates = [s for item in chinese for s in sentences(item)[:4]]
        best = max(candidates, key=lambda s: (figure_count(s), -candidates.index(s)))
        text = _strip_attribution(best)
        return text if text.endswith(("。", "！", "？")) else text + "。"


def _lead_item(story: Story, context: WriteContext) -> Item:
    def key(item: Item) -> tuple[bool, int, float]:
        weight = context.source(item.source).weight
        return (item.language == "zh", figure_count(item.text), weight)

    return max(story.items, key=key)


def _title(story: Story) -> str:
    chinese = [i for i in story.items if i.language == "zh"]
    return (chinese or list(story.items))[0].title


def _take(parts: Sequence[str], minimum: int, most: int = 3) -> list[str]:
    """Leading sentences until ``minimum`` characters (at most ``most`` sentences)."""
    taken: list[str] = []
    for part in parts[:most]:
        taken.append(part)
        if sum(map(len, taken)) >= minimum:
            break
    return taken


def _strip_attribution(text: str) -> str:
    return OWN_ATTRIBUTION.sub("", text, count=1)


def _attribution(story: Story, context: WriteContext) -> str:
    own = [context.source(s).label_zh() for s in dict.fromkeys(i.source for i in story.items)]
    copies = [
        context.source(c.source).label_zh()
        for item in story.items
        for c in item.copies
        if context.source(c.source).label_zh() not in own
    ]
    days = [context.local_date(item.published) for item in story.items]
    text = f"据{join_names(own)}{date_span(days)}报道"
    if copies:
        text += f"（{join_names(list(dict.fromkeys(copies)))}转载）"
    return text + "，"
