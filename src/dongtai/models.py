"""Plain, immutable records that flow between the pipeline stages.

Every stage is a function from these records to these records; none of them does
I/O. They serialise to JSON (``model_dump(mode="json")``) so the pipeline can persist
the output of each stage and re-run any stage alone.

``Briefing`` and its parts are the briefing JSON contract (``briefing.json``;
``data/briefing.schema.json``): its keys and their meaning never change, newer fields
come after them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Record(BaseModel):
    """Base of all records: immutable, unknown fields rejected. A record builds its
    validator when first used, so a command pays only for the records it uses."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


FEED_KINDS = ("rss", "atom", "json-feed")
WayKind = Literal["rss", "atom", "json-feed", "html", "sitemap", "rsshub"]


class Way(Record):
    """One way of reading an outlet: a feed, a news sitemap, a listing page with the CSS
    selector of its article links, or an RSSHub route (resolved against
    ``fetch.rsshub_url``)."""

    kind: WayKind
    url: str = ""
    route: str = ""
    selector: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Way:
        if self.kind == "rsshub":
            if not self.route.startswith("/"):
                raise ValueError(
                    f"an rsshub way needs a route starting with '/', got {self.route!r}"
                )
        elif not self.url:
            raise ValueError(f"a {self.kind} way needs a url")
        if self.kind == "html" and not self.selector:
            raise ValueError("an html way needs a selector (CSS selector of the article links)")
        return self

    def label(self) -> str:
        """'rss https://…', 'rsshub /cls/telegraph': how fetch runs and checks name it."""
        return f"{self.kind} {self.route if self.kind == 'rsshub' else self.url}"


class Source(Record):
    """An outlet of the registry (shipped YAML, workspace YAML or first seen on ingest).

    ``kind``/``url``/``route``/``selector`` are the first way of reading the outlet,
    ``fallbacks`` the next ones, tried in order when it fails (:meth:`ways`). ``manual``
    (formerly ``none``) is not fetched: items arrive by ``ingest`` or ``add-url``, and
    ``note`` says why. ``provenance`` says where the URL or route came from and
    ``last_seen`` when it was last seen working (None: unknown)."""

    id: str
    name_en: str
    name_zh: str
    short: str = ""
    cite_as: str = ""
    kind: Literal["rss", "atom", "json-feed", "html", "sitemap", "rsshub", "folder", "manual"] = (
        "manual"
    )
    url: str = ""
    route: str = ""
    fallbacks: tuple[Way, ...] = ()
    homepage: str = ""
    language: Literal["en", "zh", "ja"] = "en"
    weight: float = 0.5
    topics: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    known: bool = True
    selector: str = ""  # html listings: CSS selector of the article links
    enabled: bool = True  # fetched by `dongtai fetch`
    note: str = ""  # why the outlet is manual, or what to expect of it
    provenance: str = ""  # where the URL / route came from (the evidence)
    last_seen: date | None = None  # when the URL / route was last seen working

    @field_validator("kind", mode="before")
    @classmethod
    def _none_is_manual(cls, value: object) -> object:
        return "manual" if value == "none" else value

    @model_validator(mode="after")
    def _first_way_complete(self) -> Source:
        if self.kind not in ("manual", "folder"):
            self.ways()  # raises ValueError when the first way is incomplete
        elif self.kind == "folder" and not self.url:
            raise ValueError("a folder source needs a url (the folder)")
        return self

    def ways(self) -> tuple[Way, ...]:
        """The ways of reading the outlet, in the order fetch tries them (none when the
        outlet is manual or a local folder)."""
        if self.kind in ("manual", "folder"):
            return ()
        kind = cast(WayKind, self.kind)
        first = Way(kind=kind, url=self.url, route=self.route, selector=self.selector)
        return (first, *self.fallbacks)

    def readable(self, rsshub_url: str) -> bool:
        """Whether fetch can read the source at all (a way that needs no missing instance)."""
        if self.kind == "folder":
            return bool(self.url)
        return any(w.kind != "rsshub" or rsshub_url for w in self.ways())

    def label_zh(self) -> str:
        """The outlet as a Chinese text names it: '南华早报 (SCMP)', 'ITIF', '路透社'."""
        if self.short and self.short != self.name_zh:
            return f"{self.name_zh} ({self.short})"
        return self.name_zh

    def reference_name(self) -> str:
        """The outlet as the reference list names it: 'ITIF', 'South China Morning Post',
        '第一财经' (Chinese outlets by their Chinese name)."""
        if self.language == "zh":
            return self.name_zh
        return self.cite_as or self.name_en


class Copy(Record):
    """Another outlet's copy of an item, kept for attribution after dedupe."""

    source: str
    url: str
    reason: str = ""


class Item(Record):
    """One news item, as ingested from item JSON Lines or a fetch.

    ``title`` and ``text`` are cleaned at ingest (:mod:`dongtai.text.clean`);
    ``raw_title`` and ``raw_text`` keep what the outlet published when cleaning changed
    it (empty when it did not). ``summary_only``: the text is the feed's summary because
    the article page could not be fetched (``page_error`` says why); it still counts for
    coverage and attribution."""

    url: str
    source: str
    title: str
    published: datetime
    text: str
    language: Literal["en", "zh"]
    summary: str = ""
    authors: tuple[str, ...] = ()
    copies: tuple[Copy, ...] = ()
    raw_title: str = ""
    raw_text: str = ""
    summary_only: bool = False
    page_error: str = ""

    def outlets(self) -> tuple[str, ...]:
        """Source ids of this item and of its syndicated copies, first seen first."""
        seen = dict.fromkeys([self.source, *(c.source for c in self.copies)])
        return tuple(seen)


class LineError(Record):
    """A rejected input line: where and why."""

    line: int
    reason: str


class Classified(Record):
    """An item with its topic and relevance judgement."""

    item: Item
    topic: str
    relevance: float
    on_topic: bool
    reason: str
    concepts: tuple[str, ...] = ()


class Story(Record):
    """Items (possibly across outlets and languages) that report one event."""

    id: str
    topic: str
    items: tuple[Item, ...]
    concepts: tuple[str, ...] = ()
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    follow_up_of: date | None = None
    new_facts: tuple[str, ...] = ()

    def outlets(self) -> tuple[str, ...]:
        """Every outlet that reported the story, copies included."""
        seen: dict[str, None] = {}
        for item in self.items:
            seen.update(dict.fromkeys(item.outlets()))
        return tuple(seen)


class SectionPlan(Record):
    """One planned section: a lead story, optionally paired with a related one."""

    number: int
    topic: str
    stories: tuple[Story, ...] = Field(min_length=1, max_length=2)


class Paragraph(Record):
    """A paragraph of the issue, citing its references by number."""

    text: str
    refs: tuple[int, ...]


class Subsection(Record):
    """Subsection ``number`` ("1.2": the second of section 1)."""

    number: str
    title: str
    paragraphs: tuple[Paragraph, ...]


class Section(Record):
    """Section ``number`` ("1", "2" …): the stories of one topic."""

    number: str
    title: str
    topic: str
    subsections: tuple[Subsection, ...]


class Reference(Record):
    n: int
    source: str
    date: date
    title: str
    url: str


class Claim(Record):
    """A claim of the briefing text, where it stands and the evidence that supports it
    or why none does."""

    text: str
    where: str
    supported: bool
    evidence_url: str = ""
    evidence: str = ""
    kind: str = "figure"
    """figure, date, organisation, person, quote, citation or reference"""
    pointer: str = ""
    """The JSON pointer of the briefing text holding the claim ("/abstract",
    "/sections/0/subsections/1/paragraphs/0/text"); ``start``, ``end``: its span there."""
    start: int = 0
    end: int = 0
    sentence: str = ""
    normalised: str = ""
    reason: str = ""
    evidence_ref: int = 0
    """``evidence_*``: the supporting item (reference number, URL, field "title",
    "summary", "text", "published" or "outlet", sentence and span in that field)."""
    evidence_field: str = ""
    evidence_sentence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0
    support_refs: tuple[int, ...] = ()
    """Every reference in scope that supports the claim."""
    closest: str = ""
    """``closest_*``: of a claim that failed, the closest candidate of the cited items
    (reference, field, sentence, span)."""
    closest_ref: int = 0
    closest_field: str = ""
    closest_sentence: str = ""
    closest_start: int = 0
    closest_end: int = 0
    mismatch: str = ""
    """Why the closest candidate does not match: "value", "unit", "qualifier",
    "period", "direction", "date", "metadata", "unbound" …"""


class Verification(Record):
    """The gate's verdict: ``unsupported`` lists the failing claims, ``claims`` every
    claim checked with its evidence; ``allow_unverified`` records an editor's override."""

    passed: bool
    checked: int
    unsupported: tuple[Claim, ...] = ()
    claims: tuple[Claim, ...] = ()
    allow_unverified: bool = False


class Fallback(Record):
    """A text the writer replaced by the extractive writer's, where and why."""

    where: str
    task: str
    reason: str


class TaskReport(Record):
    """One task of a model-backed writer: calls and their seconds and tokens, then its
    texts: accepted first time, accepted after regeneration, fallen back to the
    extractive writer's, dropped; and the reasons (failure kind → count) behind them."""

    calls: int = 0
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first: int = 0
    regenerated: int = 0
    fallen_back: int = 0
    dropped: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)


class WriterReport(Record):
    """What writing the issue took: the writer, its models, calls, tokens billed in this
    run, estimated cost, cache hits, texts regenerated once, extractive fallbacks, and the
    URLs of items left out of their story (judged not to report its event)."""

    name: str
    model: str = ""
    models: dict[str, str] = Field(default_factory=dict)
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_estimated: bool = False
    estimated_cost: float = 0.0
    currency: str = ""
    regenerated: int = 0
    fallbacks: tuple[Fallback, ...] = ()
    left_out: tuple[str, ...] = ()
    tasks: dict[str, TaskReport] = Field(default_factory=dict)


class LeftOut(Record):
    """An on-topic story reported by enough outlets that the issue does not carry, and why."""

    story: str
    title: str
    outlets: tuple[str, ...]
    urls: tuple[str, ...]
    reason: str


class Briefing(Record):
    """The briefing JSON contract (``writer``: an optional report of the writer;
    ``left_out``: the qualifying stories the issue does not carry, with the reason)."""

    date: date
    title: str
    abstract: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    verification: Verification
    writer: WriterReport | None = None
    left_out: tuple[LeftOut, ...] = ()
    operator_notes: tuple[str, ...] = ()
    """For the people who run dongtai (failing sources …); never shown to readers."""


class DraftParagraph(Record):
    """A paragraph as a writer produces it: citing items by URL."""

    text: str
    cites: tuple[str, ...] = Field(min_length=1)


class DraftSubsection(Record):
    title: str
    paragraphs: tuple[DraftParagraph, ...]


class DraftSection(Record):
    title: str
    topic: str
    subsections: tuple[DraftSubsection, ...]


class Draft(Record):
    """A writer's output before references are numbered and claims verified."""

    abstract: str
    sections: tuple[DraftSection, ...]
    report: WriterReport | None = None


class FetchRun(Record):
    """One source's result in one fetch run: counts, and why it failed if it did.

    ``status``: ``ok`` (fetched; new items or not), ``unchanged`` (HTTP 304),
    ``partial`` (fetched, some items failed), ``failed`` (nothing could be read).
    ``way`` is the way of reading the outlet that was used (:meth:`Way.label`), "" when
    none worked or the source is a folder.
    """

    source: str
    status: Literal["ok", "unchanged", "partial", "failed"]
    new: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str = ""
    started: datetime
    finished: datetime
    way: str = ""


class SourceHealth(Record):
    """A source's fetch health as the store knows it (for operators, not readers)."""

    source: str
    last_attempt: datetime
    last_success: datetime | None = None
    consecutive_failures: int = 0
    last_status: str = ""
    last_error: str = ""
    last_way: str = ""
