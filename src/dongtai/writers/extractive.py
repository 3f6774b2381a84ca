"""The extractive writer: offline, deterministic, built from the items' own sentences.

It does not translate and does not analyse; it selects and attributes. Rules:
- sentences lose the outlet's own attribution or dateline at their start
  ("据日经亚洲报道，", "财联社 5 月 5 日电，", "【环球时报报道】", "MILPITAS, Calif. —"):
  the writer attributes every outlet itself;
- a *headline figure* is one that the items of the story put in their titles; the
  *headline sentence* is the Chinese sentence (among each Chinese item's first four;
  one of at most 150 characters when there is one) with the best score: per figure,
  1 for each item whose title states it and 0.1 for each item whose body alone states
  it; a sentence opening with a pronoun ("该", "其",
  "这"…) never opens a paragraph or the abstract;
- x.1 opens with attribution naming every outlet and the date span
  ("据 A、B 及 C 5 月 4 日至 5 日报道，"), then the headline sentence and the sentences
  after it in its item; it cites every item of the story;
- x.2 gives further facts from the other items, preferring sentences stating figures
  not yet given, never a sentence that mostly repeats one already used or quotes a
  phrase one already quoted ("战略监听站"); when the
  story has Chinese items only Chinese sentences are used, otherwise English
  sentences stating a new figure; it cites what it quotes;
- sentences are cut by :func:`dongtai.text.clean.split_sentences` (quotations whole);
  hearsay openers ("据介绍，") are cut, boilerplate and unbalanced sentences dropped;
  the headline sentence must be self-contained (:mod:`dongtai.writers.headline`);
- a story reported only in English is stated in Chinese (organisations by their
  Chinese names, headline figures in Chinese form, the date); no English sentence
  reaches the reader, the English headline stays in the reference list;
- titles are the cleaned headline cut to ``title_chars`` (30); a section pairing two
  stories gives each story one subsection and is titled "A；B" or by a common theme;
- a follow-up of a story an earlier issue reported is titled "续报：…";
- the abstract has one sentence per story: its headline sentence (a leading
  quotation turned round, speaker first), prefixed with its subject
  ("ITIF：报告显示，…") when it names none (the first organisation of the
  item's title, else the outlet).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache

from dongtai.config import Settings
from dongtai.models import (
    Draft,
    DraftParagraph,
    DraftSection,
    DraftSubsection,
    Item,
    SectionPlan,
    Story,
)
from dongtai.text.clean import is_boilerplate, split_sentences
from dongtai.text.figures import Figure, extract_figures, find_support, supports
from dongtai.text.matching import Matcher
from dongtai.writers import WriteContext
from dongtai.writers.headline import (
    balanced,
    drop_hearsay,
    english_statement,
    organisations_zh,
    pair_title,
    self_contained,
    shorten,
    speaker_first,
)

OWN_ATTRIBUTION = re.compile(
    r"^(【[^】]{1,24}】"
    r"|据[^，。]{1,40}?(报道|消息|显示|称|获悉|了解)[，,：:]"
    r"|[^，。]{2,24}?(记者注意到|记者了解到|注意到|了解到|获悉|日电|讯|消息)[，,：:]"
    r"|[A-Z][A-Za-z .,']{2,40}\s(—|--)\s)\s*"
)
QUOTED = re.compile(r"“([^”]{2,20})”")
PRONOUN_START = re.compile(r"^(该|此|这|其|他|她|它|上述|对此|It |This |They |The company )")
HEADLINE_POSITIONS = 4
HEADLINE_CHARS = 150
BODY_SUPPORT = 0.1
LEAD_CHARS = 120
FURTHER_CHARS = 260
REPEAT = 0.5


def sentences(item: Item) -> list[str]:
    """The body's sentences, in order, each without the outlet's own attribution."""
    text = " ".join(item.text.split())
    cleaned = (drop_hearsay(OWN_ATTRIBUTION.sub("", s, count=1)) for s in split_sentences(text))
    return [s for s in cleaned if len(s) > 1 and balanced(s) and not is_boilerplate(s)]


def join_names(names: Sequence[str]) -> str:
    """'A', 'A及B', 'A、B及C' (typography adds spaces next to Latin names)."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "及" + names[-1]


def date_span(days: Sequence[date]) -> str:
    """'5 月 5 日', '5 月 4 日至 5 日', '4 月 30 日至 5 月 1 日'."""
    first, last = min(days), max(days)
    start = f"{first.month} 月 {first.day} 日"
    if first == last:
        return start
    if first.month == last.month:
        return f"{start}至 {last.day} 日"
    return f"{start}至 {last.month} 月 {last.day} 日"


def bigram_overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's character bigrams found in the other."""
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    return len(ga & gb) / min(len(ga), len(gb)) if ga and gb else 0.0


class ExtractiveWriter:
    """Selects and attributes the items' own sentences (see the module docstring)."""

    name = "extractive"

    @classmethod
    def from_settings(cls, settings: Settings) -> ExtractiveWriter:
        return cls()

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft:
        sections = tuple(_section(plan, context) for plan in plans)
        abstract = "".join(abstract_sentence(s, context) for p in plans for s in p.stories)
        return Draft(abstract=abstract, sections=sections)


def _section(plan: SectionPlan, context: WriteContext) -> DraftSection:
    limit = context.title_chars
    if len(plan.stories) == 2:
        titles = [story_title(story, context) for story in plan.stories]
        subsections = tuple(
            DraftSubsection(title=t, paragraphs=story_paragraphs(story, context))
            for t, story in zip(titles, plan.stories, strict=True)
        )
        topic_zh = context.topic_names.get(plan.topic, plan.topic)
        title = pair_title(titles[0], titles[1], topic_zh, limit, context.names)
    else:
        story = plan.stories[0]
        facts, *further = story_paragraphs(story, context)
        subsections = (DraftSubsection(title="报道要点", paragraphs=(facts,)),)
        if further:
            subsections += (DraftSubsection(title="更多事实与背景", paragraphs=tuple(further)),)
        title = story_title(story, context)
    return DraftSection(title=title, topic=plan.topic, subsections=subsections)


def names_of(context: WriteContext) -> Matcher:
    return _names_matcher(tuple((context.names or {}).items()))


@cache
def _names_matcher(pairs: tuple[tuple[str, str], ...]) -> Matcher:
    return Matcher(dict(pairs))


def _english(story: Story, context: WriteContext) -> tuple[str, str, str]:
    lead = _english_lead(story, context)
    outlet = context.source(lead.source).label_zh()
    topic_zh = context.topic_names.get(story.topic, story.topic)
    return english_statement(lead, outlet, context.names or {}, topic_zh, context.title_chars)


def story_paragraphs(story: Story, context: WriteContext) -> tuple[DraftParagraph, ...]:
    cites = tuple(item.url for item in story.items)
    headline = _headline(story, names_of(context))
    if headline is None:
        body = _english(story, context)[1]
        return (DraftParagraph(text=attribution(story, context) + body, cites=cites),)
    else:
        lead, position = headline
        used = _take(sentences(lead)[position:], LEAD_CHARS)
        body = "".join(used)
    facts = DraftParagraph(text=attribution(story, context) + body, cites=cites)
    further = _further(story, lead, used)
    return (facts, further) if further else (facts,)


def _headline_score(sentence: str, story: Story) -> float:
    """Per figure of the sentence: the items whose *title* states it, plus a tenth of
    the items whose body states it (headline figures are the ones outlets headline)."""
    score = 0.0
    for figure in extract_figures(sentence):
        for item in story.items:
            if find_support(figure, item.title):
                score += 1.0
            elif find_support(figure, item.text):
                score += BODY_SUPPORT
    return score


def _headline(story: Story, names: Matcher) -> tuple[Item, int] | None:
    """The Chinese item and sentence position of the story's headline sentence
    (sentences of at most ``HEADLINE_CHARS`` first, then the best figure score; among
    equals, self-contained sentences first)."""
    best: tuple[int, float, int, int, int, Item, int] | None = None
    for rank, item in enumerate(i for i in story.items if i.language == "zh"):
        for position, sentence in enumerate(sentences(item)[:HEADLINE_POSITIONS]):
            if PRONOUN_START.match(sentence):
                continue
            fits = int(len(sentence) <= HEADLINE_CHARS)
            whole = int(self_contained(speaker_first(sentence), names))
            score = _headline_score(sentence, story)
            key = (fits, score, whole, -position, -rank, item, position)
            if best is None or key[:5] > best[:5]:
                best = key
    return None if best is None else (best[5], best[6])


def _english_lead(story: Story, context: WriteContext) -> Item:
    return max(story.items, key=lambda i: (context.source(i.source).weight, -len(i.text)))


def _further(story: Story, lead: Item, used: list[str]) -> DraftParagraph | None:
    """Further facts from the story's other items (rules in the module docstring)."""
    stated = [f for s in used for f in extract_figures(s)]
    others = [i for i in story.items if i.url != lead.url]
    if lead.language == "zh":
        others = [i for i in others if i.language == "zh"]
    chosen: list[tuple[Item, str]] = []
    for want_new in (True, False):
        for item in others:
            for sentence in sentences(item):
                if sum(len(s) for _, s in chosen) >= FURTHER_CHARS:
                    break
                if _repeats(sentence, used) or (not chosen and PRONOUN_START.match(sentence)):
                    continue
                new = _new_figures(sentence, stated)
                if (want_new and not new) or (item.language == "en" and not new):
                    continue
                chosen.append((item, sentence))
                used.append(sentence)
                stated.extend(extract_figures(sentence))
    if not chosen:
        return None
    order = {url: n for n, url in enumerate(i.url for i in others)}
    chosen.sort(key=lambda pair: order[pair[0].url])
    text = "".join(s if item.language == "zh" else f" {s} " for item, s in chosen)
    cites = tuple(dict.fromkeys(item.url for item, _ in chosen))
    return DraftParagraph(text=" ".join(text.split()), cites=cites)


def _repeats(sentence: str, used: Sequence[str]) -> bool:
    """Mostly the same characters as a used sentence, or quoting what one quoted."""
    if any(bigram_overlap(sentence, u) >= REPEAT for u in used):
        return True
    quoted = set(QUOTED.findall(sentence))
    return any(quoted & set(QUOTED.findall(u)) for u in used)


def _new_figures(sentence: str, stated: Sequence[Figure]) -> list[Figure]:
    return [f for f in extract_figures(sentence) if not any(supports(f, g) for g in stated)]


def abstract_sentence(story: Story, context: WriteContext) -> str:
    names = names_of(context)
    headline = _headline(story, names)
    if headline is None:
        return _english(story, context)[2]
    item, position = headline
    text = speaker_first(sentences(item)[position])
    if not self_contained(text, names):
        text = f"{subject_of(item, context)}：{text}"
    return text if text.endswith(("。", "！", "？", "”")) else text + "。"


def subject_of(item: Item, context: WriteContext) -> str:
    """Who the item is about: the first organisation its title names, else its outlet."""
    found = organisations_zh(item.title, context.names or {})
    return found[0] if found else context.source(item.source).label_zh()


def story_title(story: Story, context: WriteContext) -> str:
    limit = context.title_chars
    chinese = [i for i in story.items if i.language == "zh"]
    title = _english(story, context)[0] if not chinese else shorten(chinese[0].title, limit)
    if story.follow_up_of is None:
        return title
    return f"续报：{shorten(title, limit - 3)}"


def _take(parts: Sequence[str], minimum: int, most: int = 3) -> list[str]:
    """Leading sentences until ``minimum`` characters (at most ``most`` sentences)."""
    taken: list[str] = []
    for part in parts[:most]:
        taken.append(part)
        if sum(map(len, taken)) >= minimum:
            break
    return taken


def attribution(story: Story, context: WriteContext) -> str:
    own = [context.source(s).label_zh() for s in dict.fromkeys(i.source for i in story.items)]
    copies = dict.fromkeys(
        label
        for item in story.items
        for c in item.copies
        if (label := context.source(c.source).label_zh()) not in own
    )
    days = [context.local_date(item.published) for item in story.items]
    text = f"据{join_names(own)} {date_span(days)}报道"
    if copies:
        text += f"（{join_names(list(copies))}转载）"
    return text + "，"
