"""The pipeline: the one table of stages, and the only module that knows their order.

    select → dedupe → classify → cluster → recall → rank → plan → write → verify → render

Each :class:`Stage` is declared once in :data:`STAGES`: its name, the function that
computes it, the stages whose outputs it reads (the first is its predecessor), the type
of its output, where the store keeps more than the output a ``record`` step, and the
store's other records it takes (``inputs``, named in :data:`INPUTS`: the editors' story
labels for ``cluster``, so a hand merge or split holds on later days). Every output is
stored (``stage_outputs``, as JSON records) under the issue date, so any stage can be
re-run alone from the stored outputs it reads (:func:`run_stage`); no stage reads
anything that its row of the table does not name.

What an item says whatever the day (embeddings, figures and organisations,
near-duplicate signature) is read from the store's enrichment (:mod:`dongtai.enrich`),
computed at ingest; items without a current one are enriched on first use, and the
enrichment stored when the run persists, so a re-run recomputes only what depends on
the day.

``select`` takes the items published in ``[D − window, D)`` (issue time zone) and the
items that the issues of the last ``memory_days`` days cited, so that ``recall`` can
tell old stories and follow-ups from new ones. ``rank`` records the day's stories;
``verify`` records the briefing with its references, with status ``failed`` when a
claim is unsupported (``overridden`` when ``allow_unverified`` is set), and
:func:`build` reports it so the CLI can exit non-zero. A window with no qualifying
story gives a short issue that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from dongtai.config import Settings
from dongtai.enrich import Enricher, Enrichment, Known
from dongtai.errors import StageError
from dongtai.models import (
    Briefing,
    Classified,
    Draft,
    Item,
    LeftOut,
    SectionPlan,
    Story,
    WriterReport,
)
from dongtai.plugins import load_renderer, load_writer
from dongtai.render import render_all
from dongtai.sources import Registry, load_registry
from dongtai.stages import classify, cluster, dedupe, plan, rank, recall
from dongtai.store import Store, open_store
from dongtai.store.desk import Desk
from dongtai.text.embedding import embed
from dongtai.text.matching import Matcher
from dongtai.verify import gate
from dongtai.writers import WriteContext, assemble
from dongtai.zones import issue_window, zone

Progress = Callable[[str], None]


@dataclass
class Run:
    """One issue being built: settings, store, registry and the issue date."""

    settings: Settings
    store: Store
    issue_date: date
    persist: bool = True
    include_off_topic: bool = False
    registry: Registry = field(init=False)
    enriched: dict[str, Enrichment] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.registry = load_registry(self.settings.home)
        self.store.save_sources(self.registry.sources.values())

    @cached_property
    def enricher(self) -> Enricher:
        return Enricher(self.registry.organisation_names(), embed)

    def enrich(self, items: Sequence[Item]) -> dict[str, Enrichment]:
        """The items' enrichment: stored, or computed now (and stored if persisting)."""
        missing = [item for item in items if item.url not in self.enriched]
        if missing:
            self.enriched.update(self.enricher.enrich(self.store, missing, save=self.persist))
        return self.enriched

    def embedder(self, items: Sequence[Item]) -> Known:
        """The encoder, answering the items' stored texts from their enrichment."""
        return Known(items, self.enrich(items), embed, classify.example_vectors())

    @cached_property
    def tz(self) -> ZoneInfo:
        return zone(self.settings.timezone)

    @cached_property
    def window(self) -> tuple[Any, Any]:
        return issue_window(self.issue_date, self.settings.window_hours, self.tz)

    @cached_property
    def organisations(self) -> Matcher:
        return Matcher(self.registry.organisation_names())

    @cached_property
    def cited(self) -> dict[str, date]:
        """Items cited by the issues of the last ``memory_days`` days, with their date."""
        first = self.issue_date - timedelta(days=self.settings.memory_days)
        return self.store.cited_between(first, self.issue_date)

    @cached_property
    def topics(self) -> classify.Topics:
        return classify.load_topics(self.settings.home)

    @cached_property
    def sources(self) -> dict[str, Any]:
        return self.store.sources()

    def weights(self) -> dict[str, float]:
        return {sid: s.weight for sid, s in self.sources.items()}

    def context(self) -> WriteContext:
        return WriteContext(
            issue_date=self.issue_date,
            tz=self.tz,
            sources=self.sources,
            topic_names=self.topics.names_zh(),
            names=self.registry.organisation_names(),
            title_chars=self.settings.title_chars,
        )


@dataclass(frozen=True)
class Result:
    briefing: Briefing
    status: str
    paths: list[Path]


# one function per stage: (run, *the outputs it reads) → output ---------------------------
def _select(run: Run) -> list[Item]:
    start, end = run.window
    in_window = run.store.items_between(start, end)
    seen = {item.url for item in in_window}
    earlier = run.store.items_by_url(url for url in run.cited if url not in seen)
    return in_window + [earlier[url] for url in sorted(earlier)]


def _dedupe(run: Run, items: list[Item]) -> list[Item]:
    signatures = {url: e.signature for url, e in run.enrich(items).items()}
    return dedupe.dedupe(items, run.weights(), signatures)


def _classify(run: Run, items: list[Item]) -> list[Classified]:
    outlet_topics = {sid: s.topics for sid, s in run.sources.items()}
    return classify.classify(items, run.topics, outlet_topics, run.embedder(items))


def _cluster(run: Run, entries: list[Classified], labels: cluster.Labels) -> list[Story]:
    chosen = entries if run.include_off_topic else [e for e in entries if e.on_topic]
    items = [entry.item for entry in chosen]
    signals = {url: e.signals for url, e in run.enrich(items).items()}
    return cluster.cluster(
        chosen,
        run.embedder(items),
        run.organisations,
        earlier=set(run.cited),
        labels=labels,
        known=signals,
    )


def _recall(run: Run, stories: list[Story]) -> recall.Recalled:
    return recall.recall(stories, run.cited)


def _rank(run: Run, recalled: recall.Recalled) -> list[Story]:
    weights, topic_weights = run.weights(), run.topics.weights()
    return rank.rank(recalled.stories, weights, topic_weights, run.window)


def _plan(run: Run, ranked: list[Story]) -> list[SectionPlan]:
    s = run.settings
    return plan.plan(ranked, s.max_sections, s.min_outlets, s.max_stories)


def _write(run: Run, plans: list[SectionPlan]) -> Draft:
    if not plans:
        return Draft(abstract=_no_news(run), sections=())
    writer = load_writer(run.settings.writer).from_settings(run.settings)
    return writer.write(plans, run.context())


def _no_news(run: Run) -> str:
    start, end = (moment.astimezone(run.tz) for moment in run.window)
    last = end - timedelta(seconds=1)
    return (
        f"中国与全球战略性产业今日无重要动态：{start:%Y}年{start.month}月{start.day}日"
        f"{start:%H:%M}至{last.month}月{last.day}日{last:%H:%M}，没有两家以上信源报道、"
        "符合本刊收录标准的战略性产业新闻，本期不设正文。"
    )


def _verify(
    run: Run,
    draft: Draft,
    plans: list[SectionPlan],
    ranked: list[Story],
    entries: list[Classified],
) -> Briefing:
    items = {item.url: item for p in plans for story in p.stories for item in story.items}
    body = assemble(draft, items, run.context())
    verification = gate.verify(
        body.abstract,
        body.sections,
        body.references,
        items,
        names=run.registry.organisation_names(),
        sources=run.sources.values(),
        tz=run.tz,
        issue_year=run.issue_date.year,
    )
    if not verification.passed and run.settings.allow_unverified:
        verification = verification.model_copy(update={"allow_unverified": True})
    return Briefing(
        date=run.issue_date,
        title=run.settings.branding.title,
        abstract=body.abstract,
        sections=body.sections,
        references=body.references,
        verification=verification,
        writer=draft.report or WriterReport(name=run.settings.writer),
        left_out=left_out(run, plans, ranked, entries),
        operator_notes=_operator_notes(run),
    )


def left_out(
    run: Run, plans: list[SectionPlan], ranked: list[Story], entries: list[Classified]
) -> tuple[LeftOut, ...]:
    """Qualifying stories the plan does not carry, then the stories of ``min_outlets`` or
    more outlets whose items were judged off topic but came close (near misses: a topic
    named, or a high relevance-model score; clustered like the on-topic items), each
    with its reason."""
    s = run.settings
    planned = plan.left_out(ranked, plans, s.max_sections, s.min_outlets, s.max_stories)
    near = classify.near_misses(entries)
    items = [entry.item for entry in near]
    stories = cluster.cluster(near, run.embedder(items), run.organisations) if near else []
    judged = {e.item.url: e for e in near}
    return (*planned, *plan.judged_off(stories, judged, s.min_outlets))


def _operator_notes(run: Run) -> tuple[str, ...]:
    """Sources failing for ``fetch.failing_after`` runs or more."""
    return tuple(
        f"source {h.source} failed {h.consecutive_failures} runs in a row"
        + (f": {h.last_error}" if h.last_error else "")
        for h in run.store.failing_sources(run.settings.fetch.failing_after)
    )


def _render(run: Run, briefing: Briefing) -> list[str]:
    out_dir = run.settings.briefings_dir / run.issue_date.isoformat()
    paths = render_all(briefing, run.settings.branding_in_home(), run.settings.formats, out_dir)
    return [str(p) for p in paths]


# what the store keeps besides a stage's output ----------------------------------------
def _record_stories(run: Run, stories: list[Story]) -> None:
    run.store.save_stories(run.issue_date, stories)


def _record_briefing(run: Run, briefing: Briefing) -> None:
    cited = {ref.n: ref.url for ref in briefing.references}
    status = gate.status(briefing.verification)
    run.store.save_briefing(briefing, status, run.settings.writer, cited)


def _story_labels(run: Run) -> cluster.Labels:
    """The editors' judgements of item pairs (the latest per pair)."""
    return {
        (min(label.item_a, label.item_b), max(label.item_a, label.item_b)): label.label == "same"
        for label in Desk(run.store).story_labels()
    }


INPUTS: dict[str, Callable[[Run], Any]] = {"story_labels": _story_labels}


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline, declared once."""

    name: str
    compute: Callable[..., Any]
    reads: tuple[str, ...]
    output: TypeAdapter[Any]
    record: Callable[[Run, Any], None] | None = None
    inputs: tuple[str, ...] = ()


STAGES: tuple[Stage, ...] = (
    Stage("select", _select, (), TypeAdapter(list[Item])),
    Stage("dedupe", _dedupe, ("select",), TypeAdapter(list[Item])),
    Stage("classify", _classify, ("dedupe",), TypeAdapter(list[Classified])),
    Stage("cluster", _cluster, ("classify",), TypeAdapter(list[Story]), inputs=("story_labels",)),
    Stage("recall", _recall, ("cluster",), TypeAdapter(recall.Recalled)),
    Stage("rank", _rank, ("recall",), TypeAdapter(list[Story]), _record_stories),
    Stage("plan", _plan, ("rank",), TypeAdapter(list[SectionPlan])),
    Stage("write", _write, ("plan",), TypeAdapter(Draft)),
    Stage(
        "verify",
        _verify,
        ("write", "plan", "rank", "classify"),
        TypeAdapter(Briefing),
        _record_briefing,
    ),
    Stage("render", _render, ("verify",), TypeAdapter(list[str])),
)
NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
_BY_NAME: dict[str, Stage] = {stage.name: stage for stage in STAGES}


def stage_named(name: str) -> Stage:
    if name not in _BY_NAME:
        raise StageError(f"unknown stage {name!r} (stages: {', '.join(NAMES)})")
    return _BY_NAME[name]


def _stored(run: Run, name: str) -> Any:
    """The stored output of stage ``name`` for the run's issue date."""
    payload = run.store.load_stage(run.issue_date, name)
    if payload is None:
        raise StageError(
            f"no stored output of stage {name!r} for {run.issue_date}; run the stages up to "
            f"{name!r} first (dongtai brief --date {run.issue_date})"
        )
    return _BY_NAME[name].output.validate_python(payload)


def _execute(run: Run, stage: Stage, outputs: Mapping[str, Any]) -> Any:
    taken = (INPUTS[name](run) for name in stage.inputs)
    output = stage.compute(run, *(outputs[name] for name in stage.reads), *taken)
    if run.persist:
        run.store.save_stage(
            run.issue_date, stage.name, stage.output.dump_python(output, mode="json")
        )
        if stage.record:
            stage.record(run, output)
    return output


def run_until(run: Run, last: str, progress: Progress | None = None) -> dict[str, Any]:
    """Run the stages from the first to ``last``; every stage's output by name."""
    outputs: dict[str, Any] = {}
    for stage in STAGES[: NAMES.index(stage_named(last).name) + 1]:
        if progress:
            progress(stage.name)
        outputs[stage.name] = _execute(run, stage, outputs)
    return outputs


def run_stage(settings: Settings, issue_date: date, name: str) -> Any:
    """Re-run one stage from the stored outputs it reads, and store the result."""
    stage = stage_named(name)
    run = Run(settings, open_store(settings.db_url), issue_date)
    return _execute(run, stage, {read: _stored(run, read) for read in stage.reads})


def build(
    settings: Settings,
    issue_date: date,
    progress: Progress | None = None,
    store: Store | None = None,
) -> Result:
    """Run the stages in order for one issue date and render the briefing."""
    for name in settings.formats:  # fail before the work, not after it
        load_renderer(name)
    load_writer(settings.writer)
    run = Run(settings, store or open_store(settings.db_url), issue_date)
    outputs = run_until(run, "render", progress)
    stored = run.store.load_briefing(issue_date)
    if stored is None:
        raise StageError(f"no briefing was produced for {issue_date}")
    briefing, status = stored
    return Result(briefing=briefing, status=status, paths=[Path(p) for p in outputs["render"]])
