"""Superlatives, records, firsts and rankings: claims a cited item must state.

Pure functions, no I/O. :func:`find` reads the superlatives of a text, Chinese or English,
each normalised to a *concept*; :func:`superlative_claims` checks each against the items a
text cites and returns one :class:`~dongtai.models.Claim` (kind ``superlative``) apiece.

Concepts (one table, both languages)
  * ``first``: 首次 首个 首款 首家 首台 首座 首条 首批 首颗 首架 首艘 首例 首创 首发 首度
    首届 第一次 第一个 率先; first (not "first quarter/half"), first-ever, inaugural, debut;
  * ``record``: 世界纪录 新纪录 创纪录 纪录 (not 纪录片) 历史新高 创新高 新高 (not 新高度/地);
    record (not "track record", "on record"), all-time high;
  * ``lead`` (first place): 领先 领跑 领军 居首 首位 榜首 龙头 头号 第一大 排名/位居/位列/名列
    第一 全球/世界/全国第一 第一名; leading, leader, top, No. 1, number one, ranked first;
  * ``rank:N`` (N ≥ 2): 第二大, 排名第三, 位居第二, 全球第二…; second-largest, ranked third;
  * ``最X`` (the measurable superlatives): 最大 最高 最快 最强 最低 最小 最多 最少 最先进 最早 最长
    最佳 (最为X too); largest/biggest, highest, fastest, strongest/most powerful, lowest,
    smallest, most advanced, earliest, longest, best. Not claims: 最高/最低/最多/最少/最大
    before a figure ("最高 100 亿", a bound the figure check reads), 最大化/最小化, 最大程度,
    最高人民法院, and evaluative words (最重要, 最关键, 最新, 最终…).
A concept is also supported by its near equivalents: ``lead`` by 最大 (and back), ``最高``
by ``record`` (and back).

Support: a superlative is supported when a cited item has a sentence stating an accepted
concept *about the same subject*: that sentence and the text's sentence share an
organisation (any alias, any language: the lexicon), a Latin or numeric token (a model
name, "256"), or two Chinese character bigrams outside the superlative itself and the
scope words (全球, 世界, 国内, 行业…). A sentence with no subject of its own ("此举创下世界
纪录") takes the subject of the sentence before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from dongtai.models import Claim, Item
from dongtai.text.names import Lexicon

__all__ = ["Superlative", "find", "same_subject", "superlative_claims"]

_NUM = r"(?:[二三四五六七八九十]|\d{1,2})"
_EN_NUM = r"(?:second|third|fourth|fifth|2nd|3rd|4th|5th)"
_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "first",
        r"首次|首个|首款|首家|首台|首座|首条|首批|首颗|首架|首艘|首例|首创|首发|首度|首届|"
        r"第一次|第一个|第一款|第一家|率先|(?i:\bfirst[- ]ever\b|\binaugural\b|\bdebut(?:s|ed)?\b|"
        r"\bfirst\b(?![- ](?:quarter|half|day|week|month|phase|round|batch|time frame)\b))",
    ),
    (
        "record",
        r"世界纪录|新纪录|创纪录|纪录(?!片)|历史新高|创新高|新高(?![度地考端潮])|"
        r"(?i:(?<!track )(?<!on )\brecords?\b(?![- ]label)|\ball[- ]time highs?\b)",
    ),
    (
        "lead",
        r"(?:排名|位居|位列|名列|居)(?:全球|世界|全国|国内|行业)?第一|(?:全球|世界|全国)第一|"
        r"第一大|第一名|领先|领跑|领军|居首|首位|榜首|龙头|头号|"
        r"(?i:\bleading\b|\bleaders?\b|\bleads\b|\btop(?:s|ped)?\b|\bNo\.\s?1\b|\bnumber one\b|"
        r"\branked first\b)",
    ),
    (
        "rank",
        rf"第(?P<n1>{_NUM})大|(?:排名|位居|位列|名列)(?:全球|世界|全国|国内|行业)?第(?P<n2>{_NUM})|"
        rf"(?:全球|世界|全国)第(?P<n3>{_NUM})(?![季批代届次期轮阶梯号])|"
        rf"(?i:\b(?P<n4>{_EN_NUM})[- ](?:largest|biggest)\b|\branked (?P<n5>{_EN_NUM})\b)",
    ),
    (
        "most",
        r"最为?(?P<zh>先进|大|高|快|强|低|小|多|少|早|长|佳|优)"
        r"(?![化\d]|程度|限度|人民|法院|检察)(?!\s*(?:[\d约近超逾达可为是]|[一二三四五六七八九十百千万]))|"
        r"(?i:\b(?P<en>largest|biggest|highest|fastest|strongest|most powerful|lowest|smallest|"
        r"most advanced|earliest|longest|best)\b)",
    ),
)
_PATTERN = re.compile("|".join(f"(?P<{name}>{body})" for name, body in _PATTERNS))
_ZH_MOST = {"优": "佳"}
_EN_MOST = {
    "largest": "大",
    "biggest": "大",
    "highest": "高",
    "fastest": "快",
    "strongest": "强",
    "most powerful": "强",
    "lowest": "低",
    "smallest": "小",
    "most advanced": "先进",
    "earliest": "早",
    "longest": "长",
    "best": "佳",
}
_ZH_DIGITS = {"二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_RANK = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}
_EQUIVALENT = {"lead": {"最大"}, "最大": {"lead"}, "最高": {"record"}, "record": {"最高"}}
_EN_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
_HAN = re.compile(r"[\u3400-\u9fff]")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9\-]+|\d+(?:\.\d+)?")
_SCOPE = frozenset(
    [
        "全球",
        "世界",
        "国内",
        "全国",
        "中国",
        "行业",
        "历史",
        "目前",
        "此举",
        "这一",
        "一个",
        "其中",
        "同时",
        "已经",
        "成为",
        "之一",
        "实现",
        "创下",
        "规模",
        "我国",
        "国际",
        "业内",
        "领域",
        "市场",
        "方面",
        "以来",
        "当前",
        "进一",
        "一步",
        "系国",
        "为全",
        "为国",
    ]
)
_EN_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "its",
        "was",
        "were",
        "has",
        "have",
        "are",
        "into",
        "than",
        "over",
        "world",
        "global",
        "first",
        "record",
        "largest",
        "leading",
        "top",
        "most",
        "best",
        "new",
        "also",
        "said",
        "says",
        "will",
        "would",
    ]
)
MIN_SHARED = 2
REASON = "no cited item states this superlative, record, first or ranking about the same subject"


@dataclass(frozen=True)
class Superlative:
    """A superlative as written, its concept, its span and its sentence's span."""

    text: str
    concept: str
    start: int
    end: int
    sentence: tuple[int, int]


def _concept(m: re.Match[str]) -> str:
    if m.group("most"):
        zh, en = m.group("zh"), m.group("en")
        word = _ZH_MOST.get(zh, zh) if zh else _EN_MOST[en.lower()]
        return f"最{word}"
    if m.group("rank"):
        n = next(m.group(g) for g in ("n1", "n2", "n3", "n4", "n5") if m.group(g))
        rank = _EN_RANK.get(n.lower()) or _ZH_DIGITS.get(n) or int(n)
        return f"rank:{rank}"
    return next(name for name, _ in _PATTERNS if m.group(name))


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text (Chinese marks, and ". " before a capital in English)."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"[^。！？!?\n]+[。！？!?]*[”」』]?", text):
        start = m.start()
        for cut in _EN_SENTENCE.finditer(m.group()):
            spans.append((start, m.start() + cut.start()))
            start = m.start() + cut.end()
        spans.append((start, m.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def find(text: str) -> list[Superlative]:
    """Every superlative, record, first and ranking in ``text`` (module table)."""
    spans = sentences(text)
    found = []
    for m in _PATTERN.finditer(text):
        sentence = next(((a, b) for a, b in spans if a <= m.start() < b), (0, len(text)))
        found.append(Superlative(m.group(), _concept(m), m.start(), m.end(), sentence))
    return found


@dataclass(frozen=True)
class _Subject:
    entities: frozenset[str]
    tokens: frozenset[str]
    grams: frozenset[str]

    def empty(self) -> bool:
        """Too little to name a subject ("此举创下…": one bigram)."""
        return not (self.entities or self.tokens) and len(self.grams) < MIN_SHARED


def _subject(text: str, lexicon: Lexicon, masked: Iterable[tuple[int, int]]) -> _Subject:
    """What a sentence is about: organisations, Latin/number tokens, Han bigrams (the
    superlatives' own spans and the scope words left out)."""
    chars = list(text)
    for a, b in masked:
        chars[a:b] = [" "] * (b - a)
    plain = "".join(chars)
    entities = frozenset(m.entity for m in lexicon.mentions(plain))
    tokens = frozenset(
        t.lower() for t in _TOKEN.findall(plain) if t.lower() not in _EN_STOP and len(t) >= 2
    )
    grams = frozenset(
        plain[i : i + 2]
        for i in range(len(plain) - 1)
        if _HAN.match(plain[i]) and _HAN.match(plain[i + 1]) and plain[i : i + 2] not in _SCOPE
    )
    return _Subject(entities, tokens, grams)


def same_subject(a: _Subject, b: _Subject) -> bool:
    """Do two sentences speak of the same subject (module rules)?"""
    return bool(a.entities & b.entities or a.tokens & b.tokens) or len(a.grams & b.grams) >= (
        MIN_SHARED
    )


@dataclass(frozen=True)
class _Stated:
    ref: int
    field: str
    sentence: str
    concept: str
    subject: _Subject
    span: tuple[int, int]
    surface: str


@lru_cache(maxsize=8192)
def _stated_in(body: str, lexicon: Lexicon) -> tuple[tuple[str, _Subject, Superlative], ...]:
    """The superlatives an item field states, each with its sentence and that sentence's
    subject (cached: the same items are read for every text of an issue)."""
    by_sentence: dict[tuple[int, int], list[Superlative]] = {}
    for s in find(body):
        by_sentence.setdefault(s.sentence, []).append(s)
    out = []
    for (a, b), group in by_sentence.items():
        subject = _subject(body[a:b], lexicon, [(s.start - a, s.end - a) for s in group])
        out += [(body[a:b], subject, s) for s in group]
    return tuple(out)


def _statements(evidence: Mapping[int, Item], lexicon: Lexicon) -> list[_Stated]:
    return [
        _Stated(n, field, sentence, s.concept, subject, (s.start, s.end), s.text)
        for n, item in evidence.items()
        for field in ("title", "summary", "text")
        for sentence, subject, s in _stated_in(getattr(item, field) or "", lexicon)
    ]


def superlative_claims(
    text: str,
    where: str,
    pointer: str,
    refs: Sequence[int],
    evidence: Mapping[int, Item],
    lexicon: Lexicon,
) -> list[Claim]:
    """One claim per superlative of ``text``, supported by an item of ``refs`` (module
    rules; ``evidence`` maps reference numbers to items)."""
    found = find(text)
    if not found:
        return []
    cited = {n: evidence[n] for n in refs if n in evidence}
    stated = _statements(cited, lexicon)
    spans = sentences(text)
    claims = []
    for sup in found:
        subject = _own_subject(text, sup, found, spans, lexicon)
        accepted = {sup.concept, *_EQUIVALENT.get(sup.concept, ())}
        backing = [
            s
            for s in stated
            if s.concept in accepted and (subject.empty() or same_subject(subject, s.subject))
        ]
        claims.append(_claim(text, where, pointer, sup, backing, cited))
    return claims


def _own_subject(
    text: str,
    sup: Superlative,
    found: list[Superlative],
    spans: list[tuple[int, int]],
    lexicon: Lexicon,
) -> _Subject:
    """The subject of the superlative's sentence, else of the sentence before it."""
    a, b = sup.sentence
    marks = [(s.start - a, s.end - a) for s in found if s.sentence == sup.sentence]
    subject = _subject(text[a:b], lexicon, marks)
    before = [span for span in spans if span[1] <= a]
    if subject.empty() and before:
        pa, pb = before[-1]
        inner = [(s.start - pa, s.end - pa) for s in found if s.sentence == (pa, pb)]
        subject = _subject(text[pa:pb], lexicon, inner)
    return subject


def _claim(
    text: str,
    where: str,
    pointer: str,
    sup: Superlative,
    backing: list[_Stated],
    cited: Mapping[int, Item],
) -> Claim:
    claim = Claim(
        text=sup.text,
        where=where,
        supported=bool(backing),
        kind="superlative",
        pointer=pointer,
        start=sup.start,
        end=sup.end,
        sentence=text[sup.sentence[0] : sup.sentence[1]].strip(),
        normalised=sup.concept,
    )
    if not backing:
        return claim.model_copy(update={"reason": REASON})
    first = backing[0]
    return claim.model_copy(
        update={
            "evidence": first.surface,
            "evidence_url": cited[first.ref].url,
            "evidence_ref": first.ref,
            "evidence_field": first.field,
            "evidence_sentence": first.sentence.strip(),
            "evidence_start": first.span[0],
            "evidence_end": first.span[1],
            "support_refs": tuple(dict.fromkeys(s.ref for s in backing)),
        }
    )
