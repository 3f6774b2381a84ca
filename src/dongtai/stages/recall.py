"""Recall: what earlier issues already reported is not reported again, unless it brings
new facts; then it is a follow-up ("续报") linked to the earlier issue.

The pipeline clusters the day's items together with the items that earlier issues
cited (over ``memory_days``), so a new report of an old event lands in the old event's
story. Then, per story:
- no item cited before → a new story;
- items cited before, and no item that is not → dropped (already reported);
- items cited before and new items → the new items' figures that no earlier cited item
  of the story states are its *new facts*; with none, the story is dropped; with some,
  it is kept as a follow-up of the latest issue that cited it, made of the new items
  only (the old ones were cited then).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from dongtai.models import Item, Record, Story
from dongtai.text.figures import extract_figures, find_support


class Recalled(Record):
    """The stories worth reporting, and why the others were left out."""

    stories: tuple[Story, ...]
    notes: tuple[str, ...] = ()


def item_text(item: Item) -> str:
    return f"{item.title}\n{item.text}"


def new_facts(new: Sequence[Item], old: Sequence[Item]) -> list[str]:
    """Figures stated by new items that no old item states, first seen first."""
    facts: list[str] = []
    for item in new:
        for figure in extract_figures(item_text(item)):
            known = any(find_support(figure, item_text(o)) for o in old)
            if not known and figure.text not in facts:
                facts.append(figure.text)
    return facts


def recall(stories: Sequence[Story], cited: Mapping[str, date]) -> Recalled:
    """Stories worth reporting today, and a note for each story left out.

    ``cited`` maps the URL of every item an earlier issue cited to that issue's date.
    """
    kept: list[Story] = []
    notes: list[str] = []
    for story in stories:
        old = [i for i in story.items if i.url in cited]
        new = [i for i in story.items if i.url not in cited]
        if not old:
            kept.append(story)
            continue
        earlier = max(cited[i.url] for i in old)
        facts = new_facts(new, old)
        if not facts:
            notes.append(f"{story.id}: already reported on {earlier}, nothing new")
            continue
        kept.append(
            story.model_copy(
                update={"items": tuple(new), "follow_up_of": earlier, "new_facts": tuple(facts)}
            )
        )
    return Recalled(stories=tuple(kept), notes=tuple(notes))
