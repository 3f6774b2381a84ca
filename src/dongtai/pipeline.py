"""The pipeline: the only module that knows the order of the stages.

    select → dedupe → classify → cluster → recall → rank → plan → write → verify → render

``select`` takes the items published in ``[D − window, D)`` (issue time zone) and the
items that the issues of the last ``memory_days`` days cited, so that ``recall`` can
tell old stories and follow-ups from new ones. Each stage's output is stored
(``stage_outputs``, as JSON records) under the issue date, so any stage can be re-run
alone from its predecessor's stored output (:func:`run_stage`). ``verify`` stores the
briefing with its references; a briefing whose verification fails is still stored and
rendered, with status
``failed`` (``overridden`` when ``allow_unverified`` is set, recorded in its
verification), and :func:`build` reports it so the CLI can exit non-zero. A window with
no qualifying story gives a short issue that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter

from dongtai.config import Settings
from dongtai.errors import ConfigError, StageError
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
from dongtai.plugins import RENDERERS, WRITERS, load
from dongtai.render import render_all
from dongtai.sources import Registry, load_registry
from dongtai.stages import classify as classify_stage
from dongtai.stages import cluster as cluster_stage
from dongtai.stages import dedupe as dedupe_stage
from dongtai.stages import plan as plan_stage
from dongtai.stages import rank as rank_stage
from dongtai.stages import recall as memory
from dongtai.store import Store, open_store
from dongtai.text.embedding import embed
from dongtai.text.matching import Matcher
from dongtai.verify import gate as verify_stage
from dongtai.writers import WriteContext, assemble

STAGES = (
    "select",
    "dedupe",
    "classify",
    "cluster",
    "recall",
    "rank",
    "plan",
    "write",
    "verify",
    "render",
)
Progress = Callable[[str], None]


def issue_window(issue_date: date, hours: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[D − hours, D)`` with D at midnight in the issue time zone."""
    end = datetime.combine(issue_date, time(0), tzinfo=tz)
    return end - timedelta(hours=hours), end


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc


@dataclass
class Run:
    """One issue being built: settings, store, registry and the issue date."""

    settings: Settings
    store: Store
    issue_date: date
    persist: bool = True
    include_off_topic: bool = False
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = load_registry(self.settings.home)
        self.store.save_sources(self.registry.sources.values())

    @cached_property
    def tz(self) -> ZoneInfo:
        return zone(self.settings.timezone)

    @cached_property
    def window(self) -> tuple[datetime, datetime]:
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
    def topics(self) -> classify_stage.Topics:
        return classify_stage.load_topics(self.settings.home)

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
            settings=self.settings,
        )


@dataclass(frozen=True)
class Result:
    briefing: Briefing
    status: str
    paths: list[Path]


# one function per stage: (run, input) → output ----------------------------------
def _select(run: Run, _: None) -> list[Item]:
    start, end = run.window
    in_window = run.store.items_between(start, end)
    seen = {item.url for item in in_window}
    earlier = run.store.items_by_url(url for url in run.cited if url not in seen)
    return in_window + [earlier[url] for url in sorted(earlier)]


def _dedupe(run: Run, items: list[Item]) -> list[Item]:
    return dedupe_stage.dedupe(items, run.weights())


def _classify(run: Run, items: list[Item]) -> list[Classified]:
    outlet_topics = {sid: s.topics for sid, s in run.sources.items()}
    return classify_stage.classify(items, run.topics, outlet_topics, embed)


def _cluster(run: Run, entries: list[Classified]) -> list[Story]:
    chosen = entries if run.include_off_topic else [e for e in entries if e.on_topic]
    return cluster_stage.cluster(chosen, embed, run.organisations)


def _recall(run: Run, stories: list[Story]) -> memory.Recalled:
    return memory.recall(stories, run.cited)


def _rank(run: Run, recalled: memory.Recalled) -> list[Story]:
    weights, topic_weights = run.weights(), run.topics.weights()
    return rank_stage.rank(recalled.stories, weights, topic_weights, run.window)


def _plan(run: Run, ranked: list[Story]) -> list[SectionPlan]:
    s = run.settings
    return plan_stage.plan(ranked, s.max_sections, s.min_outlets, s.max_stories)


def _write(run: Run, plans: list[SectionPlan]) -> Draft:
    if not plans:
        return Draft(abstract=_no_news(run), sections=())
    writer = load(WRITERS, run.settings.writer)()
    draft: Draft = writer.write(plans, run.context())
    return draft


def _no_news(run: Run) -> str:
    start, end = (moment.astimezone(run.tz) for moment in run.window)
    last = end - timedelta(seconds=1)
    return (
        f"中国与全球战略性产业今日无重要动态：{start:%Y}年{start.month}月{start.day}日"
        f"{start:%H:%M}至{last.month}月{last.day}日{last:%H:%M}，没有两家以上信源报道、"
        "符合本刊收录标准的战略性产业新闻，本期不设正文。"
    )


def _verify(run: Run, draft: Draft) -> Briefing:
    plans = _stored(run, "plan")
    items = {item.url: item for plan in plans for story in plan.stories for item in story.items}
    body = assemble(draft, items, run.context())
    verification = verify_stage.verify(
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
    briefing = Briefing(
        date=run.issue_date,
        title=run.settings.branding.title,
        abstract=body.abstract,
        sections=body.sections,
        references=body.references,
        verification=verification,
        writer=draft.report or WriterReport(name=run.settings.writer),
        left_out=_left_out(run, plans),
        operator_notes=_operator_notes(run),
    )
    status = verify_stage.status(verification)
    run.store.save_briefing(briefing, status, run.settings.writer, body.cited)
    return briefing


def _left_out(run: Run, plans: list[SectionPlan]) -> tuple[LeftOut, ...]:
    s = run.settings
    ranked = _stored(run, "rank")
    found = plan_stage.left_out(ranked, plans, s.max_sections, s.min_outlets, s.max_stories)
    return tuple(found)


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


_FUNCTIONS: dict[str, Callable[[Run, Any], Any]] = {
    "select": _select,
    "dedupe": _dedupe,
    "classify": _classify,
    "cluster": _cluster,
    "recall": _recall,
    "rank": _rank,
    "plan": _plan,
    "write": _write,
    "verify": _verify,
    "render": _render,
}
_TYPES: dict[str, TypeAdapter[Any]] = {
    "select": TypeAdapter(list[Item]),
    "dedupe": TypeAdapter(list[Item]),
    "classify": TypeAdapter(list[Classified]),
    "cluster": TypeAdapter(list[Story]),
    "recall": TypeAdapter(memory.Recalled),
    "rank": TypeAdapter(list[Story]),
    "plan": TypeAdapter(list[SectionPlan]),
    "write": TypeAdapter(Draft),
    "verify": TypeAdapter(Briefing),
    "render": TypeAdapter(list[str]),
}


def _stored(run: Run, stage: str) -> Any:
    """The stored output of ``stage`` for the run's issue date."""
    payload = run.store.load_stage(run.issue_date, stage)
    if payload is None:
        raise StageError(
            f"no stored output of stage {stage!r} for {run.issue_date}; run the stages up to "
            f"{stage!r} first (dongtai brief --date {run.issue_date})"
        )
    return _TYPES[stage].validate_python(payload)


def _input(run: Run, stage: str) -> Any:
    """The stored output of the stage before ``stage`` (None for the first stage)."""
    index = STAGES.index(stage)
    return None if index == 0 else _stored(run, STAGES[index - 1])


def _execute(run: Run, stage: str, data: Any) -> Any:
    output = _FUNCTIONS[stage](run, data)
    if run.persist:
        payload = _TYPES[stage].dump_python(output, mode="json")
        run.store.save_stage(run.issue_date, stage, payload)
        if stage == "rank":
            run.store.save_stories(run.issue_date, output)
    return output


def run_until(run: Run, last: str) -> dict[str, Any]:
    """Run the stages from the first to ``last``; every stage's output by name."""
    outputs: dict[str, Any] = {}
    data: Any = None
    for stage in STAGES[: STAGES.index(last) + 1]:
        data = outputs[stage] = _execute(run, stage, data)
    return outputs


def run_stage(settings: Settings, issue_date: date, stage: str) -> Any:
    """Re-run one stage from its predecessor's stored output, and store the result."""
    if stage not in STAGES:
        raise StageError(f"unknown stage {stage!r} (stages: {', '.join(STAGES)})")
    run = Run(settings, open_store(settings.db_url), issue_date)
    return _execute(run, stage, _input(run, stage))


def build(
    settings: Settings,
    issue_date: date,
    progress: Progress | None = None,
    store: Store | None = None,
) -> Result:
    """Run the stages in order for one issue date and render the briefing."""
    for name in settings.formats:  # fail before the work, not after it
        load(RENDERERS, name)
    load(WRITERS, settings.writer)
    run = Run(settings, store or open_store(settings.db_url), issue_date)
    data: Any = None
    for stage in STAGES:
        if progress:
            progress(stage)
        data = _execute(run, stage, data)
    stored = run.store.load_briefing(issue_date)
    if stored is None:
        raise StageError(f"no briefing was produced for {issue_date}")
    briefing, status = stored
    return Result(briefing=briefing, status=status, paths=[Path(p) for p in data])
