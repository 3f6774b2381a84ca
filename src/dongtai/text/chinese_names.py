"""Organisations in Chinese: an English organisation name in reader text becomes the
Chinese name the registry knows for it.

Pure functions, no I/O. The table is the registry's organisation names (name → id:
``Registry.organisation_names()``, outlets included); an organisation's Chinese name is its
first name written in Han characters.

Rules
  * replaced: a mention (the lexicon's longest match, :mod:`dongtai.text.names`) of an
    English name whose organisation has a Chinese name, unless it is an acronym (no blank,
    no lowercase letter: "SIA", "ITIF", "TSMC" stay, as the bulletin writes them);
  * kept: an English name in brackets right after a Chinese name of the same organisation,
    "美国半导体行业协会（Semiconductor Industry Association）";
  * blanks that stood between the English name and Chinese text go;
  * no stutter: when the text before the mention already ends with the start of the
    Chinese name ("美国 Commerce Department"), that start is not written twice
    ("美国商务部").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dongtai.text.names import Lexicon, Mention

__all__ = ["ChineseNames", "English"]

_HAN = re.compile(r"[\u3400-\u9fff]")
_OPEN = "（("
_CLOSE = "）)"


@dataclass(frozen=True)
class English:
    """An English organisation name in a text, and the Chinese name to write instead."""

    name: str
    chinese: str
    start: int
    end: int


class ChineseNames:
    """English organisation names → Chinese (rules in the module docstring)."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.lexicon = Lexicon(names)
        self.known = frozenset(n for n in names if _HAN.search(n))
        self.chinese: dict[str, str] = {}
        for name, entity in names.items():
            if _HAN.search(name) and entity not in self.chinese:
                self.chinese[entity] = name

    def english(self, text: str) -> list[English]:
        """The English names of ``text`` that have a Chinese form and must be replaced."""
        return [
            English(m.name, self.chinese[m.entity], m.start, m.end)
            for m in self.lexicon.mentions(text)
            if self._replaceable(text, m)
        ]

    def _replaceable(self, text: str, m: Mention) -> bool:
        if _HAN.search(m.name) or m.entity not in self.chinese or _acronym(m.name):
            return False
        return not self._glossed(text, m)

    def _glossed(self, text: str, m: Mention) -> bool:
        """Is the mention a gloss in brackets after a Chinese name of its organisation?"""
        before = text[: m.start].rstrip()
        after = text[m.end :].lstrip()
        if not (before.endswith(tuple(_OPEN)) and after.startswith(tuple(_CLOSE))):
            return False
        head = before[:-1].rstrip()
        return any(
            head.endswith(name) and _HAN.search(name) for name in self.lexicon.names_of(m.entity)
        )

    def to_chinese(self, text: str) -> str:
        """``text`` with every replaceable English organisation name in Chinese."""
        out, at = "", 0
        for e in self.english(text):
            out += _without_stutter(text[at : e.start], e.chinese)
            out = out.rstrip(" ") if _joins(out.rstrip(" ")[-1:]) else out
            out += e.chinese
            at = e.end
            rest = text[at:]
            if rest.startswith(" ") and _joins(rest.lstrip(" ")[:1]):
                at += len(rest) - len(rest.lstrip(" "))
        return out + text[at:]


def _joins(neighbour: str) -> bool:
    """Does a Chinese name stand next to ``neighbour`` without a blank (Han, CJK marks)?"""
    return bool(neighbour) and (
        bool(_HAN.match(neighbour)) or neighbour in "，。；：、（）“”《》！？"
    )


def _acronym(name: str) -> bool:
    return " " not in name.strip() and not any(c.islower() for c in name)


def _without_stutter(before: str, chinese: str) -> str:
    """``before`` without a trailing start of ``chinese`` (and the blank after it)."""
    trimmed = before.rstrip()
    for k in range(len(chinese) - 1, 0, -1):
        if trimmed.endswith(chinese[:k]):
            return trimmed[:-k]
    return before
