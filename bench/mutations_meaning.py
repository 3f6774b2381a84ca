"""Mutation kinds that keep a figure's digits or a name's spelling but change what the
text means (issue 11): a weakened bound, a changed qualifier, a person's title moved to
another organisation, a body date moved to a publication day, a figure glued to a
following Latin token. Registered in :data:`MEANING` for :mod:`bench.mutations`.

Each maker returns None (and is redrawn) when its mutant would still be stated: the
original figure, or a figure of an item in the claim's scope, supports the new figure;
the new organisation is the same entity, or an item binds the person to it; an item's
text states the new date.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bench.mutation_base import (
    Context,
    Mutant,
    date_stated,
    edit,
    figure_at,
    found,
    pick,
    stated_in_scope,
)
from dongtai.models import Briefing, Claim
from dongtai.text.figures import Figure, supports
from dongtai.text.names import same_person

__all__ = ["MEANING"]

_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")
_SCALE_DOWN = {"万亿": "亿", "亿": "万", "万": "千", "billion": "million", "million": "thousand"}
_SCALE_UP = {"千": "万", "万": "亿", "亿": "万亿", "thousand": "million", "million": "billion"}
_SCALES = re.compile(r"万亿|亿|万|千|billion|million|thousand")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SWAP = {
    "超过": "不到", "超": "不到", "逾": "不到", "至少": "不到", "多于": "少于", "高于": "低于",
    "不到": "超过", "不足": "超过", "低于": "高于", "少于": "多于",
    "约": "超过", "大约": "超过", "约为": "超过", "近": "超过", "将近": "超过", "接近": "超过",
    "以上": "以内", "以内": "以上", "以下": "以上", "左右": "以上",
    "more than": "less than", "over": "under", "at least": "fewer than",
    "less than": "more than", "fewer than": "more than", "under": "over",
    "about": "more than", "around": "more than", "nearly": "more than", "almost": "more than",
}  # fmt: skip
_PREFIX = re.compile(
    r"(超过|超|逾|至少|多于|高于|不到|不足|低于|少于|大约|约为|约|将近|接近|近"
    r"|more than|over|at least|less than|fewer than|under|about|around|nearly|almost)\s*$"
)
_SUFFIX = re.compile(r"(以上|以内|以下|左右)$")
_LATIN_AFTER = re.compile(r"\s+(?=[A-Za-z])")


def _format(value: float, like: str) -> str:
    places = len(like.partition(".")[2])
    return f"{value:.{places}f}"


def _stated(ctx: Context, claim: Claim, before: Figure, text: str, at: int) -> bool:
    after = figure_at(text, at)
    if after is None:
        return True
    return supports(after, before) or stated_in_scope(ctx, claim, after)


def _apply(ctx: Context, claim: Claim, start: int, end: int, new: str, at: int) -> str | None:
    """The claim's text with ``[start, end)`` replaced, or None when the figure at ``at``
    of the new text is still stated."""
    text = ctx.text(claim.pointer)
    before = figure_at(text, claim.start)
    changed = text[:start] + new + text[end:]
    if before is None or _stated(ctx, claim, before, changed, at):
        return None
    return changed


def _bound(ctx: Context) -> Mutant | None:
    """Weaken a bound ("超 1.7 亿" → "超 1.0 亿" / "超 1.7 万"; "8% 以内" → "13% 以内"),
    or turn a plain figure into a weaker bound ("70%" → "超过 60%")."""
    claim = pick(ctx.rng, ctx.claims("figure"))
    if claim is None:
        return None
    text = ctx.text(claim.pointer)
    fig = figure_at(text, claim.start)
    number = _NUMBER.search(claim.text)
    if fig is None or number is None or fig.qualifier not in ("over", "under", ""):
        return None
    up = fig.qualifier == "under"
    scale = _SCALES.search(claim.text)
    if fig.qualifier and scale and ctx.rng.random() < 0.3:
        table = _SCALE_UP if up else _SCALE_DOWN
        word = scale.group()
        a, b, new = claim.start + scale.start(), claim.start + scale.end(), table[word]
        changed = _apply(ctx, claim, a, b, new, claim.start)
        what = f"{word}→{new}"
    else:
        old = float(number.group().replace(",", ""))
        factor = ctx.rng.choice([1.3, 1.6, 2.0]) if up else ctx.rng.choice([0.5, 0.6, 0.8, 0.9])
        new = _format(old * factor, number.group())
        a, b = claim.start + number.start(), claim.start + number.end()
        if new == number.group().replace(",", ""):
            return None
        prefix = "" if fig.qualifier else ("超过 " if _HAN.search(text) else "more than ")
        at = claim.start if not prefix else claim.start + len(prefix)
        if prefix:
            head = text[claim.start : a]
            changed = _apply(ctx, claim, claim.start, b, prefix + head + new, at)
        else:
            changed = _apply(ctx, claim, a, b, new, claim.start)
        what = f"{prefix}{number.group()}→{new}"
    if changed is None:
        return None
    return Mutant("bound", f"{claim.where}: {claim.text} → {what}", _put_text(ctx, claim, changed))


def _put_text(ctx: Context, claim: Claim, text: str) -> Briefing:
    whole = ctx.text(claim.pointer)
    return edit(ctx, claim, 0, len(whole), text)


def _qualifier(ctx: Context) -> Mutant | None:
    """Change a qualifier's class (超过↔不到, 约→超过, 以上↔以内), add one to a plain
    figure, or drop a bound."""
    claim = pick(ctx.rng, ctx.claims("figure"))
    if claim is None:
        return None
    text = ctx.text(claim.pointer)
    pre = _PREFIX.search(text, max(0, claim.start - 12), claim.start)
    suf = _SUFFIX.search(claim.text)
    if pre is not None:
        word, a, b = pre.group(1), pre.start(1), pre.end(1)
    elif suf is not None:
        word, a, b = suf.group(1), claim.start + suf.start(), claim.start + suf.end()
    else:
        word, a, b = "", claim.start, claim.start
    drop = word and word not in ("约", "大约", "约为", "about", "around", "左右")
    if drop and ctx.rng.random() < 0.3:
        new = ""
    elif word:
        new = _SWAP[word]
    else:
        new = ctx.rng.choice(["超过 ", "不到 "]) if _HAN.search(text) else "more than "
    at = claim.start + len(new) - (b - a) if a <= claim.start else claim.start
    changed = _apply(ctx, claim, a, b, new, at)
    if changed is None:
        return None
    description = f"{claim.where}: {claim.text} → “{word}”→“{new.strip()}”"
    return Mutant("qualifier", description, _put_text(ctx, claim, changed))


def _role_swap(ctx: Context) -> Mutant | None:
    """Another organisation in a person's title, preferably one the cited item names."""
    claim = pick(ctx.rng, ctx.claims("role"))
    f = None if claim is None else found(ctx, claim, "role")
    if claim is None or f is None or f.role is None:
        return None
    role, scope = f.role, ctx.scope(claim)
    named = {
        mention.name: mention.entity
        for n in scope
        if (ev := ctx.index.evidence.get(n)) is not None
        for _, o in ev.of_kind("organisation")
        if (mention := o.mention) is not None
    }
    elsewhere = {c.text: c.normalised for c in ctx.claims("organisation")}
    pool = named if named and ctx.rng.random() < 0.7 else {**elsewhere, **named}
    options = sorted(name for name, e in pool.items() if e != role.entity and len(name) >= 2)
    other = pick(ctx.rng, options)
    if other is None or _bound_elsewhere(ctx, scope, pool[other], role.person):
        return None
    text = ctx.text(claim.pointer)
    at = text.find(role.org, f.start, f.end)
    if at < 0:
        return None
    briefing = edit(ctx, claim, at, at + len(role.org), other)
    return Mutant("role_swap", f"{claim.where}: {claim.text} → {role.org}→{other}", briefing)


def _bound_elsewhere(ctx: Context, scope: list[int], entity: str, person: str) -> bool:
    for n in scope:
        ev = ctx.index.evidence.get(n)
        for _, f in ev.of_kind("role") if ev else ():
            if f.role and f.role.entity == entity and same_person(f.role.person, person):
                return True
    return False


def _body_date(ctx: Context) -> Mutant | None:
    """Move a day outside the writer's attribution, preferably to a publication day."""
    claim = pick(ctx.rng, ctx.claims("date"))
    f = None if claim is None else found(ctx, claim, "date")
    if claim is None or f is None or f.attribution or f.when is None or f.when.kind != "day":
        return None
    when, scope = f.when, ctx.scope(claim)
    days = sorted({ev.published.day for n in scope if (ev := ctx.index.evidence.get(n))})
    choices = [d for d in days if d != when.day]
    day = pick(ctx.rng, choices) if choices and ctx.rng.random() < 0.7 else None
    day = day or min(28, max(1, (when.day or 1) + ctx.rng.choice([-2, -1, 1, 2])))
    spot = next((m for m in reversed(list(re.finditer(r"\d+", claim.text)))), None)
    if spot is None or day == when.day or int(spot.group()) != when.day:
        return None
    moved = type(when)(**{**when.__dict__, "day": day})
    if date_stated(ctx, moved, scope, attribution=False):
        return None
    new = claim.text[: spot.start()] + str(day) + claim.text[spot.end() :]
    briefing = edit(ctx, claim, claim.start, claim.end, new)
    return Mutant("body_date", f"{claim.where}: {claim.text} → {new}", briefing)


def _glued(ctx: Context) -> Mutant | None:
    """A figure followed by a Latin token: one digit changes and the figure is glued to
    the token, as an item would print it ("46 款 app" → "47款app")."""
    claims = [
        c
        for c in ctx.claims("figure")
        if _LATIN_AFTER.match(ctx.text(c.pointer), c.end) and _NUMBER.search(c.text)
    ]
    claim = pick(ctx.rng, claims)
    if claim is None:
        return None
    text = ctx.text(claim.pointer)
    number = _NUMBER.search(claim.text)
    assert number is not None
    spots = [i for i, ch in enumerate(number.group()) if ch.isdigit()]
    i = ctx.rng.choice(spots)
    old = number.group()[i]
    digit = ctx.rng.choice([d for d in "123456789" if d != old])
    digits = number.group()[:i] + digit + number.group()[i + 1 :]
    glued = (claim.text[: number.start()] + digits + claim.text[number.end() :]).replace(" ", "")
    gap = _LATIN_AFTER.match(text, claim.end)
    assert gap is not None
    changed = _apply(ctx, claim, claim.start, gap.end(), glued, claim.start)
    if changed is None:
        return None
    return Mutant("glued", f"{claim.where}: {claim.text} → {glued}", _put_text(ctx, claim, changed))


MEANING: dict[str, Callable[[Context], Mutant | None]] = {
    "bound": _bound,
    "qualifier": _qualifier,
    "role_swap": _role_swap,
    "body_date": _body_date,
    "glued": _glued,
}
