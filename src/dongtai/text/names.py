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

Roles (:func:`roles`): a title binds a person to an organisation
  * Chinese: an organisation mention, at most 10 characters of the same clause with no
    other organisation ("党组成员、"), a title (部长 副部长 司长 局长 主任 董事长 总经理
    总裁 首席执行官 首席科学家 创始人 院长 校长 理事长 秘书长 主席 行长 发言人 CEO CTO …,
    titles may be chained with 、和兼及), then the person: 2-3 Han characters (the third is
    dropped when it starts a verb or particle: "尚冰表示" → 尚冰) or a capitalised Latin name;
    "工信部副部长尚冰" binds 尚冰 to 工信部;
  * an organisation the lexicon does not know counts when its Han run ends with an
    organisation word (公司 集团 银行 大学 研究院 委员会 协会 部 局 院 中心 医院 …) right
    before the title ("中国电信集团董事长柯瑞文"): its entity is "org:" and the run, and
    two such runs are one organisation when one ends the other (:func:`same_org`);
  * English: "ORG('s) TITLE Name" ("Nvidia chief executive Jensen Huang") and the
    appositive "Name, (the) TITLE of/at ORG" ("Jensen Huang, chief executive of Nvidia");
  * a person is the same when one name starts with the other (at least two characters,
    "尚冰" and "尚冰在").

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

__all__ = ["Lexicon", "Mention", "Role", "roles", "same_org", "same_person"]

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


@dataclass(frozen=True)
class Role:
    """A person bound to an organisation by a title, and the span of the whole phrase."""

    entity: str
    org: str
    title: str
    person: str
    start: int
    end: int


_T_ZH = (
    "副部长|部长|副司长|司长|副局长|局长|副主任|主任|副董事长|董事长|副总经理|总经理|副总裁|"
    "总裁|首席执行官|首席科学家|首席技术官|首席财务官|首席运营官|首席经济学家|联合创始人|创始人|"
    "副院长|院长|副校长|校长|副省长|副市长|副理事长|理事长|秘书长|总工程师|党组书记|党委书记|副主席|主席|"
    "副行长|行长|署长|厅长|省长|市长|总监|发言人|CEO|CTO|CFO|COO"
)
_T_EN = (
    r"(?i:chief executive(?: officer)?|chief (?:scientist|technology officer|financial officer"
    r"|operating officer|economist)|co-?founder|founder|chair(?:man|woman)?|president"
    r"|minister|secretary|director|head|spokes(?:person|man|woman))|CEO|CTO|CFO|COO"
)
_EN_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_AFTER_ORG = re.compile(
    rf"(?P<gap>[^，。；：！？,;:!?“”\"（）()\n]{{0,10}}?)\s*(?P<title>(?:{_T_ZH})"
    rf"(?:\s*[、和兼及]\s*(?:{_T_ZH}))*)\s*(?P<name>[\u4e00-\u9fff]{{2,3}}|{_EN_NAME})"
    rf"|(?:['’]s)?\s+(?P<etitle>{_T_EN})\s+(?P<ename>{_EN_NAME})"
)
_APPOSITIVE = re.compile(
    rf"(?P<name>{_EN_NAME}),\s+(?:the\s+)?(?:{_T_EN})(?:\s+(?:of|at)(?:\s+the)?)?\s+$"
)
_TRAIL = re.compile(r"\s+(?:of|at)(?:\s+the)?$|^the\s+")
_NOT_NAME = re.compile(
    r"^(?:表示|指出|介绍|认为|强调|透露|会见|出席|一行|主持|致辞|等人|称|说|在|对|为)"
)
_NAME_END = set(
    "表指称说在对为等和与及也还就将已是的今昨近日会出主率一认强透介提接带同向到从把被参所"
)


def _person(name: str) -> str:
    if len(name) == 3 and _HAN.match(name) and name[2] in _NAME_END:
        return name[:2]
    return name


_ORG_END = (
    "公司|集团|银行|大学|学院|研究院|研究所|委员会|协会|学会|基金会|联盟|医院|政府|中心|"
    "部|局|厅|署|院"
)
_UNLISTED = re.compile(
    rf"[\u4e00-\u9fff]{{1,14}}?(?:{_ORG_END})(?=[^，。；：！？,;:!?\s“”]{{0,6}}?(?:{_T_ZH}))"
)


def _unlisted(text: str, mentions: list[Mention]) -> list[Mention]:
    """Organisations the lexicon does not know, named right before a title."""
    out = []
    for m in _UNLISTED.finditer(text):
        lead = _LEAD.match(m.group())
        start = m.start() + (lead.end() if lead else 0)
        if m.end() - start < 3 or any(x.start < m.end() and m.start() < x.end for x in mentions):
            continue
        out.append(Mention(f"org:{text[start : m.end()]}", text[start : m.end()], start, m.end()))
    return out


def same_org(a: str, b: str) -> bool:
    """True if two entities are one organisation (equal, or two unlisted names one of
    which ends the other: "org:中国电信集团" and "org:电信集团")."""
    if a == b:
        return True
    if not (a.startswith("org:") and b.startswith("org:")):
        return False
    short, long = sorted((a[4:], b[4:]), key=len)
    return len(short) >= 3 and long.endswith(short)


def roles(text: str, mentions: list[Mention]) -> list[Role]:
    """Every person a title binds to an organisation in ``text`` (module docstring)."""
    out = []
    mentions = sorted([*mentions, *_unlisted(text, mentions)], key=lambda m: m.start)
    starts = [m.start for m in mentions]
    for m in mentions:
        if m.entity.startswith("person:"):
            continue
        after = _AFTER_ORG.match(text, m.end)
        if after is not None:
            gap_end = after.end("gap") if after.group("title") else m.end
            if any(m.end <= s < gap_end for s in starts):
                continue
            raw = after.group("name") or after.group("ename")
            if raw is None or _NOT_NAME.match(raw):
                continue
            name = _person(raw)
            title = after.group("title") or after.group("etitle")
            start = after.start("name") if after.group("name") else after.start("ename")
            out.append(Role(m.entity, m.name, title, name, m.start, start + len(name)))
        before = _APPOSITIVE.search(text, max(0, m.start - 80), m.start)
        if before is not None:
            title = _TRAIL.sub("", text[before.end("name") : m.start].strip(", "))
            name = before.group("name")
            out.append(Role(m.entity, m.name, title, name, before.start(), m.end))
    return out


def same_person(a: str, b: str) -> bool:
    """True if two names as written denote one person (one starts with the other)."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 2 and long.startswith(short)
