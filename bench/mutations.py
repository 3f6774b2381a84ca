"""Mutation testing of the gate: single, realistic errors put into a verified briefing.

Each mutant changes one thing of a briefing that passed verification; the gate must then
fail it. Kinds:

  digit      one digit of a figure changes ("120 万片" → "150 万片", "两成" → "三成")
  scale      a magnitude swaps: 万↔亿, 万亿→亿, 千→万, million↔billion, thousand→million,
             trillion→billion, bn↔tn
  percent    a percentage moves by 1 to 20 points ("25%" → "31%")
  direction  the rise or fall word of a figure flips (增长↔下降, 提升→下降, rose↔fell …)
  org_swap   an organisation becomes one that another section names
  date_shift a day (±1–3), month (±1–2), quarter (±1–2) or a date's year (±1) moves
  quote      one character of a quotation changes
  wrong_ref  a paragraph cites another section's reference instead of one of its own
  drop_item  a paragraph stops citing the only reference that supports one of its claims
  bound      a bound is weakened: "超 1.7 亿" → "超 1.0 亿" / "超 1.7 万", "8% 以内" →
             "13% 以内", or a plain figure becomes a weaker bound ("70%" → "超 60%")
  qualifier  a qualifier changes class: 超过↔不到, 约→超过, 以上↔以内, a bound added to
             a plain figure or dropped from a bounded one
  role_swap  the organisation of a person's title becomes another one, preferably one the
             cited item names elsewhere ("工信部副部长尚冰" → "中国移动副部长尚冰")
  body_date  a date outside the writer's attribution moves, preferably to a day a cited
             item was published ("尚冰 15 日" → "16 日")
  glued      a figure followed by a Latin token changes one digit and is glued to it as
             an item would print it ("46 款 app" → "47款app")

Equivalent mutants are redrawn, never counted: a figure the rules of
:mod:`dongtai.text.figures` read as still stated by the original ("约 40%" → "约 41%"); an
organisation, date, role or quotation that an item in the claim's scope does state (a
publication date counts only for a date of the writer's attribution). Every draw is
seeded, so a run is repeatable.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bench.mutation_base import (
    Context,
    Mutant,
    at,
    date_stated,
    edit,
    figure_at,
    found,
    pick,
    put,
    same_figure,
    section_refs,
    sections_of,
)
from bench.mutations_meaning import MEANING
from dongtai.models import Briefing, Claim
from dongtai.text.dates import When, extract_dates
from dongtai.verify.claims import CUE, quote_key
from dongtai.verify.gate import Index, verify_briefing

__all__ = ["KINDS", "Mutant", "Tally", "mutants", "overall", "run"]

KINDS = (
    "digit",
    "scale",
    "percent",
    "direction",
    "org_swap",
    "date_shift",
    "quote",
    "wrong_ref",
    "drop_item",
    "bound",
    "qualifier",
    "role_swap",
    "body_date",
    "glued",
)
TRIES = 25
T = TypeVar("T")
_SCALE = re.compile(r"万亿|亿|万|千|(?i:million|billion|trillion|thousand|bn|tn)")
_SCALE_SWAP = {"万": "亿", "亿": "万", "万亿": "亿", "千": "万", "million": "billion"}
_SCALE_SWAP |= {"billion": "million", "trillion": "billion", "thousand": "million"}
_SCALE_SWAP |= {"bn": "tn", "tn": "bn"}
_CN_DIGIT = "一二两三四五六七八九"
_ANTONYM = {
    "增长": "下降", "下降": "增长", "增加": "减少", "减少": "增加", "上涨": "下跌",
    "下跌": "上涨", "上升": "下降", "提升": "下降", "提高": "降低", "降低": "提高",
    "增至": "降至", "降至": "增至", "升至": "降至", "涨至": "跌至", "跌至": "涨至",
    "增速": "降幅", "增幅": "降幅", "降幅": "增幅", "涨幅": "跌幅", "跌幅": "涨幅",
    "攀升": "下滑", "下滑": "攀升", "扩大": "缩减", "缩减": "扩大", "回落": "回升",
    "rose": "fell", "fell": "rose", "rise": "fall", "rises": "falls", "up": "down",
    "down": "up", "increase": "decrease", "increased": "decreased", "decrease": "increase",
    "decreased": "increased", "grew": "shrank", "growth": "decline", "higher": "lower",
    "lower": "higher", "gained": "lost", "jumped": "dropped", "climbed": "fell",
    "declined": "rose", "dropped": "rose", "increases": "decreases", "surged": "plunged",
}  # fmt: skip
_QUARTER_WORDS = ["first", "second", "third", "fourth"]


@dataclass
class Tally:
    """Mutants tried and caught for one kind, with the descriptions of those missed."""

    total: int = 0
    caught: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.caught / self.total if self.total else 1.0


# figures -------------------------------------------------------------------------
def _digit(ctx: Context) -> Mutant | None:
    claim = pick(ctx.rng, ctx.claims("figure"))
    if claim is None:
        return None
    spots = [i for i, ch in enumerate(claim.text) if ch.isdigit() or ch in _CN_DIGIT]
    if not spots:
        return None
    i = ctx.rng.choice(spots)
    old = claim.text[i]
    pool = "0123456789" if old.isdigit() else _CN_DIGIT
    new = ctx.rng.choice([c for c in pool if c != old and not (c == "0" and i == spots[0])])
    at = claim.start + i
    if same_figure(ctx, claim, at, at + 1, new):
        return None
    return Mutant(
        "digit",
        f"{claim.where}: {claim.text} → digit {old}→{new}",
        edit(ctx, claim, at, at + 1, new),
    )


def _scale(ctx: Context) -> Mutant | None:
    claims = [c for c in ctx.claims("figure") if _SCALE.search(c.text)]
    if not claims:
        return None
    claim = ctx.rng.choice(claims)
    m = _SCALE.search(claim.text)
    assert m is not None
    word = m.group()
    new = _SCALE_SWAP.get(word.lower(), "万")
    new = new.capitalize() if word[:1].isupper() else new
    at = claim.start + m.start()
    if same_figure(ctx, claim, at, at + len(word), new):
        return None
    briefing = edit(ctx, claim, at, at + len(word), new)
    return Mutant("scale", f"{claim.where}: {claim.text} → {word}→{new}", briefing)


def _percent(ctx: Context) -> Mutant | None:
    claims = [c for c in ctx.claims("figure") if c.normalised.startswith("percent:")]
    if not claims:
        return None
    claim = ctx.rng.choice(claims)
    figure = figure_at(ctx.text(claim.pointer), claim.start)
    if figure is None:
        return None
    delta = ctx.rng.choice([1, 2, 3, 5, 7, 10, 15, 20]) * ctx.rng.choice([-1, 1])
    value = figure.value + delta
    if value <= 0:
        value = figure.value + abs(delta)
    digits = re.search(r"\d+(?:\.(\d+))?", claim.text)
    places = len(digits.group(1) or "") if digits else 0
    unit = "个百分点" if figure.unit == "pp" else "%"
    new = f"{value:.{places}f}{unit}"
    if same_figure(ctx, claim, claim.start, claim.end, new):
        return None
    briefing = edit(ctx, claim, claim.start, claim.end, new)
    return Mutant("percent", f"{claim.where}: {claim.text} → {new}", briefing)


def _direction(ctx: Context) -> Mutant | None:
    claims = [c for c in ctx.claims("figure") if " ↑" in c.normalised or " ↓" in c.normalised]
    if not claims:
        return None
    claim = ctx.rng.choice(claims)
    text = ctx.text(claim.pointer)
    near = [
        m
        for m in CUE.finditer(text, max(0, claim.start - 16), min(len(text), claim.end + 16))
        if m.group() in _ANTONYM or m.group().lower() in _ANTONYM
    ]
    if not near:
        return None
    m = min(near, key=lambda m: min(abs(m.end() - claim.start), abs(m.start() - claim.end)))
    new = _ANTONYM.get(m.group()) or _ANTONYM[m.group().lower()]
    changed = text[: m.start()] + new + text[m.end() :]
    briefing = put(ctx.briefing, claim.pointer, changed)
    return Mutant("direction", f"{claim.where}: {m.group()}→{new} ({claim.text})", briefing)


# names, dates, quotes ----------------------------------------------------------------
def _named_in(ctx: Context, entity: str, refs: list[int]) -> bool:
    for n in refs:
        ev = ctx.index.evidence.get(n)
        if ev is not None and (entity in ev.entities or entity in ev.outlets):
            return True
    return False


def _org_swap(ctx: Context) -> Mutant | None:
    claims = ctx.claims("organisation")
    claim = pick(ctx.rng, claims)
    if claim is None:
        return None
    scope = ctx.scope(claim)
    home = {n for r in sections_of(ctx.briefing, tuple(scope)) for n in r}
    others = [
        c
        for c in claims
        if c.normalised != claim.normalised
        and not (set(c.support_refs) & home)
        and not _named_in(ctx, c.normalised, scope)
    ]
    if not others:
        return None
    other = ctx.rng.choice(others)
    briefing = edit(ctx, claim, claim.start, claim.end, other.text)
    return Mutant("org_swap", f"{claim.where}: {claim.text} → {other.text}", briefing)


def _date_shift(ctx: Context) -> Mutant | None:
    claim = pick(ctx.rng, ctx.claims("date"))
    if claim is None:
        return None
    text = ctx.text(claim.pointer)
    when = next(
        (w for w in extract_dates(text, ctx.briefing.date.year) if w.start == claim.start), None
    )
    if when is None:
        return None
    shifted = _shift(when, claim.text, ctx.rng)
    if shifted is None:
        return None
    new, moved = shifted
    reading = found(ctx, claim, "date")
    own = reading is not None and reading.attribution
    if date_stated(ctx, moved, ctx.scope(claim), own):
        return None
    briefing = edit(ctx, claim, claim.start, claim.end, new)
    return Mutant("date_shift", f"{claim.where}: {claim.text} → {new}", briefing)


def _shift(when: When, surface: str, rng: random.Random) -> tuple[str, When] | None:
    numbers = list(re.finditer(r"\d+", surface))
    if when.year is not None and rng.random() < 0.25:
        year = when.year + rng.choice([-1, 1])
        return surface.replace(str(when.year), str(year), 1), _with(when, year=year)
    if when.kind == "day" and when.day is not None:
        day = min(28, max(1, when.day + rng.choice([-3, -2, -1, 1, 2, 3])))
        spot = next((m for m in reversed(numbers) if int(m.group()) == when.day), None)
        if spot is None or day == when.day:
            return None
        return surface[: spot.start()] + str(day) + surface[spot.end() :], _with(when, day=day)
    if when.kind == "month" and when.month is not None:
        month = (when.month - 1 + rng.choice([-2, -1, 1, 2])) % 12 + 1
        spot = next((m for m in numbers if int(m.group()) == when.month), None)
        if spot is None:
            return _english_month(when, surface, month)
        return surface[: spot.start()] + str(month) + surface[spot.end() :], _with(
            when, month=month
        )
    if when.kind == "quarter" and when.quarter is not None:
        quarter = (when.quarter - 1 + rng.choice([1, 2, 3])) % 4 + 1
        return _quarter_text(surface, when.quarter, quarter), _with(when, quarter=quarter)
    return None


def _english_month(when: When, surface: str, month: int) -> tuple[str, When] | None:
    names = ["January", "February", "March", "April", "May", "June", "July", "August"]
    names += ["September", "October", "November", "December"]
    old = names[(when.month or 1) - 1]
    if old not in surface:
        return None
    return surface.replace(old, names[month - 1], 1), _with(when, month=month)


def _quarter_text(surface: str, old: int, new: int) -> str:
    for table in ("一二三四", "1234"):
        at = surface.find(table[old - 1])
        if at >= 0:
            return surface[:at] + table[new - 1] + surface[at + 1 :]
    return surface.replace(_QUARTER_WORDS[old - 1], _QUARTER_WORDS[new - 1], 1)


def _with(when: When, **changes: int) -> When:
    fields = {**when.__dict__, **changes}
    return When(**fields)


def _quote(ctx: Context) -> Mutant | None:
    claims = [c for c in ctx.claims("quote") if len(c.text) >= 3]
    if not claims:
        return None
    claim = ctx.rng.choice(claims)
    i = pick(ctx.rng, [i for i, ch in enumerate(claim.text) if ch.isalnum()])
    if i is None:
        return None
    new = "国" if claim.text[i] != "国" else "业"
    new = new if not claim.text[i].isascii() else ("x" if claim.text[i] != "x" else "q")
    changed = claim.text[:i] + new + claim.text[i + 1 :]
    scope = ctx.scope(claim)
    key = quote_key(changed)
    if any((ev := ctx.index.evidence.get(n)) and ev.find_quote(key) for n in scope):
        return None
    briefing = edit(ctx, claim, claim.start, claim.end, changed)
    return Mutant("quote", f"{claim.where}: “{claim.text}” → “{changed}”", briefing)


# citations ---------------------------------------------------------------------------
def _paragraphs(briefing: Briefing) -> list[tuple[str, tuple[int, ...], int]]:
    out = []
    for i, section in enumerate(briefing.sections):
        for j, sub in enumerate(section.subsections):
            for k, p in enumerate(sub.paragraphs):
                out.append((f"/sections/{i}/subsections/{j}/paragraphs/{k}/refs", p.refs, i))
    return out


def _wrong_ref(ctx: Context) -> Mutant | None:
    chosen = pick(ctx.rng, _paragraphs(ctx.briefing))
    if chosen is None:
        return None
    pointer, refs, section = chosen
    own = set(section_refs(ctx.briefing)[section])
    foreign = [r.n for r in ctx.briefing.references if r.n not in own]
    if not foreign:
        return None
    old, new = ctx.rng.choice(refs), ctx.rng.choice(foreign)
    changed = [new if n == old else n for n in refs]
    briefing = put(ctx.briefing, pointer, changed)
    return Mutant("wrong_ref", f"{pointer}: [{old}] → [{new}]", briefing)


def _drop_item(ctx: Context) -> Mutant | None:
    lonely = [
        c
        for c in ctx.verification.claims
        if "/paragraphs/" in c.pointer and len(c.support_refs) == 1 and c.kind != "citation"
    ]
    lonely = [c for c in lonely if len(at(ctx.data, _refs_of(c))) > 1]
    if not lonely:
        return None
    claim = ctx.rng.choice(lonely)
    pointer = _refs_of(claim)
    refs = [n for n in at(ctx.data, pointer) if n != claim.support_refs[0]]
    briefing = put(ctx.briefing, pointer, refs)
    return Mutant(
        "drop_item", f"{claim.where}: drop [{claim.support_refs[0]}] ({claim.text})", briefing
    )


def _refs_of(claim: Claim) -> str:
    return claim.pointer.rsplit("/", 1)[0] + "/refs"


_MAKERS: dict[str, Callable[[Context], Mutant | None]] = {
    "digit": _digit,
    "scale": _scale,
    "percent": _percent,
    "direction": _direction,
    "org_swap": _org_swap,
    "date_shift": _date_shift,
    "quote": _quote,
    "wrong_ref": _wrong_ref,
    "drop_item": _drop_item,
    **MEANING,
}


def mutants(
    briefing: Briefing, index: Index, count: int, seed: int = 0, kinds: tuple[str, ...] = KINDS
) -> list[Mutant]:
    """``count`` mutants of a verified briefing, the kinds taken in turn (a kind with no
    possible mutant is left out)."""
    verification = verify_briefing(briefing, index)
    if not verification.passed:
        raise ValueError("mutation testing needs a briefing that passes verification")
    ctx = Context(briefing, verification, index, random.Random(seed))
    live = [k for k in kinds if _possible(ctx, k)]
    out: list[Mutant] = []
    misses = Counter[str]()
    while live and len(out) < count:
        kind = live[len(out) % len(live)]
        made = _draw(ctx, kind)
        if made is None:
            misses[kind] += 1
            if misses[kind] >= TRIES:
                live.remove(kind)
            continue
        out.append(made)
    return out


def _possible(ctx: Context, kind: str) -> bool:
    return any(_draw(ctx, kind) is not None for _ in range(3))


def _draw(ctx: Context, kind: str) -> Mutant | None:
    for _ in range(TRIES):
        made = _MAKERS[kind](ctx)
        if made is not None and made.briefing != ctx.briefing:
            return made
    return None


def run(
    briefing: Briefing, index: Index, count: int, seed: int = 0, kinds: tuple[str, ...] = KINDS
) -> dict[str, Tally]:
    """Generate ``count`` mutants and check each with the gate: per kind, how many it caught."""
    tallies = {kind: Tally() for kind in kinds}
    for mutant in mutants(briefing, index, count, seed, kinds):
        tally = tallies[mutant.kind]
        tally.total += 1
        if verify_briefing(mutant.briefing, index).passed:
            tally.missed.append(mutant.description)
        else:
            tally.caught += 1
    return {kind: t for kind, t in tallies.items() if t.total}


def overall(tallies: dict[str, Tally]) -> float:
    """The share of all mutants caught."""
    total = sum(t.total for t in tallies.values())
    return sum(t.caught for t in tallies.values()) / total if total else math.nan
