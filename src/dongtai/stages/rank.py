"""Rank: how important each story is, with the reasons.

score = topic weight × novelty × (ln(1 + coverage) + 0.8 × authority + 0.4 × recency),
where
- coverage is the number of distinct outlets that reported the story in their own
  items (syndicated copies do not count: they add attribution, not coverage);
- authority is the highest authority weight among those outlets;
- recency is 1 for an item published at the end of the window, 0 at its start
  (the newest item of the story counts);
- novelty is 1 for a new story and ``FOLLOW_UP_NOVELTY`` for a follow-up of a story an
  earlier issue reported (see :mod:`dongtai.stages.recall`).

Stories come back sorted by score, highest first (ties: more items, then id).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime

from dongtai.models import Story

AUTHORITY_FACTOR = 0.8
RECENCY_FACTOR = 0.4
FOLLOW_UP_NOVELTY = 0.6


def coverage(story: Story) -> tuple[str, ...]:
    """Outlets that reported the story in items of their own."""
    return tuple(dict.fromkeys(item.source for item in story.items))


def rank_story(
    story: Story,
    weights: Mapping[str, float],
    topic_weights: Mapping[str, float],
    window: tuple[datetime, datetime],
) -> Story:
    outlets = coverage(story)
    authority, top = max((weights.get(o, 0.0), o) for o in outlets)
    start, end = window
    newest = max(item.published for item in story.items)
    span = (end - start).total_seconds()
    recency = min(max((newest - start).total_seconds() / span, 0.0), 1.0) if span else 1.0
    topic_weight = topic_weights.get(story.topic, 1.0)
    base = math.log1p(len(outlets)) + AUTHORITY_FACTOR * authority + RECENCY_FACTOR * recency
    novelty = 1.0 if story.follow_up_of is None else FOLLOW_UP_NOVELTY
    score = round(topic_weight * novelty * base, 4)
    reasons = (
        f"coverage: {len(outlets)} outlet(s) ({', '.join(outlets)})",
        f"authority: {authority:.2f} ({top})",
        f"recency: {recency:.2f}",
        f"topic: {story.topic} ×{topic_weight:g}",
        _novelty_reason(story, novelty),
    )
    return story.model_copy(update={"score": score, "reasons": reasons})


def rank(
    stories: Sequence[Story],
    weights: Mapping[str, float],
    topic_weights: Mapping[str, float],
    window: tuple[datetime, datetime],
) -> list[Story]:
    ranked = [rank_story(s, weights, topic_weights, window) for s in stories]
    return sorted(ranked, key=lambda s: (-s.score, -len(s.items), s.id))


def _novelty_reason(story: Story, novelty: float) -> str:
    if story.follow_up_of is None:
        return "novelty: new story"
    facts = ", ".join(story.new_facts)
    return f"novelty: ×{novelty:g}, follow-up of {story.follow_up_of} (new: {facts})"
