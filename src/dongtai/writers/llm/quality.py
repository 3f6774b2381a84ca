"""What the gate cannot see in a model's text: stock phrases, analysis that repeats the
facts, titles that are no titles. Pure functions; each problem is one line in Chinese
(with an English gloss) for the regeneration request and the issue's fallback record.

Rules
  * stock phrases (:data:`STOCK_PHRASES`, collected from small models' Chinese output and
    the filler of analysts' prose) carry nothing: a sentence holding one is removed from
    a paragraph (:func:`without_stock`); a paragraph that this leaves with fewer than
    :data:`MIN_LEFT` Han characters consisted of stock phrases;
  * an implications paragraph (x.2) whose Han character bigrams are more than
    :data:`REPEAT_SHARE` shared with its facts paragraph (x.1) repeats it; an x.2 title
    more than :data:`REPEAT_SHARE` shared with the x.1 title repeats that;
  * a title: 6 to :data:`MAX_TITLE` characters (blanks aside), no dateline fragment
    ("财联社 5 月 12 日电", "新华社北京 5 月 12 日电", "（记者 …）", "【…】", "Reuters -"),
    no cut word (a trailing "…", a trailing 的/和/与/及/在/将/对/、/：…, a clause ending
    with the start of a known organisation's Chinese name: "美国商务" for 美国商务部),
    brackets and quotation marks closed, no stock phrase.
:func:`reader_faults` applies the same rules to a published issue (tests, benchmarks):
unsupported superlatives, English organisation names with a Chinese form, stock phrases,
titles with a dateline or a cut word, a paragraph repeating an earlier one of its section.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dongtai.models import Briefing
from dongtai.text.chinese_names import ChineseNames

__all__ = [
    "MAX_TITLE",
    "MIN_LEFT",
    "REPEAT_SHARE",
    "STOCK_PHRASES",
    "overlap",
    "paragraph_problems",
    "reader_faults",
    "repeat_problem",
    "stock_in",
    "title_problems",
    "without_stock",
]

STOCK_PHRASES = (
    "产生了深远影响",
    "产生深远影响",
    "深远影响",
    "影响深远",
    "相关产业、政策与竞争格局",
    "相关产业、政策和竞争格局",
    "值得持续关注",
    "值得关注",
    "值得期待",
    "拭目以待",
    "引发广泛关注",
    "引起广泛关注",
    "具有重要意义",
    "具有重大意义",
    "意义重大",
    "具有里程碑意义",
    "注入新动能",
    "注入新活力",
    "注入强劲动力",
    "提供了有力支撑",
    "提供有力支撑",
    "前景广阔",
    "不容小觑",
    "机遇与挑战并存",
    "助力高质量发展",
    "推动行业高质量发展",
    "迈上新台阶",
    "开启新篇章",
    "翻开新篇章",
    "综上所述",
    "总而言之",
    "总的来说",
    "作为全球领先的",
    "作为行业领先的",
)
MIN_LEFT = 30
REPEAT_SHARE = 0.4
MAX_TITLE = 48
MIN_TITLE = 6
_HAN = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*[”」』]?")
_DATELINE = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*日\s*[电讯]|[（(]\s*记者|记者\s*[\u4e00-\u9fff]{2,3}\s*[)）摄报]|"
    r"^【[^】]*】|\b(?:Reuters|Bloomberg|AP|AFP|Xinhua)\s*[-–—]"
)
_DANGLING = tuple("的了和与及或在将对把被从向为、，,：:；;（(—-“《")
_PAIRS = (("“", "”"), ("（", "）"), ("《", "》"), ("(", ")"), ("「", "」"))
_CLAUSE_END = re.compile(r"[，,；;：:。！？!?、]|$")


def _grams(text: str) -> set[str]:
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        if _HAN.match(text[i]) and _HAN.match(text[i + 1])
    }


def overlap(text: str, other: str) -> float:
    """The share of ``text``'s Han character bigrams that ``other`` has too."""
    mine = _grams(text)
    return len(mine & _grams(other)) / len(mine) if mine else 0.0


def stock_in(text: str) -> list[str]:
    """The stock phrases of ``text``."""
    return [p for p in STOCK_PHRASES if p in text]


def without_stock(text: str) -> str:
    """``text`` without its sentences that hold a stock phrase."""
    return "".join(s for s in _SENTENCE.findall(text) if not stock_in(s)).strip()


def paragraph_problems(text: str) -> list[str]:
    """A paragraph that consisted of stock phrases: :func:`without_stock` removed some
    and left fewer than :data:`MIN_LEFT` Han characters."""
    kept = without_stock(text)
    if kept != text.strip() and len(_HAN.findall(kept)) < MIN_LEFT:
        phrases = "、".join(f"“{p}”" for p in stock_in(text))
        return [f"段落只剩套话（{phrases}: stock phrases only, nothing concrete is left）"]
    return []


def repeat_problem(text: str, facts: str, what: str = "段落") -> list[str]:
    """An x.2 text that repeats its x.1."""
    share = overlap(text, facts)
    if share > REPEAT_SHARE:
        return [
            f"{what}与报道要点重复（{share:.0%}: repeats the facts; write what they imply, "
            "not the facts again）"
        ]
    return []


def title_problems(title: str, known: Iterable[str] = ()) -> list[str]:
    """What makes ``title`` no title (module rules); ``known`` are organisation names."""
    problems = []
    size = len("".join(title.split()))
    if not MIN_TITLE <= size <= MAX_TITLE:
        problems.append(f"标题长度不合（{size} 字，应在 {MIN_TITLE} 至 {MAX_TITLE} 字之间）")
    if _DATELINE.search(title):
        problems.append("标题含电头或记者署名（a dateline fragment is no title）")
    cut = _cut_word(title, known)
    if cut:
        problems.append(f"标题有残缺的词（“{cut}”: a cut word）")
    if any(title.count(a) != title.count(b) for a, b in _PAIRS):
        problems.append("标题的引号或括号不成对")
    problems += [f"标题含套话（“{p}”）" for p in stock_in(title)]
    return problems


def _cut_word(title: str, known: Iterable[str]) -> str:
    stripped = title.rstrip()
    if stripped.endswith(("…", "...", "……")):
        return stripped[-6:]
    if stripped.endswith(_DANGLING):
        return stripped[-4:]
    names = [n for n in known if len(n) >= 4 and _HAN.match(n[0])]
    for end in (m.start() for m in _CLAUSE_END.finditer(title)):
        head = title[:end].rstrip()
        for name in names:
            for k in range(len(name) - 1, 2, -1):
                part = name[:k]
                if head.endswith(part) and not head.endswith(name) and part not in known:
                    return part
    return ""


def reader_faults(briefing: Briefing, names: Mapping[str, str]) -> list[str]:
    """What a reader should never see in ``briefing``, one line each (module docstring);
    ``names`` is the registry's organisation table."""
    chinese = ChineseNames(names)
    faults = [
        f"{c.where}: unsupported superlative “{c.text}”"
        for c in briefing.verification.claims
        if c.kind == "superlative" and not c.supported
    ]
    texts = [("摘要", briefing.abstract)]
    for section in briefing.sections:
        texts.append((f"{section.number} 标题", section.title))
        texts += [(f"{sub.number} 标题", sub.title) for sub in section.subsections]
        texts += [(sub.number, p.text) for sub in section.subsections for p in sub.paragraphs]
        faults += _repeats([p.text for sub in section.subsections for p in sub.paragraphs])
    for where, text in texts:
        faults += [
            f"{where}: English name “{e.name}” (write “{e.chinese}”)" for e in chinese.english(text)
        ]
        faults += [f"{where}: stock phrase “{p}”" for p in stock_in(text)]
        if where.endswith("标题"):
            known = chinese.known
            faults += [f"{where}: {p}" for p in title_problems(text, known) if "长度" not in p]
    return faults


def _repeats(paragraphs: list[str]) -> list[str]:
    return [
        f"paragraph repeats an earlier one ({overlap(later, earlier):.0%}): {later[:30]}…"
        for k, later in enumerate(paragraphs)
        for earlier in paragraphs[:k]
        if overlap(later, earlier) > REPEAT_SHARE
    ]
