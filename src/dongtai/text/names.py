"""Names: organisations and people a text mentions, by every name they go by.

Pure functions, no I/O. Used by claim extraction and the verification gate.

Where names come from
  * the source registry: each organisation of the bilingual alias table and each outlet
    (English and Chinese names, short form, aliases) — ``Registry.organisation_names()``
    plus the outlets known to the store (unknown outlets keep their own name);
  * the items themselves: "信息技术与创新基金会（ITIF）", "Silicon Manufacturers Group
    (SMG)" make the long form and the acronym one entity: the entity the registry already
    knows for either name (for a Chinese long form, its longest known ending), else a new
    one keyed by the acronym when the long form reads as an organisation (ends with 协会,
    研究院, 集团, 公司, 委员会 … or holds Association, Institute, Group, Agency …); an
    unknown Chinese long form is the run of Han characters before the bracket, at most 16,
    without a leading 据/由/在/的 …;
  * the authors of the items (people).
  A name a registry entry already holds keeps its entity; a harvested name never
  overrides it.

Finding mentions
  * Han names match anywhere; Latin names only between non-alphanumeric characters and
    with their exact case, so "SEMI" is not "semiconductor" and "SIA" not "Asia";
  * the longest name wins and mentions never overlap; each name is also known as the
    briefing's typography spaces it ("21 世纪经济报道", "IT 之家");
  * names shorter than two characters, and the ambiguous English words "Nature",
    "Variety", "Wolves", "The Met" and "Met", are never matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from dongtai.models import Item, Source
from dongtai.text.typography import polish

__all__ = ["Lexicon", "Mention"]

AMBIGUOUS = frozenset({"Nature", "Variety", "Wolves", "The Met", "Met"})
_HAN = re.compile(r"[\u3400-\u9fff]")
_ACRONYM = r"(?P<abbr>[A-Z][A-Za-z0-9&.\-]{1,11})"
_ZH_LONG = re.compile(rf"(?P<long>[\u3400-\u9fff]{{2,40}})\s*[（(]\s*{_ACRONYM}\s*[）)]")
_EN_LONG = re.compile(
    rf"(?P<long>(?:[A-Z][\w&'.\-]*\s+(?:(?:of|and|for|the|on|&)\s+)*){{1,8}})\({_ACRONYM}\)"
)
_LEAD = re.compile(r"^(?:[据由在的和与及对将从向称是为了其该]|旗下|下属|报告|数据|显示|表示)+")
_LONGEST_HAN = 16
_ORG_WORD = re.compile(
    r"(?:协会|学会|研究院|研究所|研究中心|基金会|集团|公司|委员会|部|局|署|院|大学|中心|组织|联盟|"
    r"银行|实验室|机构|智库|政府)$|\b(?:Association|Institute|Foundation|Group|Council|Agency|"
    r"Commission|Ministry|Department|University|Corporation|Company|Inc|Ltd|Bureau|Organi[sz]ation|"
    r"Cent(?:er|re)|Administration|Office|Authority|Federation|Society|Academy|Laborator(?:y|ies)|"
    r"Fund|Bank|Board|Forum|Alliance|Consortium)\b"
)


@dataclass(frozen=True)
class Mention:
    """A name found in a text: the entity it denotes, the name as written, its span."""

    entity: str
    name: str
    start: int
    end: int


def _usable(name: str) -> bool:
    return len(name) >= 2 and name not in AMBIGUOUS and bool(name.strip())


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


class Lexicon:
    """Names → entity ids, with the longest-match mention finder (module docstring)."""

    def __init__(
        self, names: Mapping[str, str], outlets: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self._names = {n: e for n, e in names.items() if _usable(n)}
        for name, entity in list(self._names.items()):  # as the briefing's typography spaces it
            self._names.setdefault(polish(name), entity)
        self._outlets = {sid: frozenset(ids) for sid, ids in (outlets or {}).items()}

    @classmethod
    def build(
        cls,
        registry_names: Mapping[str, str],
        sources: Iterable[Source] = (),
        items: Iterable[Item] = (),
    ) -> Lexicon:
        """The registry's names, the outlets' names, and what the items say."""
        names = dict(registry_names)
        outlets: dict[str, set[str]] = {}
        for source in sources:
            own = [source.name_en, source.name_zh, source.short, *source.aliases]
            for name in own:
                if _usable(name):
                    names.setdefault(name, source.id)
            outlets[source.id] = {source.id} | {names[n] for n in own if n in names}
        for item in items:
            for author in item.authors:
                if _usable(author) and " " in author.strip():
                    names.setdefault(author.strip(), f"person:{author.strip()}")
            for long, abbr in _harvest(f"{item.title}\n{item.summary}\n{item.text}"):
                _link(names, long, abbr)
        return cls(names, outlets)

    @cached_property
    def _by_length(self) -> list[tuple[str, str]]:
        return sorted(self._names.items(), key=lambda pair: (-len(pair[0]), pair[0]))

    def entity(self, name: str) -> str | None:
        return self._names.get(name)

    def outlet_entities(self, source_id: str) -> frozenset[str]:
        """Entities an outlet is (its own id and the organisation it is, if listed)."""
        return self._outlets.get(source_id, frozenset({source_id}))

    def mentions(self, text: str) -> list[Mention]:
        """Every mention in ``text``: longest first, never overlapping, in text order."""
        taken = bytearray(len(text))
        found: list[Mention] = []
        for name, entity in self._by_length:
            latin = not _HAN.search(name)
            at = text.find(name)
            while at >= 0:
                end = at + len(name)
                if not any(taken[at:end]) and (not latin or _bounded(text, at, end)):
                    taken[at:end] = b"\x01" * len(name)
                    found.append(Mention(entity, name, at, end))
                at = text.find(name, at + 1)
        return sorted(found, key=lambda m: m.start)

    def names_of(self, entity: str) -> list[str]:
        return [name for name, e in self._names.items() if e == entity]


def _harvest(text: str) -> Iterable[tuple[str, str]]:
    """(long form, acronym) pairs a text defines: "全称（ABC）", "Full Name (ABC)"."""
    for m in _ZH_LONG.finditer(text):
        long = _LEAD.sub("", m.group("long")[-_LONGEST_HAN:])
        if sum(c.isupper() for c in m.group("abbr")) >= 2 and len(long) >= 2:
            yield long, m.group("abbr")
    for m in _EN_LONG.finditer(text):
        long = m.group("long").strip()
        if sum(c.isupper() for c in m.group("abbr")) >= 2 and " " in long:
            yield re.sub(r"^(?:The|the)\s+", "", long), m.group("abbr")


def _link(names: dict[str, str], long: str, abbr: str) -> None:
    """Make a long form and its acronym one entity (registry entries win). A pair neither
    of whose names is known is kept only when the long form reads as an organisation."""
    suffixes = [long[i:] for i in range(len(long) - 1)] if _HAN.search(long) else [long]
    known_long = next((s for s in suffixes if s in names), None)
    entity = names[known_long] if known_long else names.get(abbr)
    if entity is None:
        if not _ORG_WORD.search(long):
            return
        entity = f"abbr:{abbr}"
    names.setdefault(known_long or long, entity)
    names.setdefault(abbr, entity)
