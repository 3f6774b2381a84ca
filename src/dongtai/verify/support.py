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
  * date: a date of the item covering the claim (:func:`dongtai.text.dates.covers`, the
    item's publication year for dates without one), or, for a day, the item's
    publication date in the issue time zone;
  * organisation / person: the item names the entity, or the entity is its outlet (or a
    syndicated copy's outlet);
  * quote: the quotation's key is a substring of the item's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from dongtai.models import Item, Reference, Source
from dongtai.sources import load_registry
from dongtai.text.dates import When, conflicts, covers
from dongtai.text.figures import base_unit, supports
from dongtai.text.names import Lexicon
from dongtai.verify.claims import Evidence, Found, extract

__all__ = ["SHANGHAI", "Hit", "Index"]

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


def _signature(claim: Found) -> object:
    fig = claim.figure
    figure = None if fig is None else (fig.text, fig.value, fig.unit, fig.kind, fig.qualifier)
    entity = claim.mention and claim.mention.entity
    return (claim.kind, claim.label, figure, claim.key, entity, claim.context)


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
        yield from _date_hits(claim.when, ev, n)
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


def _date_hits(when: When, ev: Evidence, n: int) -> Iterable[Hit]:
    published = (ev.published.year, ev.published.month)
    for name, f in ev.of_kind("date"):
        if f.when is not None and covers(when, f.when, published):
            yield Hit(n, 2, name, (f.start, f.end), f.text)
    day = ev.published
    pub = When(day.isoformat(), 0, 0, "day", day.year, month=day.month, day=day.day)
    if when.kind == "day" and covers(when, pub):
        yield Hit(n, 2, "published", (0, 0), day.isoformat())
