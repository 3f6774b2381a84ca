"""Claims: what a briefing text asserts, and what each item states, in one comparable form.

Pure functions, no I/O. :func:`extract` reads the claims of one text of the briefing;
:class:`Evidence` holds the same readings of one item (title, summary, text). The gate
(:mod:`dongtai.verify.gate`) compares the two.

Kinds of claim
  * ``figure``: numbers with units, magnitudes and qualifiers (:mod:`dongtai.text.figures`),
    each with a *direction* and a *period*:
    - direction: +1 / -1 when a rise or fall word (增长 上涨 提升 增至 rose up increase
      grew …; 下降 下跌 减少 降至 fell down decline dropped …) stands in the same clause
      within 16 characters before the figure with no other figure between, or within 16
      characters after it when no figure follows that word in the clause ("25% increase");
      else 0;
    - period: the one month, quarter, half or year its clause names
      (:func:`~dongtai.text.dates.period`);
    - context: the character bigrams of the rest of its clause, digits left out (what
      the figure is said of: "日本增长" in "日本增长 4%");
  * ``date``: days, months, quarters, halves (:mod:`dongtai.text.dates`); a year alone is exempt;
  * ``organisation`` / ``person``: names of the lexicon (:mod:`dongtai.text.names`);
  * ``role``: a person bound to an organisation by a title ("工信部副部长尚冰", "Jensen
    Huang, chief executive of Nvidia": :func:`dongtai.text.names.roles`);
  * ``quote``: a phrase between “”, 「」, 『』, 《》 or ASCII double quotes, of at least two
    letters or characters once blanks and punctuation are dropped.
Exempt (never claims): what :mod:`dongtai.text.figures` exempts (numbers in URLs and e-mail
addresses, phone numbers, model names such as "H20"/"5G"/"RTX 4090", list and section
markers "1.1"/"1."/"(2)", reference markers "[3]", years, times, ordinals "第一", dates as
figures), process nodes ("3nm", "3 纳米": technology names), years standing alone,
weekdays, durations ("3 个月"), ambiguous names, quotations shorter than two characters.

A date inside the writer's own attribution ("据 A 及 B 5 月 4 日至 5 日报道") is marked
``attribution``: only such a date may be supported by an item's publication date.
Reading an item (``published`` given), relative days ("昨天", "周二", "15 日") are read
against its publication day (:mod:`dongtai.text.dates`).

Clauses end at ，；。！？!?, a newline, or ", " / "; " / ". " in English; sentences end at
。！？!? or ". " and a newline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import pairwise

from dongtai.models import Item
from dongtai.text.dates import When, extract_dates, period, years_in
from dongtai.text.figures import Figure, extract_figures
from dongtai.text.names import Lexicon, Mention, Role, roles

__all__ = [
    "CUE",
    "FIELDS",
    "Evidence",
    "Found",
    "bigrams",
    "extract",
    "quote_key",
    "sentence_at",
]

FIELDS = ("title", "summary", "text")
_CLAUSE = re.compile(r"[，,；;。！？!?\n]|(?<=[A-Za-z0-9%)])[,;.] ")
_SENTENCE = re.compile(r"[。！？!?]+[”」』]?|(?<=[A-Za-z0-9%)\"”])\. |\n")
_UP = (
    r"增长|增加|上涨|上升|提升|提高|增至|升至|涨至|增速|增幅|涨幅|攀升|跃升|扩大|走高|上扬|"
    r"(?:同比|环比)[增涨升]|(?i:\b(?:rose|rise[ns]?|rising|up|increas(?:e[ds]?|ing)|gr[eo]w(?:s|n|th|ing)?"
    r"|gain(?:s|ed)?|climb(?:s|ed)?|jump(?:s|ed)?|surg(?:e[ds]?|ing)|higher|expand(?:s|ed)?"
    r"|boost(?:s|ed)?|rais(?:e[ds]?|ing))\b)"
)
_DOWN = (
    r"下降|下跌|减少|下滑|降低|回落|降至|跌至|减至|萎缩|降幅|跌幅|缩减|下挫|走低|收窄|"
    r"(?:同比|环比)[降跌减]|(?i:\b(?:fell|fall(?:s|en|ing)?|down|decreas(?:e[ds]?|ing)"
    r"|declin(?:e[ds]?|ing)|drop(?:s|ped)?|lower|shr[iau]nk(?:s)?|dip(?:s|ped)?|slump(?:s|ed)?"
    r"|plung(?:e[ds]?|ing)|slid|slides?|reduc(?:e[ds]?|ing))\b)"
)
CUE = re.compile(rf"(?P<up>{_UP})|(?P<down>{_DOWN})")
_CUE_REACH = 16
_ATTRIBUTION = re.compile(r"据[^，。；！？\n]{1,160}报道")
_QUOTE = re.compile(
    r"“([^“”]{1,400})”|「([^「」]{1,400})」|『([^『』]{1,400})』|《([^《》]{1,200})》|\"([^\"\n]{1,400})\""
)


@dataclass(frozen=True)
class Found:
    """A claim read from a text, with its span, sentence and normalised form."""

    kind: str
    text: str
    start: int
    end: int
    sentence: str
    label: str
    figure: Figure | None = None
    direction: int = 0
    period: When | None = None
    when: When | None = None
    mention: Mention | None = None
    key: str = ""
    context: frozenset[str] = frozenset()
    role: Role | None = None
    attribution: bool = False


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in pattern.finditer(text)), len(text)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _around(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= pos < b), (0, 0))


def sentence_at(text: str, start: int) -> tuple[int, int]:
    """Span of the sentence of ``text`` holding position ``start``."""
    return _around(_spans(_SENTENCE, text), start)


def quote_key(text: str) -> str:
    """A phrase as compared for quotations: NFKC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _direction(text: str, fig: Figure, figures: list[Figure], clause: tuple[int, int]) -> int:
    lo, hi = clause
    others = [f for f in figures if f is not fig and lo <= f.start < hi]
    before = [m for m in CUE.finditer(text, max(lo, fig.start - _CUE_REACH), fig.start)]
    for m in reversed(before):
        if not any(m.end() <= f.start < fig.start for f in others):
            return 1 if m.group("up") else -1
    for m in CUE.finditer(text, fig.end, min(hi, fig.end + _CUE_REACH)):
        if any(fig.end <= f.start < m.start() for f in others):
            break
        if not any(m.end() <= f.start < hi for f in others):
            return 1 if m.group("up") else -1
    return 0


def _figures(text: str, sentences: list[tuple[int, int]], evidence: bool) -> list[Found]:
    figures = extract_figures(text)
    if not evidence:  # process nodes ("3nm", "3 纳米") name a technology, like "5G"
        figures = [f for f in figures if f.unit != "nm"]
    clauses = _spans(_CLAUSE, text)
    found = []
    for fig in figures:
        clause = _around(clauses, fig.start)
        part = text[clause[0] : clause[1]]
        when = period(extract_dates(part), years_in(part))
        a, b = _around(sentences, fig.start)
        sign = _direction(text, fig, figures, clause)
        label = f"{fig.kind}:{fig.value:g}{fig.unit}" + (
            f" {fig.qualifier}" if fig.qualifier else ""
        )
        label += {1: " ↑", -1: " ↓"}.get(sign, "") + (f" @{when.label()}" if when else "")
        rest = text[clause[0] : fig.start] + text[fig.end : clause[1]]
        found.append(
            Found(
                "figure",
                fig.text,
                fig.start,
                fig.end,
                text[a:b],
                label,
                fig,
                sign,
                when,
                context=bigrams(rest),
            )
        )
    return found


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of a text's quote key without digits (context of a figure)."""
    key = "".join(c for c in quote_key(text) if not c.isdigit())
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def _quotes(text: str, sentences: list[tuple[int, int]]) -> list[Found]:
    found = []
    for m in _QUOTE.finditer(text):
        group = next(g for g in range(1, 6) if m.group(g) is not None)
        inner = m.group(group)
        key = quote_key(inner)
        if len(key) < 2:
            continue
        a, b = _around(sentences, m.start())
        start, end = m.start(group), m.end(group)
        found.append(Found("quote", inner, start, end, text[a:b], key, key=key))
    return found


def extract(
    text: str,
    lexicon: Lexicon,
    base_year: int | None = None,
    evidence: bool = False,
    published: date | None = None,
) -> list[Found]:
    """Every claim of ``text`` (kinds and exemptions: module docstring), in text order;
    ``evidence`` reads an item (published on ``published``), whose process nodes may
    support a claim's figure."""
    sentences = _spans(_SENTENCE, text)
    found = _figures(text, sentences, evidence) + _quotes(text, sentences)
    spans = [m.span() for m in _ATTRIBUTION.finditer(text)] if not evidence else []
    for w in extract_dates(text, base_year, published):
        a, b = _around(sentences, w.start)
        own = any(s <= w.start and w.end <= e for s, e in spans)
        found.append(
            Found("date", w.text, w.start, w.end, text[a:b], w.label(), when=w, attribution=own)
        )
    mentions = lexicon.mentions(text)
    for m in mentions:
        a, b = _around(sentences, m.start)
        kind = "person" if m.entity.startswith("person:") else "organisation"
        found.append(Found(kind, m.name, m.start, m.end, text[a:b], m.entity, mention=m))
    for r in roles(text, mentions):
        a, b = _around(sentences, r.start)
        label = f"role:{r.entity}/{r.title}/{r.person}"
        found.append(Found("role", text[r.start : r.end], r.start, r.end, text[a:b], label, role=r))
    return sorted(found, key=lambda f: (f.start, f.end))


@dataclass
class Evidence:
    """What one item states: its figures, dates, names and quotable text, per field."""

    item: Item
    published: date
    lexicon: Lexicon
    outlets: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def fields(self) -> dict[str, str]:
        return {"title": self.item.title, "summary": self.item.summary, "text": self.item.text}

    @cached_property
    def claims(self) -> list[tuple[str, Found]]:
        """(field, reading) of every figure, date, name of the item."""
        out: list[tuple[str, Found]] = []
        for name, text in self.fields.items():
            year, day = self.published.year, self.published
            out.extend((name, f) for f in extract(text, self.lexicon, year, True, day))
        return out

    def sentences_with(self, name: str) -> Iterable[tuple[str, tuple[int, int]]]:
        """(field, sentence span) of each sentence of the item holding ``name``."""
        for field_name, text in self.fields.items():
            at = text.find(name)
            while at >= 0:
                span = sentence_at(text, at)
                yield field_name, span
                at = text.find(name, max(span[1], at + 1))

    def of_kind(self, *kinds: str) -> Iterable[tuple[str, Found]]:
        return ((name, f) for name, f in self.claims if f.kind in kinds)

    @cached_property
    def entities(self) -> dict[str, tuple[str, Found]]:
        """First mention of each entity the item names."""
        seen: dict[str, tuple[str, Found]] = {}
        for name, f in self.of_kind("organisation", "person"):
            if f.mention is not None:
                seen.setdefault(f.mention.entity, (name, f))
        return seen

    @cached_property
    def keys(self) -> dict[str, tuple[str, list[int]]]:
        """Per field: the quote key of the field and, per key character, its position."""
        out = {}
        for name, text in self.fields.items():
            chars, where = [], []
            for i, ch in enumerate(text):
                for c in unicodedata.normalize("NFKC", ch).casefold():
                    if c.isalnum():
                        chars.append(c)
                        where.append(i)
            out[name] = ("".join(chars), where)
        return out

    @cached_property
    def bigrams(self) -> frozenset[str]:
        return frozenset().union(*(bigrams(text) for text in self.fields.values()))

    def find_quote(self, key: str) -> tuple[str, int, int] | None:
        """(field, start, end) of the quoted phrase in the item, or None."""
        for name, (text_key, where) in self.keys.items():
            at = text_key.find(key)
            if at >= 0:
                return name, where[at], where[at + len(key) - 1] + 1
        return None
