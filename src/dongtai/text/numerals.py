"""Numerals and units: full-width folding, Chinese numerals read as numbers, units
compared in their base unit, and numbers written back as Chinese news writes them.

Rules: :func:`fold` keeps the text's length (offsets stay valid); a Chinese numeral is
read with its 十/百/千 places and 万/亿 sections ("一万二" = 12000, "三千五" = 3500) or
not at all; a unit of a family (kW/MW/GW, kWh…TWh, mm/km, msi, Mbps/Gbps) is compared
in its base unit; written back, values of 1e4 and more use 万 (< 1e8), 亿 (< 1e12) or
万亿 with trailing zeros stripped, percent keeps "%", points read "个百分点", units are
Chinese where usual and million square inches read 平方英寸. Pure functions, no I/O.
"""

from __future__ import annotations

_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"
FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{c: " " for c in _INVISIBLE},
        "．": ".",
        "％": "%",
        "＄": "$",
    }
)
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
CN_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_DIGIT_CHARS = "".join(CN_DIGITS)
UNIT_BASE = {"kW": ("W", 1e3), "MW": ("W", 1e6), "GW": ("W", 1e9), "kWh": ("Wh", 1e3)}
UNIT_BASE |= {"MWh": ("Wh", 1e6), "GWh": ("Wh", 1e9), "TWh": ("Wh", 1e12)}
UNIT_BASE |= {"mm": ("m", 1e-3), "km": ("m", 1e3), "msi": ("sq in", 1e6), "Gbps": ("bps", 1e9)}
UNIT_BASE |= {"Mbps": ("bps", 1e6)}
_CN_UNIT = {"USD": "美元", "CNY": "元", "EUR": "欧元", "JPY": "日元", "HKD": "港元", "GBP": "英镑"}
_CN_UNIT |= {"inch": "英寸", "nm": "纳米", "mm": "毫米", "km": "公里", "t": "吨", "x": "倍"}
_CN_UNIT |= {"qubit": "量子比特", "sq in": "平方英寸", "ms": "毫秒", "AUD": "澳元", "CAD": "加元"}
_CN_UNIT |= {"SGD": "新加坡元", "TWD": "新台币"}


def fold(text: str) -> str:
    """Full-width digits and "．％＄" as ASCII, invisible marks as spaces; same length."""
    return text.translate(FOLD)


def base_unit(unit: str) -> str:
    """The unit a figure is compared in: "W" for kW/MW/GW, "sq in" for msi, else itself."""
    return UNIT_BASE.get(unit, (unit, 1.0))[0]


def _cn_small(s: str) -> int | None:
    """Parse a numeral below 10000 ("二十五", "一百零五", "三千五" = 3500)."""
    total, digit, last, zero = 0, -1, 10_000, False
    for ch in s:
        if ch in CN_DIGITS:
            if digit > 0:
                return None
            digit = CN_DIGITS[ch]
            zero = zero or digit == 0
            continue
        unit = _CN_SMALL.get(ch)
        if unit is None or unit >= last or digit == 0 or (digit < 0 and (unit != 10 or total)):
            return None
        total += max(digit, 1) * unit
        digit, last, zero = -1, unit, False
    if digit > 0:
        total += digit * last // 10 if last in (100, 1000) and not zero else digit
    return total if s else None


def cn_int(s: str) -> int | None:
    """Parse an integer Chinese numeral with 万/亿 sections ("一万亿" = 1e12)."""
    for big, mult in (("亿", 10**8), ("万", 10**4)):
        left, sep, right = s.rpartition(big)
        if not sep:
            continue
        if not left or "亿" in left or (big == "万" and "万" in left):
            return None
        high = cn_int(left)
        if not high:
            return None
        if len(right) == 1 and CN_DIGITS.get(right, 0) > 0:  # 一万二 = 12000
            return high * mult + CN_DIGITS[right] * mult // 10
        rest = right[1:] if right[:1] in ("零", "〇") else right
        low = cn_int(rest) if rest else 0
        return None if low is None or low >= mult else high * mult + low
    return _cn_small(s)


def cn_value(run: str) -> float | None:
    whole, _, frac = run.partition("点")
    number = cn_int(whole)
    if number is None:
        return None
    return float(f"{number}.{''.join(str(CN_DIGITS[c]) for c in frac) or '0'}")


def _fmt(x: float) -> str:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def chinese_number(value: float, unit: str) -> str:
    """A value and its unit as Chinese news writes them (module docstring)."""
    if unit == "%":
        return f"{_fmt(value)}%"
    if unit == "pp":
        return f"{_fmt(value)} 个百分点"
    if unit == "msi":  # million square inches read back as 平方英寸
        value, unit = value * 1e6, "sq in"
    mag, div = "", 1.0
    for name, size in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4)):
        if abs(value) >= size and unit != "x":
            mag, div = name, size
            break
    head = f"{_fmt(value / div)} {mag}" if mag else _fmt(value)
    name = _CN_UNIT.get(unit, unit)
    if not name:
        return head
    return head + name if mag and not name.isascii() else f"{head} {name}"
