"""Find many names in a text in one pass (Aho-Corasick automaton, ``pyahocorasick``).

Rules, shared by topic evidence and organisation matching:
- Chinese names (any CJK character) match anywhere as substrings;
- other names match whole words only: the characters either side of the match are not
  ASCII letters or digits;
- names written in capitals or with digits (acronyms such as "SIA", "HBM", "5G-A")
  match case-sensitively; other names case-insensitively.

A :class:`Matcher` maps each name to a label (a concept id, an organisation id); it
returns the labels found, so a name and its translation count once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import ahocorasick

CJK = re.compile(r"[\u3400-\u9fff]")


def _word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Matcher:
    """Labels of the names found in a text, by the rules of the module docstring."""

    def __init__(self, names: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        pairs = names.items() if isinstance(names, Mapping) else names
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str, bool, bool]]] = {}
        for name, label in pairs:
            if not name.strip():
                continue
            is_cjk = bool(CJK.search(name))
            exact = not is_cjk and (name.isupper() or any(c.isdigit() for c in name))
            entries.setdefault(name.casefold(), []).append((name, label, is_cjk, exact))
        for key, variants in entries.items():
            self._automaton.add_word(key, variants)
        self._empty = not entries
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> set[str]:
        """Labels of every name found in ``text``."""
        return {label for label, _, _ in self.spans(text)}

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(label, start, end) of every match, in text order."""
        if self._empty or not text:
            return []
        folded = text.casefold()
        if len(folded) != len(text):  # a few characters change length when folded
            folded, text = text.lower(), text
            if len(folded) != len(text):
                return []
        found = []
        for end, variants in self._automaton.iter(folded):
            for name, label, is_cjk, exact in variants:
                start = end - len(name) + 1
                if self._accepts(text, start, end + 1, name, is_cjk, exact):
                    found.append((label, start, end + 1))
        return found

    @staticmethod
    def _accepts(text: str, start: int, stop: int, name: str, is_cjk: bool, exact: bool) -> bool:
        if is_cjk:
            return True
        if exact and text[start:stop] != name:
            return False
        before = text[start - 1] if start > 0 else " "
        after = text[stop] if stop < len(text) else " "
        return not _word_char(before) and not _word_char(after)
