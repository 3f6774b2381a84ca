"""Figures over time: every verified figure of the issues readers see that has an
organisation, a unit and a period, gathered into series, and a series drawn as a chart.

Rules it applies:

* a point is a supported ``figure`` claim of a section (its verification mark holds the
  normalised figure "money:6.9e+10USD @2026-03" and the item that proved it); a figure
  with no period, or a bound ("以上", "以下"), is not a point;
* a period without its year ("一季度", "3 月") takes the issue's year, or the year before
  when that period would start after the issue date;
* the organisation is the last one of the registry's organisations (not an outlet only)
  that a verified claim names before the figure in its sentence, outside the writer's
  attribution ("据 … 报道"); else the first one the section's title names; a figure with
  neither is not a point;
* a series is one organisation, kind, unit, period length (month, quarter, half, year)
  and whether the figure is a rise or fall ("增长 25%") or a level; within it a period
  and value reported again keep their first report;
* a chart (:func:`chart`) places the periods evenly from left to right in time order and
  the values on a linear scale; it is plain geometry for a template to draw as SVG.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, NamedTuple

from dongtai.models import Briefing, Claim
from dongtai.newsroom.issues import load_issue
from dongtai.render import anchor
from dongtai.store.desk import Desk

__all__ = ["Chart", "Placed", "Point", "Series", "chart", "collect", "points_of"]

_LABEL = re.compile(  # the verification's normalised figure (dongtai.verify.claims)
    r"""^(?P<kind>[a-z]+) : (?P<value>[0-9.]+(?:e[+-]?[0-9]+)?) (?P<unit>.*?)
    (?:\ (?P<qualifier>over|under|approx|near))? (?:\ (?P<direction>[↑↓]))? \ @(?P<period>\S+)$""",
    re.X,
)
_PERIOD = re.compile(r"^(?:(?P<year>\d{4})-?)?(?:(?P<part>Q[1-4]|H[12]|\d{2}))?$")
_ATTRIBUTION = re.compile(r"据[^，。；！？\n]{1,160}报道")
BOUNDS = ("over", "under")
GRAIN = {"Q": "quarter", "H": "half"}
WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 560, 230, 60, 34, 44


@dataclass(frozen=True)
class Point:
    """A verified figure: its period, value, how the issue wrote it, where it stands
    (issue date, section anchor) and the item that proved it."""

    period: str
    value: float
    text: str
    day: date
    anchor: str
    source: str
    sentence: str


@dataclass
class Series:
    org: str
    kind: str
    unit: str
    grain: str
    change: bool
    points: list[Point] = field(default_factory=list)

    @property
    def key(self) -> str:
        measure = "change" if self.change else "level"
        return f"{self.org}/{self.kind}/{self.unit}/{self.grain}/{measure}"

    def distinct_periods(self) -> int:
        return len({p.period for p in self.points})


def _period(label: str, day: date) -> tuple[str, str, tuple[int, int]] | None:
    """(label with its year, grain, sort key) of a normalised period, or None."""
    m = _PERIOD.match(label)
    if not m or not (m["year"] or m["part"]):
        return None
    part = m["part"] or ""
    grain = GRAIN.get(part[:1], "month" if part else "year")
    number = int(part.lstrip("QH") or 1)
    first_month = {"quarter": 3 * number - 2, "half": 6 * number - 5}.get(grain, number)
    if not 1 <= first_month <= 12:
        return None
    year = (
        int(m["year"])
        if m["year"]
        else day.year - ((day.year, first_month) > (day.year, day.month))
    )
    text = f"{year}-{part}" if part else str(year)
    return text, grain, (year, first_month)


def _organisation(
    claim: Claim, claims: Sequence[Claim], title_orgs: Sequence[str], organisations: Set[str]
) -> str:
    attributed = [m.span() for m in _ATTRIBUTION.finditer(claim.sentence)]
    offset = claim.start - claim.sentence.find(claim.text) if claim.text in claim.sentence else 0
    before = [
        c
        for c in claims
        if c.kind == "organisation"
        and c.normalised in organisations
        and c.pointer == claim.pointer
        and c.sentence == claim.sentence
        and c.end <= claim.start
        and not any(a <= c.start - offset < b for a, b in attributed)
    ]
    if before:
        return max(before, key=lambda c: c.start).normalised
    return title_orgs[0] if title_orgs else ""


def points_of(
    briefing: Briefing, organisations: Set[str]
) -> list[tuple[tuple[str, str, str, str, bool], Point, tuple[int, int]]]:
    """Every point of an issue with its series key (org, kind, unit, grain, change) and
    the sort key of its period."""
    claims = briefing.verification.claims
    found = []
    for i, section in enumerate(briefing.sections):
        prefix = f"/sections/{i}/"
        mine = [c for c in claims if c.supported and c.pointer.startswith(prefix)]
        title_orgs = [
            c.normalised
            for c in mine
            if c.kind == "organisation"
            and c.pointer == prefix + "title"
            and c.normalised in organisations
        ]
        place = anchor(section.number)
        for claim in mine:
            m = _LABEL.match(claim.normalised) if claim.kind == "figure" else None
            if not m or m["qualifier"] in BOUNDS or not claim.evidence_url:
                continue
            period = _period(m["period"], briefing.date)
            org = _organisation(claim, mine, title_orgs, organisations)
            if period is None or not org:
                continue
            key = (org, m["kind"], m["unit"].strip(), period[1], bool(m["direction"]))
            point = Point(
                period[0],
                float(m["value"]),
                claim.text,
                briefing.date,
                place,
                claim.evidence_url,
                claim.sentence,
            )
            found.append((key, point, period[2]))
    return found


def collect(desk: Desk, shown: Iterable[date], organisations: Set[str]) -> list[Series]:
    """The series of the issues of ``shown`` (module rules: ``organisations`` are the
    registry's organisation ids), points in time order."""
    series: dict[tuple[str, str, str, str, bool], Series] = {}
    order: dict[
        tuple[str, str, str, str, bool], dict[tuple[str, float], tuple[tuple[int, int], date]]
    ] = defaultdict(dict)
    for day in sorted(shown):
        issue = load_issue(desk, day)
        if issue is None:
            continue
        for key, point, when in points_of(issue.briefing, organisations):
            seen = order[key]
            if (point.period, point.value) in seen:
                continue
            seen[(point.period, point.value)] = (when, point.day)
            series.setdefault(key, Series(*key)).points.append(point)
    for key, s in series.items():
        s.points.sort(key=lambda p: order[key][(p.period, p.value)])
    return sorted(series.values(), key=lambda s: s.key)


class Placed(NamedTuple):
    """A point at its place on the canvas."""

    point: Point
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    """A series laid out on a ``WIDTH`` × ``HEIGHT`` canvas: its points and the periods
    along the bottom (x, label)."""

    series: Series
    placed: tuple[Placed, ...]
    ticks: tuple[tuple[float, str], ...]
    width: ClassVar[int] = WIDTH
    height: ClassVar[int] = HEIGHT

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.placed)


def chart(series: Series) -> Chart:
    """Geometry of a series: periods evenly spaced in time order, values on a linear
    scale from the lowest to the highest (padded when all are equal)."""
    periods = list(dict.fromkeys(p.period for p in series.points))
    span = max(len(periods) - 1, 1)
    inner_w, inner_h = WIDTH - 2 * PAD_X, HEIGHT - PAD_TOP - PAD_BOTTOM
    x_of = {
        p: PAD_X + inner_w * (i / span if len(periods) > 1 else 0.5) for i, p in enumerate(periods)
    }
    values = [p.value for p in series.points]
    low, high = min(values), max(values)
    if low == high:
        low, high = low * 0.9, high * 1.1 if high else 1.0

    def y_of(value: float) -> float:
        return PAD_TOP + inner_h * (1 - (value - low) / (high - low))

    placed = tuple(Placed(p, x_of[p.period], y_of(p.value)) for p in series.points)
    return Chart(series, placed, tuple((x, period) for period, x in x_of.items()))
