"""A third-party-style writer used by the tests: the extractive text with one figure
changed, as an unreliable writer would produce it."""

from __future__ import annotations

from collections.abc import Sequence

from dongtai.config import Settings
from dongtai.models import Draft, DraftParagraph, SectionPlan
from dongtai.writers import WriteContext
from dongtai.writers.extractive import ExtractiveWriter


class TamperingWriter:
    name = "tampering"

    @classmethod
    def from_settings(cls, settings: Settings) -> TamperingWriter:
        return cls()

    def write(self, plans: Sequence[SectionPlan], context: WriteContext) -> Draft:
        draft = ExtractiveWriter().write(plans, context)
        first = draft.sections[0]
        sub = first.subsections[0]
        paragraph = sub.paragraphs[0]
        changed = DraftParagraph(
            text=paragraph.text + "相关投资达 777 亿元。", cites=paragraph.cites
        )
        sub = sub.model_copy(update={"paragraphs": (changed, *sub.paragraphs[1:])})
        first = first.model_copy(update={"subsections": (sub, *first.subsections[1:])})
        return draft.model_copy(update={"sections": (first, *draft.sections[1:])})
