"""Dates and periods: find the dates a text states and decide whether a source states them.

Pure functions, no I/O. Used by claim extraction (:mod:`dongtai.verify.claims`) and the gate.

Reading dates (digits may be full-width; blanks allowed between the parts)
  * day: "2026 年 5 月 4 日", "5 月 4 日", "5月4号", "五月四日", "May 4", "May 4, 2026",
    "4 May 2026"; a day alone, "4 日" ("记者 4 日从…"), has no month (not before 本 元 币 产
    立 均 益: 日本, 日元 …). Ranges "5 月 4 日至 5 日", "4 月 30 日至 5 月 1 日", "May 4-5":
    the second end takes the year and month of the first and is marked ``range_end``.
  * month: "2026 年 3 月", "3 月", "3 月份", "March", "March 2026" (a bare "May" is not
    read: it is a verb too); "1-3 月" gives both ends.
  * quarter: "一季度", "第一季度", "2026 年第一季度", "Q1", "Q1 2026", "1Q26",
    "first quarter (of 2026)", "first-quarter".
  * half: "上半年", "下半年", "2026 年上半年", "H1 2026", "first half (of 2026)".
  * "今年" / "去年" / "明年" / "前年" right before a month, quarter or half give it a year
    relative to ``base_year`` (the item's publication year, or the issue's year).
  Not read as dates in a claim: a year alone ("2026 年", "in 2024"; years are exempt, see
  :mod:`dongtai.text.figures`), weekdays, "today", durations ("3 个月").

Relative days (evidence only, with the item's publication day): "今天/今日", "昨天/昨日",
"前天", "明天/明日", "today", "yesterday", "tomorrow", and a weekday ("周二", "星期二",
"本周二", "on Tuesday"; not 上周/下周): the latest such day on or before publication.

Support (:func:`covers`): every part the claim states must be stated alike by the
evidence (a day and its month; a month; a quarter; a half). A claim's year must equal the
evidence's year; evidence without a year is read in its publication year, or the year
before when its month (or quarter) lies after the publication month. A day the evidence
states without a month ("记者 15 日获悉") is in the publication month, or, when it lies
after the publication day, possibly the month before.

Periods (:func:`period`): the month, quarter, half and year a clause speaks of, used to
tell "2025 年第四季度的 X" from "2026 年第一季度的 X". Two periods conflict
(:func:`conflicts`) when a part both state differs (a month implies its quarter and half).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dongtai.text.numerals import fold

__all__ = ["When", "conflicts", "covers", "extract_dates", "period", "years_in"]


@dataclass(frozen=True)
class When:
    """A date or period stated by a text, with its span and the parts it states."""

    text: str
    start: int
    end: int
    kind: str  # "day", "month", "quarter", "half" (or "year" for a period)
    year: int | None = None
    half: int | None = None
    quarter: int | None = None
    month: int | None = None
    day: int | None = None
    range_end: bool = False

    def label(self) -> str:
        """Normalised form: "2026-05-04", "05-04", "--04", "2026-03", "2026-Q1", "H1"."""
        year = f"{self.year}-" if self.year else ""
        if self.kind == "day":
            if self.month is None:
                return f"--{self.day:02d}"
            return f"{year}{self.month:02d}-{self.day:02d}"
        if self.kind == "month":
            return f"{year}{self.month:02d}"
        if self.kind == "quarter":
            return f"{year}Q{self.quarter}"
        if self.kind == "half":
            return f"{year}H{self.half}"
        return str(self.year)


_CN = "一二三四五六七八九十"
_CN_VAL = {c: i for i, c in enumerate("〇一二三四五六七八九", start=0)} | {"零": 0, "两": 2}
_AR = r"(?<![\d.])\d{1,2}(?!\d)"
_N = rf"(?:{_AR}|[{_CN}]{{1,3}})"
_YEAR = (
    r"(?:(?P<rel>今年|去年|明年|前年)|(?P<y>(?<!\d)\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:的)?)"
)
_RANGE = r"\s*(?:[-–—~～至到]|to)\s*"
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]
_MONTHS += ["September", "October", "November", "December"]
_MONTH_NO = {name: n for n, name in enumerate(_MONTHS, start=1)}
_MONTH_NO |= {name[:3]: n for name, n in list(_MONTH_NO.items())} | {"Sept": 9}
_EN_MONTH = r"(?P<mname>" + "|".join(sorted(_MONTH_NO, key=len, reverse=True)) + r")\.?"
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_ORD |= {"4th": 4}
_EN_ORD = r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"


def _en_year(name: str) -> str:
    return rf"(?:,?\s+(?:of\s+)?(?P<{name}>(?:19|20)\d{{2}})(?!\d))?"


_NOT_DAY = "月\\d近前后每数几这续去来"
_DAY_ONLY = (
    rf"(?<![{_NOT_DAY}])(?<![{_NOT_DAY}]\s)(?P<dd>(?<![\d.])\d{{1,2}})\s*日(?![本元币产立均益内间])"
)
_ZH = re.compile(
    rf"(?:{_YEAR}\s*)?(?:"
    rf"(?P<m>{_N})\s*月\s*(?P<d>{_N})\s*(?P<du>[日号])(?:{_RANGE}(?:(?P<m2>{_N})\s*月\s*)?"
    rf"(?P<d2>{_N})\s*[日号])?"
    rf"|(?:第\s*)?(?P<q>[一二三四1-4])\s*季度"
    rf"|(?P<h>[上下])半年"
    rf"|(?:(?P<mr>{_AR}){_RANGE})?(?P<mo>{_AR})\s*月(?:份)?(?!\s*\d{{1,2}}\s*[日号])"
    rf"|{_DAY_ONLY}"
    r")"
)
# "Q1", "H2" are periods only as whole tokens: "YX-H2", "H20", "Q1-X" are model names
_TOKEN_START = r"(?<![A-Za-z0-9][-‐‑])(?<![0-9])"
_TOKEN_END = r"(?![0-9A-Za-z])(?![-‐‑][A-Za-z0-9])"
_EN = re.compile(
    rf"(?<![A-Za-z])(?:"
    rf"{_EN_MONTH}\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])"
    rf"(?:\s*[-–]\s*(?P<ed2>\d{{1,2}})(?!\d))?{_en_year('ey')}"
    rf"|(?P<ed3>(?<!\d)\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mname2>{'|'.join(_MONTHS)})"
    rf"{_en_year('ey2')}"
    rf"|{_EN_ORD}[- ]quarter{_en_year('ey3')}"
    rf"|(?P<eh>first|second)[- ]half{_en_year('ey4')}"
    rf"|{_TOKEN_START}Q(?P<eq>[1-4]){_TOKEN_END}(?:\s*(?P<eqy>(?:19|20)\d{{2}})|\s?['’](?P<eqy2>\d{{2}}))?"
    rf"|{_TOKEN_START}(?P<eq2>[1-4])Q(?P<eqy3>\d{{2}})?{_TOKEN_END}"
    rf"|{_TOKEN_START}H(?P<ehh>[12]){_TOKEN_END}(?:\s*(?P<ehy>(?:19|20)\d{{2}}))?"
    rf"|(?P<fm>{'|'.join(m for m in _MONTHS if m != 'May')}){_en_year('fy')}"
    rf"|(?P<may>May)\s+(?P<mayy>(?:19|20)\d{{2}})"
    r")(?![A-Za-z])"
)
_YEAR_ALONE = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})(?=\s*年)"
    r"|(?<![A-Za-z])(?:in|by|of|since|for|during|until|through|from|to|fiscal|FY)\s*"
    r"((?:19|20)\d{2})(?![\d.%])"
)
_REL = {"今年": 0, "去年": -1, "明年": 1, "前年": -2}
_REL_DAY = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1}
_REL_DAY |= {"today": 0, "yesterday": -1, "tomorrow": 1}
_WEEKDAY = {c: i for i, c in enumerate("一二三四五六")} | {"日": 6, "天": 6}
_EN_WEEKDAY = {d: i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}
_RELATIVE = re.compile(
    r"(?P<word>今天|今日|昨天|昨日|前天|明天|明日|(?i:\b(?:today|yesterday|tomorrow)\b))"
    r"|(?<![上下])(?:本周|周|星期|礼拜)(?P<wd>[一二三四五六日天])"
    r"|(?i:\b(?:on|last|this)\s+(?P<ewd>(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b)"
)


def _num(text: str | None) -> int | None:
    """ "12" → 12, "十二" → 12, "二十一" → 21, "二〇二六" → 2026; None when absent or bad."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if len(text) == 4 and "十" not in text:  # a year written digit by digit
        return int("".join(str(_CN_VAL[c]) for c in text))
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _CN_VAL.get(text) if len(text) == 1 else None
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_VAL.get(tens, 1) if tens else 1) * 10 + (_CN_VAL.get(ones, 0) if ones else 0)


def _year(m: re.Match[str], base_year: int | None) -> int | None:
    if m.group("rel"):
        return None if base_year is None else base_year + _REL[m.group("rel")]
    return _num(m.group("y"))


def _valid(w: When) -> bool:
    return (
        (w.month is None or 1 <= w.month <= 12)
        and (w.day is None or 1 <= w.day <= 31)
        and (w.year is None or 1900 <= w.year <= 2100)
    )


def _zh(m: re.Match[str], text: str, base_year: int | None) -> list[When]:
    year = _year(m, base_year)
    g = m.group
    start, end = m.start(), m.end()
    if g("d"):
        month, day = _num(g("m")), _num(g("d"))
        first_end = m.end("du")
        first = When(text[start:first_end], start, first_end, "day", year, month=month, day=day)
        if not g("d2"):
            return [replace(first, text=text[start:end], end=end)]
        second_start = m.start("m2") if g("m2") else m.start("d2")
        month2 = _num(g("m2")) or month
        second = When(text[second_start:end], second_start, end, "day", year, month=month2)
        return [first, replace(second, day=_num(g("d2")), range_end=True)]
    if g("q"):
        q = int(g("q")) if g("q").isdigit() else _num(g("q"))
        return [When(text[start:end], start, end, "quarter", year, quarter=q)]
    if g("h"):
        return [When(text[start:end], start, end, "half", year, half=1 if g("h") == "上" else 2)]
    if g("mo"):
        last = When(text[start:end], start, end, "month", year, month=_num(g("mo")))
        if not g("mr"):
            return [last]
        mid, first_end = m.start("mo"), m.end("mr")
        first = When(text[start:first_end], start, first_end, "month", year, month=_num(g("mr")))
        return [first, replace(last, text=text[mid:end], start=mid, range_end=True)]
    if m.group("rel") or m.group("y"):  # "2026 年 4 日": the year belongs to no date here
        start = m.start("dd")
    return [When(text[start:end], start, end, "day", day=_num(g("dd")))]


def _en(m: re.Match[str], text: str) -> list[When]:
    g = m.group
    start, end = m.start(), m.end()
    span = text[start:end]
    if g("ed"):
        year, month = _num(g("ey")), _MONTH_NO[g("mname")]
        first = When(span, start, end, "day", year, month=month, day=int(g("ed")))
        if not g("ed2"):
            return [first]
        second = replace(first, start=m.start("ed2"), text=text[m.start("ed2") : end])
        first = replace(first, end=m.end("ed"), text=text[start : m.end("ed")])
        return [first, replace(second, day=int(g("ed2")), range_end=True)]
    if g("ed3"):
        month, year = _MONTH_NO[g("mname2")], _num(g("ey2"))
        return [When(span, start, end, "day", year, month=month, day=int(g("ed3")))]
    if g("ord"):
        return [When(span, start, end, "quarter", _num(g("ey3")), quarter=_ORD[g("ord")])]
    if g("eh"):
        return [When(span, start, end, "half", _num(g("ey4")), half=_ORD[g("eh")])]
    if g("eq") or g("eq2"):
        year = _num(g("eqy")) or (2000 + int(y) if (y := g("eqy2") or g("eqy3")) else None)
        return [When(span, start, end, "quarter", year, quarter=int(g("eq") or g("eq2")))]
    if g("ehh"):
        return [When(span, start, end, "half", _num(g("ehy")), half=int(g("ehh")))]
    if g("fm"):
        return [When(span, start, end, "month", _num(g("fy")), month=_MONTH_NO[g("fm")])]
    return [When(span, start, end, "month", _num(g("mayy")), month=5)]


def extract_dates(
    text: str, base_year: int | None = None, published: date | None = None
) -> list[When]:
    """Every date, month, quarter and half of ``text``, in order (rules: module docstring);
    with ``published`` (an item's publication day) also the relative days it dates."""
    norm = fold(text)
    found: list[When] = []
    for m in _ZH.finditer(norm):
        found.extend(_zh(m, text, base_year))
    for m in _EN.finditer(norm):
        found.extend(_en(m, text))
    if published is not None:
        found.extend(_relative(norm, text, published))
    found = [w for w in found if _valid(w) and w.text.strip()]
    return sorted(found, key=lambda w: w.start)


def _relative(norm: str, text: str, published: date) -> list[When]:
    """ "昨天", "今日", "周二", "on Tuesday" … as the day they name, counted from the
    day the item was published (a weekday: the latest one on or before it)."""
    out = []
    for m in _RELATIVE.finditer(norm):
        word = m.group("word")
        if word is not None:
            offset = _REL_DAY[word.lower()]
        else:
            wd = m.group("wd")
            weekday = _WEEKDAY[wd] if wd else _EN_WEEKDAY[m.group("ewd").lower()[:3]]
            offset = -((published.weekday() - weekday) % 7)
        day = published + timedelta(days=offset)
        start, end = m.span()
        out.append(When(text[start:end], start, end, "day", day.year, month=day.month, day=day.day))
    return out


def years_in(text: str) -> list[tuple[int, int, int]]:
    """(year, start, end) of each year 1900-2099 of ``text`` written as one: "2026 年",
    "in 2024", "by 2030", "fiscal 2025" (not a bare four-digit number: "2054 亿美元")."""
    found = []
    for m in _YEAR_ALONE.finditer(fold(text)):
        group = 1 if m.group(1) else 2
        found.append((int(m.group(group)), m.start(group), m.end(group)))
    return found


def _quarter_of(w: When) -> int | None:
    if w.quarter is not None:
        return w.quarter
    return None if w.month is None else (w.month - 1) // 3 + 1


def _half_of(w: When) -> int | None:
    if w.half is not None:
        return w.half
    quarter = _quarter_of(w)
    return None if quarter is None else (quarter + 1) // 2


def _last_month(w: When) -> int | None:
    """The latest month the evidence can mean (for reading it in the previous year)."""
    if w.month is not None:
        return w.month
    quarter = _quarter_of(w)
    if quarter is not None:
        return quarter * 3
    return None if w.half is None else w.half * 6


def _years(ev: When, published: tuple[int, int] | None) -> set[int]:
    if ev.year is not None:
        return {ev.year}
    if published is None:
        return set()
    year, month = published
    last = _last_month(ev)
    return {year, year - 1} if last is not None and last > month else {year}


def covers(claim: When, ev: When, published: date | tuple[int, int] | None = None) -> bool:
    """True if ``ev`` (from an item published on ``published``, a day or (year, month))
    states every part of ``claim`` (rules: module docstring)."""
    if claim.day is not None and (
        ev.day != claim.day
        or (claim.month is not None and claim.month not in _months(ev, published))
    ):
        return False
    if claim.kind == "month" and ev.month != claim.month:
        return False
    if claim.kind == "quarter" and ev.quarter != claim.quarter:
        return False
    if claim.kind == "half" and ev.half != claim.half:
        return False
    return claim.year is None or claim.year in _years(ev, _year_month(published))


def _year_month(published: date | tuple[int, int] | None) -> tuple[int, int] | None:
    if isinstance(published, date):
        return published.year, published.month
    return published


def _months(ev: When, published: date | tuple[int, int] | None) -> set[int | None]:
    """The months a day of the evidence can be in: its own, or for a day alone ("15 日")
    the publication month, and the month before when the day lies after publication."""
    if ev.month is not None or not isinstance(published, date) or ev.day is None:
        return {ev.month}
    before = (published.replace(day=1) - timedelta(days=1)).month
    return {published.month} if ev.day <= published.day else {published.month, before}


def period(dates: list[When], years: list[tuple[int, int, int]]) -> When | None:
    """The one period a clause speaks of: its month, quarter or half (days are not
    periods: they date announcements) and its year; None when it names none or several."""
    spans = [w for w in dates if w.kind != "day"]
    taken = [(w.start, w.end) for w in dates]
    alone = {y for y, s, e in years if not any(a <= s < b for a, b in taken)}
    stated = {w.year for w in spans if w.year is not None} | alone
    if len({(w.month, w.quarter, w.half) for w in spans}) > 1 or len(stated) > 1:
        return None
    year = next(iter(stated), None)
    if spans:
        return replace(spans[0], year=year)
    if year is None:
        return None
    return When(str(year), 0, 0, "year", year)


def conflicts(a: When, b: When) -> bool:
    """True if two periods cannot be the same (a part both state differs)."""
    pairs = (
        (a.year, b.year),
        (a.month, b.month),
        (_quarter_of(a), _quarter_of(b)),
        (_half_of(a), _half_of(b)),
    )
    return any(x is not None and y is not None and x != y for x, y in pairs)
