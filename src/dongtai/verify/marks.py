"""Marks: where the verified claims stand in a text, for renderers to show their evidence.

Pure functions. :func:`segments` cuts one text of the briefing (named by its JSON pointer,
as the claims of :class:`~dongtai.models.Verification` name it) into plain runs and claim
runs, each claim run with a note saying what supports it or why nothing does:

* only figure, date, organisation, person and quote claims are marked (citations and
  references have no span);
* claims that overlap an earlier-starting (or, at the same start, longer) mark are not
  marked again, so runs never nest;
* a claim whose span does not match the text (an edited text) is left unmarked.
"""

from __future__ import annotations

from dataclasses import dataclass

from dongtai.models import Claim, Verification

__all__ = ["Segment", "note", "segments"]

MARKED = ("figure", "date", "organisation", "person", "quote")
_FIELD = {"title": "标题", "summary": "摘要", "text": "正文"}


@dataclass(frozen=True)
class Segment:
    """A run of text; ``claim`` is set when the run is a claim."""

    text: str
    claim: Claim | None = None


def note(claim: Claim) -> str:
    """One line for a reader: the evidence of a supported claim, or why it failed."""
    if not claim.supported:
        return f"未找到依据：{claim.reason}"
    if claim.evidence_field == "outlet":
        return f"依据 [{claim.evidence_ref}]：该条目即由此来源发布"
    if claim.evidence_field == "published":
        return f"依据 [{claim.evidence_ref}]：该条目发布于 {claim.evidence}"
    where = _FIELD.get(claim.evidence_field, claim.evidence_field)
    said = claim.evidence_sentence or claim.evidence
    return f"依据 [{claim.evidence_ref}]（{where}）：{said}"


def segments(text: str, pointer: str, verification: Verification) -> list[Segment]:
    """``text`` cut into plain runs and claim runs (rules: module docstring)."""
    claims = [
        c
        for c in verification.claims
        if c.pointer == pointer and c.kind in MARKED and text[c.start : c.end] == c.text
    ]
    claims.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Segment] = []
    at = 0
    for claim in claims:
        if claim.start < at or claim.end <= claim.start:
            continue
        if claim.start > at:
            out.append(Segment(text[at : claim.start]))
        out.append(Segment(claim.text, claim))
        at = claim.end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out
