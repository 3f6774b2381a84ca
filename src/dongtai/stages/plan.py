"""Plan: choose and order the sections of an issue, and say what is left out.

Rules (stories arrive ranked, best first):
1. a story *qualifies* when at least ``min_outlets`` outlets reported it in items of
   their own; only qualifying stories are planned — a thin day gives a short issue
   (fewer sections, or none), never filler;
2. the best ``max_sections`` qualifying stories lead one section each, in rank order;
3. a qualifying story without a section of its own joins the section of the most
   related lead of the same topic (shared concepts, Jaccard ≥ ``RELATED``) that has no
   partner yet, while the issue carries fewer than ``max_stories`` stories;
4. every qualifying story not planned is *left out* with its reason
   (:func:`left_out`): over the section or story budget, or no related section free.
"""

from __future__ import annotations

from collections.abc import Sequence

from dongtai.models import LeftOut, SectionPlan, Story
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
    chosen = qualifying(ranked, min_outlets)
    leads = chosen[: min(max_sections, max_stories)]
    partners: dict[int, Story] = {}
    for story in chosen[len(leads) :]:
        if len(leads) + len(partners) >= max_stories:
            break
        free = [i for i in range(len(leads)) if i not in partners]
        scored = [(relatedness(leads[i], story), -i) for i in free]
        best = max(scored, default=(0.0, 0))
        if best[0] >= RELATED:
            partners[-best[1]] = story
    return [
        SectionPlan(
            number=n + 1,
            topic=lead.topic,
            stories=(lead, partners[n]) if n in partners else (lead,),
        )
        for n, lead in enumerate(leads)
    ]


def left_out(
    ranked: Sequence[Story],
    plans: Sequence[SectionPlan],
    max_sections: int,
    min_outlets: int,
    max_stories: int,
) -> list[LeftOut]:
    """The qualifying stories the plan does not carry, each with its reason."""
    planned = {s.id for p in plans for s in p.stories}
    carried = len(planned)
    found = []
    for rank, story in enumerate(ranked, start=1):
        if story.id in planned or len(coverage(story)) < min_outlets:
            continue
        if carried >= max_stories:
            reason = f"over the budget of {max_stories} stories (rank {rank}, score {story.score})"
        elif len(plans) >= max_sections:
            reason = (
                f"all {max_sections} sections taken and no related section free to pair with "
                f"(rank {rank}, score {story.score})"
            )
        else:
            reason = f"not planned (rank {rank}, score {story.score})"
        found.append(
            LeftOut(
                story=story.id,
                title=story.items[0].title,
                outlets=coverage(story),
                urls=tuple(i.url for i in story.items),
                reason=reason,
            )
        )
    return found
