"""Plan: choose and order the sections of an issue, and say what is left out.

Rules (stories arrive ranked, best first):
1. a story *qualifies* when at least ``min_outlets`` outlets reported it in items of
   their own; only qualifying stories are planned — a thin day gives a short issue
   (fewer sections, or none), never filler;
2. the best ``max_stories`` qualifying stories are carried, each leading a section of
   its own while there are at most ``max_sections`` sections;
3. when they need more sections, two stories of the same topic share one (the later
   joins the earlier, which keeps its place): first the most related pair (shared
   concepts, Jaccard ≥ ``RELATED``), then any pair of the same topic, the lowest-ranked
   partner first; when no two stories left alone in their sections share a topic, the
   lowest-ranked story alone in its section is left out;
4. every qualifying story not planned is *left out* with its reason (:func:`left_out`):
   over the story budget, or all sections taken and none of its topic free to share;
   so is every story of ``min_outlets`` or more outlets whose items came close but were
   judged off topic (:func:`judged_off`: the classifier's reason, the most relevant
   first), and every story
   that reaches ``min_outlets`` only with the outlets that copied it (:func:`copied_only`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dongtai.models import Classified, LeftOut, SectionPlan, Story
from dongtai.stages.rank import coverage

RELATED = 0.3


def relatedness(a: Story, b: Story) -> float:
    """Jaccard similarity of two stories' concepts, 0 across topics."""
    if a.topic != b.topic:
        return 0.0
    ca, cb = set(a.concepts), set(b.concepts)
    return len(ca & cb) / len(ca | cb) if ca | cb else 0.0


def qualifying(ranked: Sequence[Story], min_outlets: int) -> list[Story]:
    return [s for s in ranked if len(coverage(s)) >= min_outlets]


def plan(
    ranked: Sequence[Story], max_sections: int, min_outlets: int, max_stories: int = 8
) -> list[SectionPlan]:
    sections = [[story] for story in qualifying(ranked, min_outlets)[:max_stories]]
    while len(sections) > max_sections:
        pair = _closest_pair(sections)
        if pair is None:
            alone = [n for n, section in enumerate(sections) if len(section) == 1]
            del sections[alone[-1] if alone else -1]
            continue
        lead, partner = pair
        sections[lead].append(sections.pop(partner)[0])
    return [
        SectionPlan(number=n + 1, topic=stories[0].topic, stories=tuple(stories))
        for n, stories in enumerate(sections)
    ]


def _closest_pair(sections: Sequence[list[Story]]) -> tuple[int, int] | None:
    """(lead, partner) section indexes of the two single stories that best share a
    section: related before merely same-topic, then the most related, then the
    lowest-ranked partner, then the best-ranked lead."""
    best: tuple[tuple[bool, float, int, int], tuple[int, int]] | None = None
    singles = [n for n, section in enumerate(sections) if len(section) == 1]
    for i in singles:
        for j in (n for n in singles if n > i):
            a, b = sections[i][0], sections[j][0]
            if a.topic != b.topic:
                continue
            score = relatedness(a, b)
            key = (score >= RELATED, score, j, -i)
            if best is None or key > best[0]:
                best = (key, (i, j))
    return None if best is None else best[1]


def left_out(
    ranked: Sequence[Story],
    plans: Sequence[SectionPlan],
    max_sections: int,
    min_outlets: int,
    max_stories: int,
) -> list[LeftOut]:
    """The qualifying stories the plan does not carry, each with its reason, then the
    stories one outlet reported that other outlets only copied (:func:`copied_only`)."""
    planned = {s.id for p in plans for s in p.stories}
    found = []
    for order, story in enumerate(qualifying(ranked, min_outlets)):
        if story.id in planned:
            continue
        where = f"(rank {ranked.index(story) + 1}, score {story.score})"
        if order >= max_stories:
            reason = f"over the budget of {max_stories} stories {where}"
        elif len(plans) >= max_sections:
            reason = (
                f"all {max_sections} sections taken and none of its topic free to share {where}"
            )
        else:
            reason = f"not planned {where}"
        found.append(_left(story, reason))
    return found + copied_only(ranked, min_outlets)


def copied_only(ranked: Sequence[Story], min_outlets: int) -> list[LeftOut]:
    """Stories short of ``min_outlets`` outlets of their own that reach it with the
    outlets that carried syndicated copies: copies are not independent coverage."""
    found = []
    for story in ranked:
        own = coverage(story)
        copiers = tuple(
            dict.fromkeys(c.source for i in story.items for c in i.copies if c.source not in own)
        )
        if len(own) < min_outlets <= len(own) + len(copiers):
            reason = (
                f"reported by {len(own)} outlet(s) in texts of their own; copies by "
                f"{', '.join(copiers)} are not independent coverage"
            )
            found.append(_left(story, reason))
    return found


def _left(story: Story, reason: str) -> LeftOut:
    return LeftOut(
        story=story.id,
        title=story.items[0].title,
        outlets=coverage(story),
        urls=tuple(u for i in story.items for u in (i.url, *(c.url for c in i.copies))),
        reason=reason,
    )


def judged_off(
    stories: Sequence[Story], judged: Mapping[str, Classified], min_outlets: int
) -> list[LeftOut]:
    """Stories of off-topic items reported by ``min_outlets`` or more outlets, the most
    relevant first (the best relevance of their items), each with the classifier's reason
    for its most relevant item (``judged``: item URL → its classification)."""
    scored = []
    for story in stories:
        if len(coverage(story)) >= min_outlets:
            best = max((judged[i.url] for i in story.items), key=lambda e: e.relevance)
            scored.append((best.relevance, story, best.reason))
    scored.sort(key=lambda row: -row[0])
    return [_left(story, f"judged off topic: {reason}") for _, story, reason in scored]
