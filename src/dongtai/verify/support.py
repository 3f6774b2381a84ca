"""Support: how each cited item bears on each claim, read once and cached.

:class:`Index` holds the items a briefing cites (by reference number) as
:class:`~dongtai.verify.claims.Evidence`, with the lexicon of names, and answers
:meth:`Index.hit`: the best :class:`Hit` of one item on one claim, cached by the claim's
meaning so re-checking an edited briefing (or a mutant) re-reads only what changed.

Rules per claim kind (the gate, :mod:`dongtai.verify.gate`, decides across items):
  * figure: every figure of the item with the same kind and base unit is compared —
    ``supports`` (value, scale, qualifier, rounding), no conflicting period, and a grade
    from the directions (same direction or none claimed: 2; none stated: 1; opposite:
    -1); an item stating the figure both ways grades 2, else the opposite wins over
    none. The context overlap (share of the claim's context bigrams in the figure's
    context) of the best-matching figure is recorded, and whether it supports the claim;
  * date: a date of the item's text covering the claim (:func:`dongtai.text.dates.covers`;
    dates without a year in the item's publication year, days without a month in its
    publication month, relative days from its publication day), or — only for a day in
    the writer's own attribution ("据 X 5 月 15 日报道") — the item's publication date in
    the issue time zone;
  * organisation / person: the item names the entity, or the entity is its outlet (or a
    syndicated copy's outlet);
  * role: a sentence of the item names the person (:func:`dongtai.text.names.same_person`)
    and binds them to the organisation by a title (:func:`dongtai.text.names.same_org`),
    or — when no title of that sentence binds the person — one clause (up to ，；：。 or
    a site suffix's "_") names both;
  * quote: the quotation's key is a substring of the item's key.

When no item supports a claim, :meth:`Index.near` finds the closest candidate in the
cited items (figure: the one in the most similar context, then the nearest value; date:
a publication date, else the nearest stated date; role: the person's title statement)
and says why it does not match (:data:`WHY`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from dongtai.models import Item, Reference, Source
from dongtai.sources import load_registry
from dongtai.text.dates import When, conflicts, covers
from dongtai.text.figures import mismatch, supports
from dongtai.text.names import Lexicon, Role, same_org, same_person
from dongtai.text.numerals import base_unit
from dongtai.verify.claims import Evidence, Found, extract

__all__ = ["SHANGHAI", "WHY", "Hit", "Index", "Near"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Hit:
    """How one item bears on one claim: grade 2 supports, 1 supports without stating the
    direction, -1 states the figure going the other way, 0 does not state it. For a
    figure, ``context`` is the best overlap of its context with the context of a figure
    of the same kind in the item, ``context_ok`` whether a figure with that context
    supports it, ``context_surface`` what that figure says, and ``support_context`` the
    best overlap among the figures that support it."""

    ref: int
    grade: int
    field: str
    span: tuple[int, int]
    surface: str
    context: float = 0.0
    context_ok: bool = True
    context_surface: str = ""
    support_context: float = 0.0


WHY = {
    "value": "a different value",
    "unit": "a different unit",
    "qualifier": "a different qualifier (超过/约/近/不到 …)",
    "period": "a different period",
    "direction": "the figure going the other way",
    "date": "a different date",
    "metadata": "this date only as its publication date (metadata), not in its text",
    "unbound": "the organisation is not bound to the person",
    "unnamed": "the person with another organisation or none",
    "context": "this figure said of something else",
}


@dataclass(frozen=True)
class Near:
    """The closest candidate of the cited items for a claim that failed, and why it does
    not match (a key of :data:`WHY`)."""

    ref: int
    field: str
    span: tuple[int, int]
    surface: str
    why: str


class Index:
    """The items a briefing cites, read once, with their claims; reused across checks."""

    def __init__(
        self,
        references: Sequence[Reference],
        items: Mapping[str, Item],
        lexicon: Lexicon,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        self.lexicon = lexicon
        self.tz = tz
        self.references = {ref.n: ref for ref in references}
        self.evidence: dict[int, Evidence] = {}
        for ref in references:
            item = items.get(ref.url)
            if item is not None:
                outlets = frozenset().union(*(lexicon.outlet_entities(s) for s in item.outlets()))
                local = item.published.astimezone(tz).date()
                self.evidence[ref.n] = Evidence(item, local, lexicon, outlets)
        self._hits: dict[tuple[object, int], Hit | None] = {}
        self._claims: dict[tuple[str, int | None], list[Found]] = {}

    @classmethod
    def build(
        cls,
        references: Sequence[Reference],
        items: Mapping[str, Item],
        names: Mapping[str, str] | None = None,
        sources: Iterable[Source] = (),
        tz: tzinfo = SHANGHAI,
    ) -> Index:
        """Index with a lexicon of the registry ``names``, the outlets and the items
        (without ``names``: the shipped registry's organisations and outlets)."""
        if names is None:
            registry = load_registry()
            names, sources = registry.organisation_names(), [*registry.sources.values(), *sources]
        cited = [items[ref.url] for ref in references if ref.url in items]
        lexicon = Lexicon.build(names, sources, cited)
        return cls(references, items, lexicon, tz)

    def claims(self, text: str, base_year: int | None) -> list[Found]:
        key = (text, base_year)
        if key not in self._claims:
            self._claims[key] = extract(text, self.lexicon, base_year)
        return self._claims[key]

    def hit(self, claim: Found, n: int) -> Hit | None:
        """The best hit of reference ``n`` on ``claim`` (cached by the claim's meaning)."""
        key = (_signature(claim), n)
        if key not in self._hits:
            ev = self.evidence.get(n)
            self._hits[key] = None if ev is None else _best_hit(claim, ev, n)
        return self._hits[key]

    def near(self, claim: Found, refs: Iterable[int]) -> Near | None:
        """The closest candidate of the items ``refs`` for a claim that failed."""
        evs = [(n, self.evidence[n]) for n in dict.fromkeys(refs) if n in self.evidence]
        if claim.kind == "figure":
            return _near_figure(claim, evs)
        if claim.kind == "date":
            return _near_date(claim, evs)
        if claim.kind == "role":
            return _near_role(claim, evs)
        return None


def _near_figure(claim: Found, evs: list[tuple[int, Evidence]]) -> Near | None:
    """The item figure said in the most similar context, then of the same kind and unit,
    then nearest in value; and the first rule it breaks."""
    assert claim.figure is not None
    fig = claim.figure
    best: tuple[tuple[float, bool, float], Near] | None = None
    for n, ev in evs:
        for name, f in ev.of_kind("figure"):
            if f.figure is None:
                continue
            overlap = len(claim.context & f.context) / len(claim.context) if claim.context else 0
            family = (f.figure.kind, base_unit(f.figure.unit)) == (fig.kind, base_unit(fig.unit))
            gap = _log_gap(f.figure.value, fig.value)
            score = (round(overlap, 1), family, -gap)
            if best is None or score > best[0]:
                why = mismatch(fig, f.figure)
                if not why and claim.period and f.period and conflicts(claim.period, f.period):
                    why = "period"
                elif not why and claim.direction and f.direction == -claim.direction:
                    why = "direction"
                best = (score, Near(n, name, (f.start, f.end), f.text, why or "context"))
    return None if best is None else best[1]


def _log_gap(a: float, b: float) -> float:
    """How far apart two values are, in orders of magnitude (infinite when unreadable)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(math.log10(abs(a) + 1e-9) - math.log10(abs(b) + 1e-9))


def _near_date(claim: Found, evs: list[tuple[int, Evidence]]) -> Near | None:
    """A publication date standing for a date the writer did not attribute, else the
    item date nearest to the claim's."""
    assert claim.when is not None
    when = claim.when
    for n, ev in evs:
        if when.kind == "day" and covers(when, _published(ev)):
            return Near(n, "published", (0, 0), ev.published.isoformat(), "metadata")
    best: tuple[int, Near] | None = None
    for n, ev in evs:
        for name, f in ev.of_kind("date"):
            if f.when is None or f.when.kind != when.kind:
                continue
            gap = abs(_ordinal(f.when) - _ordinal(when))
            if best is None or gap < best[0]:
                best = (gap, Near(n, name, (f.start, f.end), f.text, "date"))
    return None if best is None else best[1]


def _ordinal(w: When) -> int:
    return (w.month or 0) * 31 + (w.day or 0) + (w.quarter or 0) * 93 + (w.half or 0) * 186


def _near_role(claim: Found, evs: list[tuple[int, Evidence]]) -> Near | None:
    """The item's statement of the person's title (with another organisation), else a
    sentence naming the person."""
    assert claim.role is not None
    person = claim.role.person
    fallback = None
    for n, ev in evs:
        for name, (a, b) in ev.sentences_with(person[:2] if _cjk(person) else person):
            for r in _roles_in(ev, name, a, b):
                if same_person(r.person, person):
                    return Near(
                        n, name, (r.start, r.end), ev.fields[name][r.start : r.end], "unbound"
                    )
            fallback = fallback or Near(n, name, (a, b), ev.fields[name][a:b].strip(), "unnamed")
    return fallback


def _signature(claim: Found) -> object:
    fig = claim.figure
    figure = None if fig is None else (fig.text, fig.value, fig.unit, fig.kind, fig.qualifier)
    entity = claim.mention and claim.mention.entity
    return (claim.kind, claim.label, figure, claim.key, entity, claim.context, claim.attribution)


def _best_hit(claim: Found, ev: Evidence, n: int) -> Hit | None:
    if claim.kind == "figure":
        return _figure_hit(claim, ev, n)
    hits = list(_hits_in(claim, ev, n))
    return max(hits, key=lambda h: h.grade, default=None)


def _figure_hit(claim: Found, ev: Evidence, n: int) -> Hit:
    """The item's verdict on a figure: per direction rules, and the context check."""
    assert claim.figure is not None
    hits: list[Hit] = []
    best, ok, said, backing = 0.0, True, "", 0.0
    for name, f in ev.of_kind("figure"):
        if f.figure is None or (f.figure.kind, base_unit(f.figure.unit)) != (
            claim.figure.kind,
            base_unit(claim.figure.unit),
        ):
            continue
        stated = supports(claim.figure, f.figure) and not (
            claim.period and f.period and conflicts(claim.period, f.period)
        )
        overlap = len(claim.context & f.context) / len(claim.context) if claim.context else 0.0
        if overlap > best + 1e-9:
            best, ok, said = overlap, stated, f.text
        elif overlap > best - 1e-9:
            ok = ok or stated
        if stated:
            backing = max(backing, overlap)
            grade = _grade(claim.direction, f.direction)
            hits.append(Hit(n, grade, name, (f.start, f.end), f.text))
    grades = {h.grade for h in hits}
    grade = next((g for g in (2, -1, 1) if g in grades), 0)
    first = next((h for h in hits if h.grade == grade), Hit(n, 0, "", (0, 0), ""))
    return Hit(first.ref, grade, first.field, first.span, first.surface, best, ok, said, backing)


def _hits_in(claim: Found, ev: Evidence, n: int) -> Iterable[Hit]:
    if claim.kind == "date" and claim.when is not None:
        yield from _date_hits(claim.when, ev, n, claim.attribution)
    elif claim.kind == "role" and claim.role is not None:
        yield from _role_hits(claim, ev, n)
    elif claim.kind in ("organisation", "person") and claim.mention is not None:
        entity = claim.mention.entity
        if entity in ev.entities:
            name, f = ev.entities[entity]
            yield Hit(n, 2, name, (f.start, f.end), f.text)
        elif entity in ev.outlets:
            yield Hit(n, 2, "outlet", (0, 0), ev.item.source)
    elif claim.kind == "quote":
        found = ev.find_quote(claim.key)
        if found is not None:
            name, a, b = found
            yield Hit(n, 2, name, (a, b), ev.fields[name][a:b])


def _grade(claimed: int, stated: int) -> int:
    if claimed == 0 or stated == claimed:
        return 2
    return 1 if stated == 0 else -1


def _date_hits(when: When, ev: Evidence, n: int, attribution: bool) -> Iterable[Hit]:
    for name, f in ev.of_kind("date"):
        if f.when is not None and covers(when, f.when, ev.published):
            yield Hit(n, 2, name, (f.start, f.end), f.text)
    if attribution and when.kind == "day" and covers(when, _published(ev)):
        yield Hit(n, 2, "published", (0, 0), ev.published.isoformat())


def _published(ev: Evidence) -> When:
    day = ev.published
    return When(day.isoformat(), 0, 0, "day", day.year, month=day.month, day=day.day)


def _role_hits(claim: Found, ev: Evidence, n: int) -> Iterable[Hit]:
    """Sentences of the item binding the claim's person to its organisation: by a title,
    or in one clause naming both where no title binds the person elsewhere."""
    assert claim.role is not None
    role = claim.role
    names = _org_names(role.entity, role.org, ev)
    for name, (a, b) in ev.sentences_with(role.person[:2] if _cjk(role.person) else role.person):
        bound = [r for r in _roles_in(ev, name, a, b) if same_person(r.person, role.person)]
        same = [r for r in bound if same_org(r.entity, role.entity)]
        if same:
            r = same[0]
            yield Hit(n, 2, name, (r.start, r.end), ev.fields[name][r.start : r.end])
        elif not bound:
            text = ev.fields[name]
            at = text.find(role.person[:2] if _cjk(role.person) else role.person, a, b)
            lo, hi = _clause(text, at, a, b)
            if any(alias in text[lo:hi] for alias in names):
                yield Hit(n, 2, name, (lo, hi), text[lo:hi].strip())


_CLAUSE_END = re.compile(r"[，,；;：:。！？!?_|\n]")


def _clause(text: str, at: int, a: int, b: int) -> tuple[int, int]:
    lo = max((m.end() for m in _CLAUSE_END.finditer(text, a, at)), default=a)
    end = _CLAUSE_END.search(text, at, b)
    return lo, end.start() if end else b


def _org_names(entity: str, written: str, ev: Evidence) -> list[str]:
    if entity.startswith("org:"):
        return [entity[4:]]
    return [*ev.lexicon.names_of(entity), written]


def _cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text)


def _roles_in(ev: Evidence, field: str, a: int, b: int) -> list[Role]:
    return [
        f.role for name, f in ev.of_kind("role") if name == field and f.role and a <= f.start < b
    ]
