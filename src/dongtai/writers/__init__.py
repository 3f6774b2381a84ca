"""Writers turn planned sections into text; this module holds what they share.

A writer is a class with a ``name``, a ``from_settings(settings)`` classmethod (which
fails there when its settings are incomplete) and ``write(plans, context) -> Draft``,
registered in the entry-point group ``dongtai.writers`` (the built-in ``extractive``
and ``llm`` writers are registered the same way). Writers cite items by URL; :func:`assemble` then
numbers the references in order of first citation (``Source (YYYY-MM-DD): Title``),
applies Chinese typography to every text, and returns the briefing's sections and
references. Every paragraph must cite; every reference is cited by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from dongtai.config import Settings
from dongtai.errors import StageError
from dongtai.models import (
    Draft,
    Item,
    Paragraph,
    Reference,
    Section,
    SectionPlan,
    Source,
    Subsection,
)
from dongtai.text.typography import polish


@dataclass(frozen=True)
class WriteContext:
    """What a writer may know of the issue besides the planned stories: ``names`` is the
    registry's organisation table (for the verification gate), ``title_chars`` the
    longest title the issue prints."""

    issue_date: date
    tz: ZoneInfo
    sources: Mapping[str, Source]
    topic_names: Mapping[str, str]
    names: Mapping[str, str] | None = None
    title_chars: int = 30

    def source(self, source_id: str) -> Source:
        known = self.sources.get(source_id)
        if known is not None:
            return known
        return Source(id=source_id, name_en=source_id, name_zh=source_id, known=False)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


class Writer(Protocol):
    name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Writer: ...

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft: ...


@dataclass(frozen=True)
class Assembled:
    """A draft with numbered references: the briefing's body."""

    abstract: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    cited: dict[int, str]


def assemble(draft: Draft, items: Mapping[str, Item], context: WriteContext) -> Assembled:
    """Number references by first citation and build the briefing's sections."""
    numbers: dict[str, int] = {}
    sections = []
    for s_no, draft_section in enumerate(draft.sections, start=1):
        subsections = []
        for sub_no, draft_sub in enumerate(draft_section.subsections, start=1):
            paragraphs = tuple(
                Paragraph(
                    text=polish(p.text),
                    refs=tuple(numbers.setdefault(url, len(numbers) + 1) for url in p.cites),
                )
                for p in draft_sub.paragraphs
            )
            subsections.append(
                Subsection(
                    number=f"{s_no}.{sub_no}", title=polish(draft_sub.title), paragraphs=paragraphs
                )
            )
        sections.append(
            Section(
                number=str(s_no),
                title=polish(draft_section.title),
                topic=draft_section.topic,
                subsections=tuple(subsections),
            )
        )
    references = tuple(_reference(n, url, items, context) for url, n in numbers.items())
    return Assembled(
        abstract=polish(draft.abstract),
        sections=tuple(sections),
        references=references,
        cited={n: url for url, n in numbers.items()},
    )


def _reference(n: int, url: str, items: Mapping[str, Item], context: WriteContext) -> Reference:
    item = items.get(url)
    if item is None:
        raise StageError(f"the writer cited {url}, which is not an item of this issue")
    return Reference(
        n=n,
        source=context.source(item.source).reference_name(),
        date=context.local_date(item.published),
        title=item.title,
        url=item.url,
    )
