"""What every mutation kind works with: the verified briefing, its claims and the gate's
index (:class:`Context`), and the edits and checks the kinds share (:mod:`bench.mutations`,
:mod:`bench.mutations_meaning`)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from dongtai.models import Briefing, Claim, Verification
from dongtai.text.dates import When, covers
from dongtai.text.figures import Figure, extract_figures, supports
from dongtai.verify.claims import Found
from dongtai.verify.gate import Index

T = TypeVar("T")


@dataclass(frozen=True)
class Mutant:
    """One mutated briefing and what was changed."""

    kind: str
    description: str
    briefing: Briefing


@dataclass
class Context:
    briefing: Briefing
    verification: Verification
    index: Index
    rng: random.Random

    def claims(self, *kinds: str) -> list[Claim]:
        return [c for c in self.verification.claims if c.kind in kinds and c.pointer]

    @cached_property
    def data(self) -> dict[str, Any]:
        return self.briefing.model_dump(mode="json")

    def text(self, pointer: str) -> str:
        value = at(self.data, pointer)
        return value if isinstance(value, str) else ""

    def scope(self, claim: Claim) -> list[int]:
        """References that may support the claim (the abstract: its sections')."""
        if claim.pointer == "/abstract":
            return [n for r in sections_of(self.briefing, claim.support_refs) for n in r]
        return list(scope_refs(self.briefing, claim.pointer))


def pick(rng: random.Random, options: Sequence[T]) -> T | None:
    return rng.choice(options) if options else None


def at(data: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def put(briefing: Briefing, pointer: str, value: Any) -> Briefing:
    data = briefing.model_dump(mode="json")
    *parents, last = pointer.strip("/").split("/")
    holder = at(data, "/".join(parents)) if parents else data
    if isinstance(holder, list):
        holder[int(last)] = value
    else:
        holder[last] = value
    return Briefing.model_validate(data)


def edit(ctx: Context, claim: Claim, start: int, end: int, new: str) -> Briefing:
    text = ctx.text(claim.pointer)
    return put(ctx.briefing, claim.pointer, text[:start] + new + text[end:])


def scope_refs(briefing: Briefing, pointer: str) -> tuple[int, ...]:
    parts = pointer.strip("/").split("/")
    section = briefing.sections[int(parts[1])]
    if "paragraphs" in parts:
        sub = section.subsections[int(parts[3])]
        return sub.paragraphs[int(parts[5])].refs
    subs = section.subsections if len(parts) == 3 else [section.subsections[int(parts[3])]]
    return tuple(dict.fromkeys(n for sub in subs for p in sub.paragraphs for n in p.refs))


def section_refs(briefing: Briefing) -> list[tuple[int, ...]]:
    return [scope_refs(briefing, f"/sections/{i}/title") for i in range(len(briefing.sections))]


def sections_of(briefing: Briefing, refs: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [r for r in section_refs(briefing) if set(r) & set(refs)]


def figure_at(text: str, start: int) -> Figure | None:
    return next((f for f in extract_figures(text) if f.start == start), None)


def same_figure(ctx: Context, claim: Claim, start: int, end: int, new: str) -> bool:
    """True if the mutated text still states what the original did (an equivalent mutant)."""
    text = ctx.text(claim.pointer)
    before = figure_at(text, claim.start)
    after = figure_at(text[:start] + new + text[end:], claim.start)
    return before is None or after is None or supports(after, before)


def date_stated(ctx: Context, when: When, refs: list[int], attribution: bool) -> bool:
    for n in refs:
        ev = ctx.index.evidence.get(n)
        if ev is None:
            continue
        day = ev.published
        own_day = when.kind == "day" and when.day == day.day and when.month in (None, day.month)
        if attribution and own_day:
            return True
        for _, f in ev.of_kind("date"):
            if f.when is not None and covers(when, f.when, ev.published):
                return True
    return False


def found(ctx: Context, claim: Claim, kind: str) -> Found | None:
    """The gate's reading of a claim (with its role, attribution …)."""
    text = ctx.text(claim.pointer)
    claims = ctx.index.claims(text, ctx.briefing.date.year)
    return next((f for f in claims if f.kind == kind and f.start == claim.start), None)


def stated_in_scope(ctx: Context, claim: Claim, figure: Figure) -> bool:
    """True if an item the claim may cite states ``figure`` (an equivalent mutant)."""
    for n in ctx.scope(claim):
        ev = ctx.index.evidence.get(n)
        for _, f in ev.of_kind("figure") if ev else ():
            if f.figure is not None and supports(figure, f.figure):
                return True
    return False
