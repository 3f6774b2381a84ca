"""Written titles, self-contained sentences and English-only stories stated in Chinese,
for the extractive writer. Rules:

- **Titles** are at most ``limit`` characters as typeset (``title_chars``, default 30;
  the blanks typography puts beside Latin letters and digits count). A cleaned
  headline that fits is kept; a longer one is cut at the last clause boundary (，：！？
  ；、 or a blank) that fits, else at the last word boundary (jieba) that fits — never
  inside a figure. A section pairing two stories is titled "A；B" when that fits, else
  by a short common theme: the organisation both titles name ("ITIF：<topic>两则动态"),
  else "<topic>：两则动态".
- **Self-contained** sentences open with no connective, pronoun or hearsay opener
  ("但", "该", "其", "据介绍", "全市" …) and name an organisation (alias table), a place
  or a person (jieba nr/ns/nt/nz) or a Latin name in their first clause; their
  quotation marks are balanced.
- **Quotations** opening a sentence whose speaker follows ("“…。”徐直军表示。") are
  turned round for the abstract: "徐直军表示：“…。”" (the same words).
- **Hearsay openers** ("据介绍，", "据了解，", "据悉，", "记者获悉，", "记者在现场看到，")
  are cut from the start of a sentence: the paragraph's own attribution says who
  reported it.
- **English-only stories** are stated in Chinese from what can be stated exactly: the
  organisations by their Chinese names (the registry's alias table), the headline's
  figures in Chinese form with their units, and the date; the English headline is
  printed only in the reference list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache

from dongtai.models import Item
from dongtai.text.figures import extract_figures, to_chinese
from dongtai.text.matching import Matcher
from dongtai.text.typography import polish

OPENER = re.compile(
    r"^(但|而|并|且|又|该|其|他|她|它|这|此|那|上述|对此|同时|此外|另外|因此|所以|然而|"
    r"全市|全省|全县|全区|全镇|本市|本报|记者|"
    r"It |This |They |The company )"
)
HEARSAY = re.compile(
    r"^(据(介绍|了解|悉|称|报道)|另据[^，,]{0,16}"
    r"|记者(在|从)?(现场|采访中)?(看到|了解到|获悉|注意到|发现))[，,：:]\s*"
)
BOUNDARY = "，：！？；、 ,:!?;"
_TRIM = " ，：；、"
QUOTES = (("“", "”"), ("「", "」"), ("《", "》"), ("（", "）"), ("(", ")"))


QUOTE_THEN_SPEAKER = re.compile(
    r"^“([^“”]{4,300})”([^“”，。！？；]{2,60}?(表示|称|说|指出|强调|认为|透露|介绍))[。！]?$"
)


def speaker_first(sentence: str) -> str:
    """'“…。”X表示。' → 'X表示：“…。”' (the same words, the speaker named first)."""
    match = QUOTE_THEN_SPEAKER.match(sentence)
    return f"{match.group(2)}：“{match.group(1)}”" if match else sentence


def drop_hearsay(sentence: str) -> str:
    return HEARSAY.sub("", sentence, count=1)


def balanced(sentence: str) -> bool:
    return all(sentence.count(a) == sentence.count(b) for a, b in QUOTES)


def self_contained(sentence: str, names: Matcher) -> bool:
    """Whether a sentence names its subject and opens without a dangling opener."""
    import jieba.posseg

    if OPENER.match(sentence) or sentence.startswith(("“", "「")) or not balanced(sentence):
        return False
    head = re.split(r"[，,：:]", sentence, maxsplit=1)[0]
    if names.find(head) or re.search(r"[A-Z][A-Za-z]+", head):
        return True
    return any(flag in ("nr", "ns", "nt", "nz") for _, flag in jieba.posseg.cut(head))


def width(text: str) -> int:
    """Characters as the reader sees them: after typography spaces Latin and digits."""
    return len(polish(text))


def shorten(title: str, limit: int) -> str:
    """The title cut to ``limit`` characters (as typeset) at a clause or word boundary,
    never between a number and its unit ("654 亿美元" stays whole or goes)."""
    title = title.strip(" ，。；")
    if width(title) <= limit:
        return title
    cuts = [
        i
        for i, ch in enumerate(title)
        if ch in BOUNDARY
        and i >= limit // 3
        and width(title[:i].strip(_TRIM)) <= limit
        and not _splits_figure(title, i)
    ]
    if cuts:
        return title[: max(cuts)].strip(_TRIM)
    import jieba

    out = ""
    for word in jieba.cut(title):
        if width((out + word).strip(_TRIM)) > limit:
            break
        out += word
    if _splits_figure(title, len(out)):
        out = _TRAILING_NUMBER.sub("", out.rstrip())
    return out.strip(_TRIM) or title[:limit]


_TRAILING_NUMBER = re.compile(r"[0-9][0-9.,]*$")


def _splits_figure(title: str, cut: int) -> bool:
    """Whether cutting ``title`` at ``cut`` leaves a number without the unit after it."""
    before, after = title[:cut].rstrip(), title[cut:].lstrip()
    return bool(before) and before[-1].isdigit() and bool(after) and after[0] not in BOUNDARY


def pair_title(
    first: str, second: str, topic_zh: str, limit: int, names: Mapping[str, str] | None = None
) -> str:
    """ "A；B" when it fits; else the organisation both titles name (as the first title
    writes it), "<organisation>：<topic>两则动态"; else "<topic>：两则动态"."""
    joined = f"{first}；{second}"
    if width(joined) <= limit:
        return joined
    subject = _shared_subject(first, second, names or {})
    if subject and width(themed := f"{subject}：{topic_zh}两则动态") <= limit:
        return themed
    return shorten(f"{topic_zh}：两则动态", limit)


def _shared_subject(first: str, second: str, names: Mapping[str, str]) -> str:
    """The name, as ``first`` writes it, of the first organisation both titles name."""
    if not names:
        return ""
    matcher = _matcher(tuple(names.items()))
    in_second = matcher.find(second)
    for org, start, end in sorted(matcher.spans(first), key=lambda span: span[1]):
        if org in in_second:
            return first[start:end]
    return ""


@cache
def _chinese_names(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Organisation id → its first Chinese name in the alias table."""
    found: dict[str, str] = {}
    for name, org in pairs:
        if org not in found and re.search(r"[\u4e00-\u9fff]", name):
            found[org] = name
    return found


def organisations_zh(text: str, names: Mapping[str, str], skip: Sequence[str] = ()) -> list[str]:
    """The organisations a text names, by their Chinese names (first mention first)."""
    chinese = _chinese_names(tuple(names.items()))
    matcher = _matcher(tuple(names.items()))
    seen: dict[str, None] = {}
    for org, _, _ in sorted(matcher.spans(text), key=lambda span: span[1]):
        if org not in skip and org in chinese:
            seen.setdefault(chinese[org], None)
    return list(seen)


@cache
def _matcher(pairs: tuple[tuple[str, str], ...]) -> Matcher:
    return Matcher(dict(pairs))


def figures_zh(text: str, most: int = 3) -> list[str]:
    """Figures with a unit (%, amounts, counts with a measure word), in Chinese form."""
    found: list[str] = []
    for figure in extract_figures(text):
        if not figure.unit or figure.kind == "year":
            continue
        chinese = to_chinese(figure)
        if chinese not in found:
            found.append(chinese)
    return found[:most]


def english_statement(
    lead: Item, outlet_zh: str, names: Mapping[str, str], topic_zh: str, limit: int
) -> tuple[str, str, str]:
    """(title, body sentence, abstract sentence) of an English-only story, in Chinese."""
    text = f"{lead.title}\n{lead.text[:600]}"
    orgs = organisations_zh(text, names, skip=(lead.source,))[:3]
    figures = figures_zh(lead.title) or figures_zh(lead.text[:600], most=2)
    subject = "、".join(orgs) if orgs else outlet_zh
    facts = f"，报道提及的数字有 {'、'.join(figures)}" if figures else ""
    body = f"这是一则英文报道，涉及{subject}的{topic_zh}动态{facts}；英文原题见参考文献。"
    abstract = f"{subject}：{outlet_zh}发布{topic_zh}相关英文报道{facts}。"
    title = shorten(f"{subject}：{topic_zh}动态" + (f" {figures[0]}" if figures else ""), limit)
    return title, body, abstract
