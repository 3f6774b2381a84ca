"""The verification gate applied to one story's texts before they enter the issue.

A writer that does not trust its texts (the ``llm`` writer) checks each one with
:func:`dongtai.verify.gate.check`, the very gate the pipeline applies to the whole issue, in
the smallest briefing that holds it. The story's items are references 1…n (the numbers
the model saw), and
  * a paragraph is the one paragraph of a one-section briefing, citing what it cites;
  * a title is that section's subsection title, over a paragraph citing the given numbers
    (a section title: all of the story's items);
  * an abstract sentence is the abstract of a briefing whose one section cites every item.
Texts are polished (Chinese typography) first, as assembling the issue will polish them.
Beyond its claims, a text must be Chinese: at least half of its letters Han characters.

Each failure is one line ("“35%”（figure）：no cited item states this figure (closest:
“25%” in [2])"), for the regeneration request and the issue's fallback record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dongtai.models import Claim, Paragraph, Reference, Section, Story, Subsection
from dongtai.text.typography import polish
from dongtai.verify.gate import Index, check
from dongtai.writers import WriteContext

__all__ = ["StoryGate", "chinese_share"]

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
MIN_CHINESE = 0.5
_PLACEHOLDER = "正文"
_PARAGRAPH = "/sections/0/subsections/0/paragraphs/0/text"
_TITLE = "/sections/0/subsections/0/title"


def chinese_share(text: str) -> float:
    """Han characters among the letters of ``text`` (1.0 when it has no letter)."""
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    return 1.0 if han + latin == 0 else han / (han + latin)


class StoryGate:
    """Checks texts about one story against its items (rules in the module docstring)."""

    def __init__(self, story: Story, context: WriteContext) -> None:
        self.items = story.items
        self.numbers = tuple(range(1, len(story.items) + 1))
        self.references = tuple(
            Reference(
                n=n,
                source=context.source(item.source).reference_name(),
                date=context.local_date(item.published),
                title=item.title,
                url=item.url,
            )
            for n, item in zip(self.numbers, story.items, strict=True)
        )
        self.index = Index.build(
            self.references,
            {item.url: item for item in story.items},
            context.names,
            context.sources.values(),
            context.tz,
        )
        self.year = context.issue_date.year

    def paragraph(self, text: str, numbers: Sequence[int]) -> list[str]:
        """Failures of a paragraph citing ``numbers``."""
        body = _section("", text, numbers)
        return self._failures(text, "", body, _PARAGRAPH)

    def title(self, text: str, numbers: Sequence[int] | None = None) -> list[str]:
        """Failures of a title over paragraphs citing ``numbers`` (default: all)."""
        body = _section(text, _PLACEHOLDER, numbers or self.numbers)
        return self._failures(text, "", body, _TITLE)

    def abstract(self, text: str) -> list[str]:
        """Failures of an abstract sentence about this story."""
        body = _section("", _PLACEHOLDER, self.numbers)
        return self._failures(text, text, body, "/abstract")

    def _failures(self, text: str, abstract: str, section: Section, pointer: str) -> list[str]:
        verification = check(polish(abstract), [section], self.references, self.index, self.year)
        found = [_line(c) for c in verification.unsupported if c.pointer == pointer]
        if chinese_share(text) < MIN_CHINESE:
            found.append("全文须用中文写作（the text is not in Chinese）")
        return found


def _section(title: str, text: str, numbers: Sequence[int]) -> Section:
    paragraph = Paragraph(text=polish(text), refs=tuple(numbers))
    subsection = Subsection(
        number="1.1", title=polish(title) or _PLACEHOLDER, paragraphs=(paragraph,)
    )
    return Section(number="1", title=_PLACEHOLDER, topic="", subsections=(subsection,))


def _line(claim: Claim) -> str:
    where = f"；所在句：{claim.sentence}" if claim.sentence else ""
    return f"“{claim.text}”（{claim.kind}）：{claim.reason}{where}"
