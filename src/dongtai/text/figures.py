"""Figures: find the numbers a text claims and decide whether a source states the same one.

Pure functions, no I/O, used by the verification gate (:mod:`dongtai.verify.gate`):
:func:`extract_figures` reads numbers in Chinese and English with their magnitude, unit,
kind and qualifier (about / near / over / under) and leaves identifiers out;
:func:`mismatch` and :func:`supports` compare a claimed figure with an item's, within the
claim's stated precision, a bound having to restate the source's own figure;
:func:`to_chinese` writes a figure as Chinese news does. The rules stand in each
function's docstring.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache

from dongtai.text.numerals import (
    CN_DIGIT_CHARS,
    FOLD,
    UNIT_BASE,
    chinese_number,
    cn_value,
)

__all__ = [
    "Figure",
    "extract_figures",
    "find_support",
    "is_exempt",
    "mismatch",
    "supports",
    "to_chinese",
]


@dataclass(frozen=True)
class Figure:
    """One figure of a text: surface form, span, absolute value, unit, kind, qualifier and
    scale (the magnitude its words state: 1e4 for "120 万", 1e6 for "1.2 million", else 1)."""

    text: str
    start: int
    end: int
    value: float
    unit: str
    kind: str
    qualifier: str
    scale: float = 1.0


_AR = r"(?<![A-Za-z0-9.])(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_NUM = re.compile(
    rf"(?P<pct>百分之\s*)?(?:(?P<ar>{_AR})|(?P<cn>[{CN_DIGIT_CHARS}十][{CN_DIGIT_CHARS}十百千万亿]*(?:点[{CN_DIGIT_CHARS}]+)?))"
)
_CHENG = re.compile(r"成(?![为本果功立长熟员交效都型品绩就分])")
_EN_WORD = re.compile(r"\s*(thousand|million|billion|trillion|bn|tn|mn)\b", re.I)
_EN_LETTER = re.compile(r"([MBTmkK])(?![A-Za-z])")
_EN_MULT = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9}
_EN_MULT |= {"bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12}
_CN_MAG = re.compile(r"\s*([余多])?\s*(万亿|千亿|百亿|十亿|千万|百万|亿|万|千(?![瓦米克兆]))")
_CN_MULT = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "千万": 1e7, "百万": 1e6}
_CN_MULT |= {"亿": 1e8, "万": 1e4, "千": 1e3}
_QUAL_MID = re.compile(r"\s*[余多]|\+")
_QUAL_END = re.compile(r"\s*(以上|左右|以下|以内|之多)")
_END_QUAL = {"以上": "over", "之多": "over", "左右": "approx", "以下": "under", "以内": "under"}
_QUAL_PRE = re.compile(
    r"(?:(?P<approx>约为|约合|大约|约|(?i:\b(?:about|around|approximately|roughly|some)\s))"
    r"|(?P<near>将近|接近|(?<![最附])近|(?i:\b(?:nearly|almost|close to)\s))"
    r"|(?P<over>不少于|不低于|至少|超过|超出|逾|超|多于|高于"
    r"|(?i:\b(?:more than|over|above|upwards of|in excess of|exceeding|at least"
    r"|no (?:fewer|less) than)\s))"
    r"|(?P<under>不到|不足|低于|少于|(?i:\b(?:less than|fewer than|below|under|up to)\s)))\s*$"
)
_PCT = re.compile(
    r"\s*(?:(%)|(个?百分点|(?i:percentage[ -]points?|pp|ppts?)\b)|((?i:per ?cent|pct)\b))"
)
_CUR_PRE = re.compile(
    r"(?:(?P<HKD>HK\$|HKD)|(?P<USD>US\$|\$|USD)|(?P<EUR>€|EUR)|(?P<GBP>£|GBP)"
    r"|(?P<CNY>￥|RMB|CNY|人民币)|(?P<YEN>¥)|(?P<JPY>JPY)|(?P<AUD>A\$|AUD)|(?P<CAD>C\$|CAD)"
    r"|(?P<SGD>S\$|SGD)|(?P<TWD>NT\$|TWD))\s?$"
)
_CUR_SUF = re.compile(
    r"\s*(?:(?P<USD>(?i:(?:US\s?)?dollars?|USD)\b|美元|美金)|(?P<EUR>(?i:euros?|EUR)\b|欧元)"
    r"|(?P<JPY>(?i:yen|JPY)\b|日元)|(?P<HKD>(?i:HKD)\b|港元|港币)|(?P<GBP>(?i:GBP)\b|英镑)"
    r"|(?P<AUD>(?i:AUD)\b|澳元)|(?P<CAD>(?i:CAD)\b|加元)|(?P<SGD>(?i:SGD)\b|新加坡元|新元)"
    r"|(?P<TWD>(?i:TWD)\b|新台币)|(?P<CNY>(?i:yuan|RMB|CNY)\b|元(?:人民币)?|人民币))"
)
_PHYS = re.compile(
    r"\s*(?:(?P<GWh>GWh|吉瓦时|gigawatt[- ]hours?)|(?P<MWh>MWh|兆瓦时|megawatt[- ]hours?)"
    r"|(?P<kWh>kWh|千瓦时)|(?P<TWh>TWh|太瓦时)|(?P<GW>GW|吉瓦|gigawatts?)|(?P<MW>MW|兆瓦|megawatts?)"
    r"|(?P<kW>kW|千瓦|kilowatts?)|(?P<nm>nm|纳米)|(?P<mm>mm|毫米)|(?P<msi>MSI)|(?P<ms>ms|毫秒)"
    r"|(?P<degC>°C|℃|摄氏度)|(?P<Gbps>Gbps)|(?P<Mbps>Mbps)"
    r"|(?P<km>km|公里|千米|kilomet(?:er|re)s?)|(?P<sqin>square inch(?:es)?|平方英寸)"
    r"|(?P<inch>-?\s?inch(?:es)?|英寸)"
    r"|(?P<t>tonnes?|tons?|吨)|(?P<qubit>qubits?|个?量子比特)|(?P<x>倍|-?fold|times))(?![A-Za-z])"
)
_COUNTER = re.compile(r"\s*[片种家个台项座名颗辆架人件款条所位只套枚部份次户艘笔块张批轮类]")
_UNIT_NAME = {"sqin": "sq in", "degC": "°C"}


_BLOCKED = re.compile(
    "|".join(
        [
            r"(?:https?://|www\.)[^\s<>\"'）)\]】]+",
            r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,5}",
            r"(?<![A-Za-z0-9-])[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}"
            r"\.(?:com|cn|net|org|io|gov|edu|ai)(?![A-Za-z0-9])(?:/[^\s<>\"'）)\]】]*)?",
            r"(?<![0-9])[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])",
            r"(?<![0-9/])[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2,4})?(?![0-9/])",
            r"(?<![0-9])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?![0-9])",
            r"[\[【]\^?[0-9]{1,4}(?:\s*[,，、\-–]\s*[0-9]{1,4}){0,20}[\]】]",
            r"\+[0-9]{1,3}[\s-]?[0-9][0-9\s-]{6,16}[0-9]",
            r"(?<![0-9])\(?0[0-9]{2,3}\)?[\s-]?[0-9]{7,8}(?![0-9])",
            r"(?<![0-9])[0-9]{3}-[0-9]{3,4}-[0-9]{4}(?![0-9])",
            r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])",
        ]
    )
)
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_MONTH_BEFORE = re.compile(rf"(?<![A-Za-z]){_MONTHS}\s+$")
_MONTH_AFTER = re.compile(rf"\s+{_MONTHS}(?![A-Za-z])")
_DATE_AFTER = re.compile(
    r"\s*(?:[-–—~～至到]\s*[0-9]+\s*)?(?:月|日|号|时(?!间)|季度|世纪|年代|大|届|强|氪)"
)
_BARE = re.compile(rf"[0-9][0-9,]*(?:\.[0-9]+)?|[{CN_DIGIT_CHARS}十百千点]+")
_GLUE_AFTER = re.compile(r"[A-Za-z0-9]")
_GLUE_BEFORE = re.compile(r"[A-Za-z][-‐‑]?$")
_ORDINAL = re.compile(r"(?:第|(?<![A-Za-z])No\.|#)\s*$")
_CAPS_BEFORE = re.compile(r"(?<![A-Za-z])(?:[A-Z][A-Z0-9]+|[a-z]+[A-Z][A-Za-z]*) $")
_NAME_BEFORE = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+ $")
_LINE_START = re.compile(r"(?m)^[ \t>*#+\-]*([(（]?)$")
_MARK_AFTER = re.compile(r"[.、)）:：]")
_RANGE = re.compile(r"\s*(?:[-–—~～至到]|to)\s*")
_AR_FIND = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def _tail_mult(run: str) -> float:
    """Magnitude a Chinese numeral ends with: 万亿, 亿, 万 or none."""
    if run.endswith("万亿"):
        return 1e12
    return 1e8 if run.endswith("亿") else 1e4 if run.endswith("万") else 1.0


def _blocked(norm: str) -> tuple[list[int], list[int]]:
    spans = [(m.start(), m.end()) for m in _BLOCKED.finditer(norm)]
    return [s for s, _ in spans], [e for _, e in spans]


def _glued_after(norm: str, start: int, end: int) -> bool:
    """True if the figure's digits (or a Latin unit glued to them: "3nm", "1.2M") run on
    into a Latin letter or digit: one token with it ("5G", "4K", "3D"). What follows a
    CJK counter, unit or magnitude ("46款app", "3亿个led", "40元2018年") never counts."""
    digits = _AR_FIND.search(norm, start, end)
    if digits is None:
        return False
    tail = norm[digits.end() : end]
    if tail and not (tail[0].isascii() and tail[0].isalpha()):
        return False
    return bool(_GLUE_AFTER.match(norm, end))


def _exempt(norm: str, start: int, end: int, blocked: tuple[list[int], list[int]]) -> bool:
    starts, ends = blocked
    i = bisect_left(starts, end) - 1
    if i >= 0 and ends[i] > start:
        return True
    if _glued_after(norm, start, end):
        return True
    if norm[start : start + 1].isdigit() and _GLUE_BEFORE.search(norm, max(0, start - 2), start):
        return True
    if _ORDINAL.search(norm, max(0, start - 4), start):
        return True
    if not _BARE.fullmatch(norm, start, end):
        return False
    tok = norm[start:end]
    if tok.isdigit() and len(tok) == 4 and 1900 <= int(tok) <= 2100:
        return True
    if _DATE_AFTER.match(norm, end) or _MONTH_AFTER.match(norm, end):
        return True
    if _MONTH_BEFORE.search(norm, max(0, start - 12), start):
        return True
    if norm[start - 1 : start] in ("(", "（") and norm[end : end + 1] in (")", "）"):
        return True
    if _CAPS_BEFORE.search(norm, max(0, start - 24), start):
        return True
    if "." in tok and _NAME_BEFORE.search(norm, max(0, start - 24), start):  # "Llama 3.1"
        return True
    line = _LINE_START.search(norm, max(0, start - 40), start)
    marked = "." in tok or bool(_MARK_AFTER.match(norm, end))
    return line is not None and (marked or bool(line.group(1)) or "#" in line.group(0))


def is_exempt(text: str, start: int, end: int) -> bool:
    """True if the number at ``text[start:end]`` is an identifier (see module docstring)."""
    norm = text.translate(FOLD)
    return _exempt(norm, start, end, _blocked(norm))


def _currency(prefix: str, suffix: str) -> str:
    if suffix:
        return suffix
    return "JPY" if prefix == "YEN" else prefix


def _parse(norm: str, text: str, m: re.Match[str]) -> tuple[Figure, float] | None:
    """Read the figure whose number starts at ``m``; return it and its magnitude."""
    ar, cn = m.group("ar"), m.group("cn")
    start, pos = m.start(), m.end()
    parsed = float(ar.replace(",", "")) if ar is not None else cn_value(cn)
    if parsed is None:
        return None
    value, mult = parsed, 1.0 if cn is None else _tail_mult(cn)
    kind, unit, qual, pre, suf = "number", "", "", "", ""
    if m.group("pct"):
        kind, unit = "percent", "%"
    elif cn is not None and len(cn) == 1 and (c := _CHENG.match(norm, pos)):
        kind, unit, value, pos = "percent", "%", value * 10, c.end()
    elif cn is not None and len(cn) < 2:
        return None
    else:
        if p := _CUR_PRE.search(norm, max(0, start - 8), start):
            pre, start = p.lastgroup or "", p.start()
        scale = 1.0
        if w := _EN_WORD.match(norm, pos):
            scale, pos = _EN_MULT[w.group(1).lower()], w.end()
        elif (g := _EN_LETTER.match(norm, pos)) and (g.group(1) in "MBT" or pre):
            scale, pos = _EN_MULT[g.group(1).lower()], g.end()
        elif g := _CN_MAG.match(norm, pos):
            scale, pos, qual = _CN_MULT[g.group(2)], g.end(), "over" if g.group(1) else ""
        value, mult = value * scale, mult * scale
        if q := _QUAL_MID.match(norm, pos):
            qual, pos = "over", q.end()
        if u := _PCT.match(norm, pos):
            kind, unit, pos = "percent", "pp" if u.group(2) else "%", u.end()
        elif u := _CUR_SUF.match(norm, pos):
            suf, pos = u.lastgroup or "", u.end()
        elif not pre and (u := _PHYS.match(norm, pos)):
            name = u.lastgroup or ""
            unit, pos = _UNIT_NAME.get(name, name), u.end()
        elif u := _COUNTER.match(norm, pos):
            pos = u.end()
        if kind == "number" and (pre or suf):
            kind, unit = "money", _currency(pre, suf)
    if q := _QUAL_END.match(norm, pos):
        qual, pos = _END_QUAL[q.group(1)], q.end()
    if not qual and (q := _QUAL_PRE.search(norm, max(0, start - 16), start)):
        qual = q.lastgroup or ""
    return Figure(text[start:pos], start, pos, value, unit, kind, qual, mult), mult


def _inherit_ranges(norm: str, hits: list[tuple[Figure, float]]) -> list[Figure]:
    """Give the bare first end of a range ("30-40%") the unit and magnitude of the second."""
    out = []
    for i, (fig, _) in enumerate(hits):
        if i + 1 < len(hits) and _BARE.fullmatch(norm, fig.start, fig.end):
            nxt, mult = hits[i + 1]
            typed = nxt.unit != "" or nxt.kind != "number" or mult != 1.0
            if typed and _RANGE.fullmatch(norm, fig.end, nxt.start):
                fig = replace(fig, value=fig.value * mult, unit=nxt.unit, kind=nxt.kind)
                fig = replace(fig, scale=mult)
        out.append(fig)
    return out


def extract_figures(text: str) -> list[Figure]:
    """Every non-exempt figure of ``text``, in order of appearance.

    Reading numbers
      * Full-width digits and "．％＄" are folded to ASCII and invisible marks (U+200B-U+200F,
        U+202A-U+202E, U+2060, U+FEFF) read as spaces. Folding keeps the length, so spans index
        the original text and ``Figure.text == text[start:end]``.
      * ASCII numbers: "1250", "1,250" (groups of three), "1.2". A comma not followed by exactly
        three digits ends the number.
      * Chinese numerals 零〇一二两三四五六七八九十百千万亿 with 点 decimals: "十二" = 12,
        "一百二十万" = 1.2e6, "三亿五千万" = 3.5e8, "一万二" = 12000, "八点五" = 8.5. A run must
        parse as one well-formed numeral ("七八", "十四五", "二〇二六" do not) and have at least
        two characters; lone digits ("一些", "十分", "五家") are ignored except in "百分之五"
        and "三成".
      * Magnitudes: thousand/million/billion/trillion, "bn"/"tn"/"mn"; "M"/"B"/"T" glued to the
        digits ("1.2M", "$1T"); "m"/"k" glued only after a currency ("$5m"); Chinese 千/万/亿/
        万亿 (=1e12) and 千万/百万/十亿/百亿/千亿 after digits ("1.5万亿", "120 万").
    Units and kinds
      * percent: "%", "percent", "per cent", "pct", "百分之X", "X成" (X*10; not 成为, 成本 ...).
        Points ("个百分点", "百分点", "percentage points", "pp") are kind "percent", unit "pp".
      * money: "$"/"US$"/"USD"/"dollars"/"美元" -> USD; "元"/"人民币"/"yuan"/"RMB"/"CNY"/"￥" ->
        CNY; "€"/"EUR"/"euros"/"欧元" -> EUR; "日元"/"yen"/"JPY" -> JPY; "HK$"/"港元" -> HKD;
        "£"/"英镑" -> GBP; "A$" "C$" "S$" "NT$" (澳元 加元 新元 新台币) -> AUD CAD SGD TWD.
        A half-width "¥" is CNY when yuan words follow, otherwise JPY.
      * number: unit "" for counts; a Chinese counter (片 种 家 个 台 项 座 名 颗 辆 架 人 ...) is
        kept in ``text`` but changes nothing. Physical units get a normalised unit: GW/MW/kW/
        TWh/GWh/MWh/kWh (吉瓦, 兆瓦, 千瓦, gigawatts ...), nm (纳米), mm, km (公里,
        kilometres), inch ("12-inch", 英寸), "sq in", msi (million square inches), t (吨,
        tonnes), qubit (量子比特), x (倍, times, -fold), ms (毫秒), °C (℃), Gbps, Mbps.
    Qualifiers (four kinds of bound)
      * approx: 约 约为 约合 大约 左右, about around approximately roughly some;
      * near (just under): 将近 接近 近, nearly almost "close to";
      * over: 超过 超出 逾 超 多于 高于 不少于 不低于 至少 余 多 以上 之多 "+", "more than" over
        above "in excess of" "upwards of" exceeding "at least" "no fewer than" "no less than"
        (at-least forms read as over);
      * under: 不到 不足 低于 少于 以下 以内, "less than" "fewer than" below under "up to".
      Prefix qualifiers are not part of ``text``; suffix ones are.
    Exempt (identifiers, not claims; never returned)
      * URLs, bare domains with paths, e-mail addresses, phone numbers (+86 ..., 010-12345678,
        400-123-4567, 11-digit mobiles), reference markers "[3]", "[^3]", "【3】";
      * dates and times: "2026-05-04", "05/04", "10:30", a bare number before 月/日/号/时/季度/
        世纪/年代 (also ranges "1-3 月"), next to an English month ("May 4", "4 May");
      * years: a bare four-digit integer in 1900-2100 ("2026", "2026 年", "in 2024", "Q1 2026");
      * ordinals after 第, "No." or "#" ("第一", "第 3 名"); names such as "二十大", "十四五",
        "500 强", "36氪" (a bare numeral before 大/届/强/氪);
      * model and product names, decided by the shape of the whole Latin token: digits
        glued to Latin letters on either side or after "letter-" ("H20", "5G", "5G-A", "A100",
        "GPT-4", "HBM3E", "3D", "YX-H2"), and a bare number after an all-caps or camel-case
        token ("RTX 4090", "iPhone 16"), a bare decimal after a capitalised word ("Llama 3.1").
        Only the digits (or a Latin unit glued to them, "3nm") can run on into a token: what
        follows a CJK counter, unit or magnitude is another word, so "46款app", "3亿个led",
        "共246户1062人", "多40元2018年" state figures exactly as the spaced "46 款 app" does;
      * list and section markers: a bare number at line start (after #, >, -, *) followed by
        "." "、" ")" ":" or containing a dot ("1.1 概述", "1. 引言"), "x.2", and "(2)" anywhere.
      A *bare* number has no currency, magnitude, unit or counter. "3nm" is a figure (unit nm).
    Ranges: a bare number joined by "-", "~", "至", "到" or "to" to a figure with a unit takes that
    unit, kind and magnitude ("30-40%" -> 30% and 40%, "1-2 亿" -> 1e8 and 2e8).
    """
    norm = text.translate(FOLD)
    blocked = _blocked(norm)
    hits: list[tuple[Figure, float]] = []
    last = 0
    for m in _NUM.finditer(norm):
        if m.start() < last:
            continue
        hit = _parse(norm, text, m)
        if hit is None:
            continue
        last = hit[0].end
        if not _exempt(norm, hit[0].start, hit[0].end, blocked):
            hits.append(hit)
    return _inherit_ranges(norm, hits)


def _step(fig: Figure) -> float:
    """One unit of the last digit the figure states, in the figure's own unit."""
    t = fig.text.translate(FOLD)
    if (m := _AR_FIND.search(t)) is not None:
        digits = m.group().replace(",", "")
        mantissa = float(digits)
        mult = fig.value / mantissa if mantissa else 1.0
        return mult * 10.0 ** -len(digits.partition(".")[2])
    if fig.kind == "percent" and "成" in t:
        return 10.0
    at = max(t.rfind("万"), t.rfind("亿"))
    big = 1.0 if at < 0 else 1e4 if t[at] == "万" else 1e12 if t[at - 1 : at] == "万" else 1e8
    if "点" in t:
        frac = t.partition("点")[2]
        places = len(frac) - len(frac.lstrip(CN_DIGIT_CHARS))
        return big * 10.0**-places
    number, zeros = int(fig.value), 0
    while number and number % 10 == 0 and zeros < 15:
        number, zeros = number // 10, zeros + 1
    return min(10.0**zeros, big)


def _bound_step(fig: Figure, step: float) -> float:
    """How far a bound may lie from the figure it restates: the claim's precision, and
    for a round integer its last non-zero place ("超过 100 个" ~ 105, "超过 1250" ~ 1256)."""
    t = fig.text.translate(FOLD)
    m = _AR_FIND.search(t)
    if m is None or "." in m.group():
        return step
    digits = m.group().replace(",", "").rstrip(",")
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return max(step, step * 10.0 ** min(zeros, 12))


def mismatch(claim: Figure, evidence: Figure) -> str:
    """Why ``evidence`` does not state ``claim``: "" when it does, else "unit" (kind or
    unit differ), "qualifier" (an incompatible bound: "超过" against "不到" or none) or
    "value".

      Kinds must be equal and units equal, or of one family (kW/MW/GW, kWh/.../TWh, mm/km,
      "sq in"/msi, Mbps/Gbps) which are compared in base units ("unit" otherwise). Non-finite
      values never match. Let c, e be the values and step the claim's stated precision: one
      unit of its last digit times its magnitude ("1.2 million" -> 1e5, "120 万" -> 1e4,
      "40%" -> 1, "三成" -> 10, and for Chinese numerals the lowest non-zero place, at most
      the last 万/亿: "一万二千" -> 1e3); tol = step / 2. A bound's *round step* is step, or for
      an integer its last non-zero place ("超过 100" -> 100, "超过 1250" -> 10); plain
      evidence restates a bound when it rounds to it at that step.
      * plain claim: plain or approx evidence with |e - c| <= min(tol, 10% of c) ("40%" ~
        40.2%, not 40.6%; "1 万亿" not $1.4tn); bounded evidence ("more than 1,250") is a
        different qualifier;
      * approx claim: |e - c| <= max(tol, 5% of c), any evidence ("约 40%" ~ 41.9%, not 46%);
      * near claim: near, approx or under evidence within tol, or plain evidence with
        c - max(tol, 5% of c) <= e <= c + tol ("近 100" ~ 98); over evidence: qualifier;
      * over claim (a bound restates the source's figure, not any number it implies):
        over evidence with |e - c| <= tol ("超 1.7 亿" is not "超 1.0 亿" nor "超 1.7 万");
        plain evidence with 0 < e - c <= round step / 2 ("超过 1250 种" ~ 1,251; "超过 100 家"
        ~ 105; not 1,250, which is a different qualifier, nor 1,300; "超过 60%" is not 70%);
        approx, near or under evidence: qualifier;
      * under claim: the mirror (under or near evidence within tol, plain with
        0 < c - e <= round step / 2: "不到 10%" ~ 9.5%; "8% 以内" is not "13% 以内").
    """
    claim_unit, claim_scale = UNIT_BASE.get(claim.unit, (claim.unit, 1.0))
    ev_unit, ev_scale = UNIT_BASE.get(evidence.unit, (evidence.unit, 1.0))
    if claim.kind != evidence.kind or claim_unit != ev_unit:
        return "unit"
    c, e = claim.value * claim_scale, evidence.value * ev_scale
    if not (math.isfinite(c) and math.isfinite(e)):
        return "value"
    step = _step(claim) * claim_scale * (1 + 1e-9)
    tol, q, qe = step / 2, claim.qualifier, evidence.qualifier
    loose = max(tol, 0.05 * abs(c) * (1 + 1e-9))
    if q == "approx":
        return "" if abs(e - c) <= loose else "value"
    if q == "":
        if qe not in ("", "approx"):
            return "qualifier" if abs(e - c) <= tol else "value"
        return "" if abs(e - c) <= min(tol, 0.1 * abs(c) * (1 + 1e-9)) else "value"
    if q == "near":
        if qe == "over":
            return "qualifier"
        if qe == "":
            return "" if c - loose <= e <= c + tol else "value"
        return "" if abs(e - c) <= tol else "value"
    sign = 1 if q == "over" else -1
    if qe == q:
        return "" if abs(e - c) <= tol else "value"
    if qe == "near" and q == "under":
        return "" if abs(e - c) <= tol else "value"
    if qe != "" or abs(e - c) <= tol * 1e-6:
        return "qualifier"
    gap = (e - c) * sign
    return "" if 0 < gap <= _bound_step(claim, step) / 2 else "value"


def supports(claim: Figure, evidence: Figure) -> bool:
    """True if ``evidence`` states the figure ``claim`` makes (rules: :func:`mismatch`)."""
    return mismatch(claim, evidence) == ""


@lru_cache(maxsize=512)
def _cached_figures(text: str) -> tuple[Figure, ...]:
    return tuple(extract_figures(text))


def find_support(claim: Figure, text: str) -> Figure | None:
    """The first figure of ``text`` that supports ``claim``, or None (evidence is cached)."""
    return next((fig for fig in _cached_figures(text) if supports(claim, fig)), None)


_CN_QUALIFIER = {"over": "超过 ", "under": "不到 ", "approx": "约 ", "near": "近 ", "": ""}


def to_chinese(figure: Figure) -> str:
    """The figure as Chinese news writes it, with its qualifier: "120 万", "1 万亿美元",
    "25%", "超过 1250".

      Values >= 1e4 use 万 (< 1e8), 亿 (< 1e12) or 万亿, trailing zeros stripped ("120 万",
      "2054 亿美元", "1 万亿美元"); smaller values are plain digits ("1250"); percent keeps "%",
      points read "个百分点"; units are Chinese where usual (美元 元 欧元 英寸 纳米 吨 倍);
      million square inches become 平方英寸 ("2922 MSI" → "29.22 亿平方英寸"). A qualifier
      is rendered before the figure (超过, 不到, 约, 近: "more than 1,250" → "超过 1250"), so a
      bound is never restated as an exact figure.
    """
    if not math.isfinite(figure.value):
        return figure.text
    return _CN_QUALIFIER.get(figure.qualifier, "") + chinese_number(figure.value, figure.unit)
