"""Plan: choose and order the sections of an issue.

Rules (stories arrive ranked, best first):
1. a story *qualifies* when at least ``min_outlets`` outlets reported it; if fewer than
   ``min_sections`` qualify, the best remaining stories fill up to ``min_sections``;
2. the best ``max_sections`` qualifying stories lead one section each, in rank order;
3. a qualifying story that did not get a section of its own joins the section of the
   most related lead of the same topic (shared concepts, Jaccard ≥ ``RELATED``) that has
   no partner yet: related reports are read together;
4. the next story still left joins the last section if that has no partner (the
   reference issue closes by setting two stories side by side); the rest stay out.
"""

from __future__ import annotations

from collections.abc import Sequence

from dongtai.models import SectionPlan, Story
from dongtai.stages.rank import coverage

RELATED = 0.3


def relatedness(a: Story, b: Story) -> float:
    """Jaccard similarity of two stories' concepts, 0 across topics."""
    if a.topic != b.topic:
        return 0.0
    ca, cb = set(a.concepts), set(b.concepts)
    return len(ca & cb) / len(ca | cb) if ca | cb else 0.0


def plan(
    ranked: Sequence[Story], min_sections: int, max_sections: int, min_outlets: int
) -> list[SectionPlan]:
    qualifying = [s for s in ranked if len(coverage(s)) >= min_outlets]
    for story in ranked:
        if len(qualifying) >= min_sections:
            break
        if story not in qualifying:
            qualifying.append(story)
    leads = qualifying[:max_sections]
    partners: dict[int, Story] = {}
    left: list[Story] = []
    for story in qualifying[max_sections:]:
        free = [i for i in range(len(leads)) if i not in partners]
        scored = [(relatedness(leads[i], story), -i) for i in free]
        best = max(scored, default=(0.0, 0))
        if best[0] >= RELATED:
            partners[-best[1]] = story
        else:
            left.append(story)
    last = len(leads) - 1
    if left and leads and last not in partners:
        partners[last] = left[0]
    return [
        SectionPlan(
            number=n + 1,
            topic=lead.topic,
            stories=(lead, partners[n]) if n in partners else (lead,),
        )
        for n, lead in enumerate(leads)
    ]
