"""Verify: every figure in the briefing is supported by an item it cites.

Rules (first version; figures only):
- a figure in a paragraph must be stated, after normalisation ("1.2 million" =
  "120 万", "$1 trillion" = "1 万亿美元", qualifiers respected), in the title, summary
  or text of an item that the *same paragraph* cites;
- a figure in a section or subsection title must be stated by an item cited somewhere
  in that section;
- a figure in the abstract must be stated by an item cited anywhere in the briefing;
- what is exempt from checking (years, dates, model names, section numbers, …) is
  decided by :func:`dongtai.figures.extract_figures`.

The result lists every unsupported claim with where it stands, so an editor (or a
writer repairing its text) knows exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dongtai.figures import extract_figures, find_support
from dongtai.models import Claim, Item, Reference, Section, Verification


def item_text(item: Item) -> str:
    return f"{item.title}\n{item.summary}\n{item.text}"


def check_text(text: str, where: str, evidence: Sequence[Item]) -> list[Claim]:
    """One claim per figure of ``text``, supported or not."""
    claims = []
    for figure in extract_figures(text):
        support = next(
            (
                (item, found)
                for item in evidence
                if (found := find_support(figure, item_text(item)))
            ),
            None,
        )
        if support is None:
            claims.append(Claim(text=figure.text, where=where, supported=False))
        else:
            item, found = support
            claims.append(
                Claim(
                    text=figure.text,
                    where=where,
                    supported=True,
                    evidence_url=item.url,
                    evidence=found.text,
                )
            )
    return claims


def verify(
    abstract: str,
    sections: Sequence[Section],
    references: Sequence[Reference],
    items: Mapping[str, Item],
) -> Verification:
    """Check abstract, titles and paragraphs against the items they cite."""
    by_number = {ref.n: items[ref.url] for ref in references if ref.url in items}

    def cited(numbers: Iterable[int]) -> list[Item]:
        return [by_number[n] for n in dict.fromkeys(numbers) if n in by_number]

    claims = check_text(abstract, "摘要", cited(by_number))
    for section in sections:
        section_refs = [n for sub in section.subsections for p in sub.paragraphs for n in p.refs]
        claims += check_text(section.title, f"{section.number} 标题", cited(section_refs))
        for sub in section.subsections:
            sub_refs = [n for p in sub.paragraphs for n in p.refs]
            claims += check_text(sub.title, f"{sub.number} 标题", cited(sub_refs or section_refs))
            for k, paragraph in enumerate(sub.paragraphs, start=1):
                where = f"{sub.number} 第 {k} 段"
                claims += check_text(paragraph.text, where, cited(paragraph.refs))
    unsupported = tuple(c for c in claims if not c.supported)
    return Verification(passed=not unsupported, checked=len(claims), unsupported=unsupported)
