"""Stories of a day, for people who check the machine's judgement: every story of the
window with its score and reasons (not only those chosen for the briefing), the items
judged off topic with their reason, and, for one story, why its items were merged.

Listing runs the stages up to ``plan`` in memory: nothing stored changes. With
``include_off_topic`` the off-topic items are clustered too, so clustering can be
scored on any data. Explaining uses the stored outputs of the day's stages and
recomputes the pair signals over the same items the clusterer saw.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

from pydantic import TypeAdapter

from dongtai.config import Settings
from dongtai.errors import InputError
from dongtai.models import Classified, LeftOut, Record, Story
from dongtai.pipeline import Run, left_out, run_until
from dongtai.stages import cluster as cluster_stage
from dongtai.stages.recall import Recalled
from dongtai.store import Store, open_store
from dongtai.text.embedding import embed


class OffTopic(Record):
    url: str
    title: str
    reason: str


class Listing(Record):
    """Every story of a day, every item left out as off topic, the recall notes
    (``left_out``) and the stories the issue does not carry, with the reason
    (``not_carried``, as ``left_out`` in the briefing)."""

    date: date
    stories: tuple[Story, ...]
    off_topic: tuple[OffTopic, ...]
    left_out: tuple[str, ...]
    not_carried: tuple[LeftOut, ...] = ()


class PairReport(Record):
    """Two items of a story (by URL): their ``similarity`` (the embeddings' ``cosine``
    with the bonuses for shared figures and organisations, less crowding), what they
    share and the hours between them."""

    first: str
    second: str
    similarity: float
    cosine: float
    figures: tuple[str, ...]
    organisations: tuple[str, ...]
    hours_apart: float


class Explanation(Record):
    """Why the items of one story were put together, and how it ranks."""

    story: Story
    pairs: tuple[PairReport, ...]
    threshold: float


def list_stories(settings: Settings, issue_date: date, include_off_topic: bool = False) -> Listing:
    run = Run(
        settings,
        open_store(settings.db_url),
        issue_date,
        persist=False,
        include_off_topic=include_off_topic,
    )
    outputs = run_until(run, "plan")
    recalled: Recalled = outputs["recall"]
    off = tuple(
        OffTopic(url=e.item.url, title=e.item.title, reason=e.reason)
        for e in outputs["classify"]
        if not e.on_topic
    )
    not_carried = left_out(run, outputs["plan"], outputs["rank"], outputs["classify"])
    return Listing(
        date=issue_date,
        stories=tuple(outputs["rank"]),
        off_topic=off,
        left_out=recalled.notes,
        not_carried=not_carried,
    )


def explain(settings: Settings, issue_date: date, story_id: str) -> Explanation:
    """Pair signals of one stored story of ``issue_date``."""
    stories, entries, run = _stored(settings, issue_date)
    story = next((s for s in stories if s.id.startswith(story_id)), None)
    if story is None:
        raise InputError(f"no story {story_id!r} on {issue_date} (see dongtai stories)")
    pairs = _pairs(story, entries, _scorer(entries, run))
    return Explanation(story=story, pairs=pairs, threshold=cluster_stage.THRESHOLD)


def merge_reasons(
    settings: Settings, issue_date: date, store: Store | None = None
) -> dict[str, tuple[PairReport, ...]]:
    """Pair signals of every stored story of ``issue_date`` with two items or more, by
    story id (one computation of the day's signals for all of them)."""
    stories, entries, run = _stored(settings, issue_date, store)
    scorer = _scorer(entries, run)
    return {s.id: _pairs(s, entries, scorer) for s in stories if len(s.items) > 1}


def _stored(
    settings: Settings, issue_date: date, store: Store | None = None
) -> tuple[list[Story], list[Classified], Run]:
    """The stored stories of a day, its on-topic items, and a run context for it."""
    store = store or open_store(settings.db_url)
    ranked = store.load_stage(issue_date, "rank")
    classified = store.load_stage(issue_date, "classify")
    if ranked is None or classified is None:
        raise InputError(f"no stories stored for {issue_date}: run dongtai brief --date first")
    stories = TypeAdapter(list[Story]).validate_python(ranked)
    entries = [e for e in TypeAdapter(list[Classified]).validate_python(classified) if e.on_topic]
    return stories, entries, Run(settings, store, issue_date, persist=False)


def _scorer(entries: list[Classified], run: Run) -> cluster_stage.Scorer:
    return cluster_stage.Scorer(
        entries,
        cluster_stage.vectors_of(entries, embed),
        [cluster_stage.signals(e, run.organisations) for e in entries],
    )


def _pairs(
    story: Story, entries: list[Classified], scorer: cluster_stage.Scorer
) -> tuple[PairReport, ...]:
    index = {e.item.url: n for n, e in enumerate(entries)}
    members = [index[i.url] for i in story.items if i.url in index]
    reports = []
    for a, b in combinations(members, 2):
        pair = scorer.explain(a, b)
        reports.append(
            PairReport(
                first=entries[a].item.url,
                second=entries[b].item.url,
                similarity=round(pair.similarity, 4),
                cosine=round(pair.cosine, 4),
                figures=tuple(_figure_label(f) for f in pair.figures),
                organisations=pair.organisations,
                hours_apart=round(pair.hours_apart, 1),
            )
        )
    return tuple(sorted(reports, key=lambda r: -r.similarity))


def _figure_label(figure: tuple[Any, ...]) -> str:
    kind, unit, value = figure
    number = f"{value:,.0f}" if value >= 1e4 and value == int(value) else f"{value:g}"
    return f"{number}{unit}" if kind == "percent" else f"{number} {unit}".strip()
