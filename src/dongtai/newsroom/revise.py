"""Edits of a briefing, as pure functions: new text at a place, a section dropped,
moved, added, paired with another or unpaired. The result is a new
:class:`~dongtai.models.Briefing` whose verification is still the old one: the caller
re-verifies it (the desk always does).

Rules it applies:

* only the abstract, a section title, a subsection title or a paragraph's text can be
  edited, named by the JSON pointer the verification uses
  (``/sections/0/subsections/1/paragraphs/0/text``); text is stripped and may not be
  empty (drop the section instead);
* pairing puts a section's story beside another's: section ``j`` joins section ``i`` at
  ``i``'s place, titled "A；B", with one subsection per former section (its title, all
  its paragraphs); unpairing makes each subsection of a section a section of its own
  (titled by the subsection, its paragraphs under "报道要点"), in place;
* an added section comes last, citing its own references (numbered 1… among
  themselves); a reference the briefing already has keeps its number;
* after any of these, sections are numbered 1…n again (subsections
  ``n.1``…), references are numbered again in order of first citation, references no
  paragraph cites any more are removed and every paragraph's ``refs`` follow.
"""

from __future__ import annotations

import re
from typing import Any

from dongtai.errors import InputError
from dongtai.models import Briefing, Reference, Section, Subsection

__all__ = [
    "EDITABLE",
    "add_section",
    "drop_section",
    "move_section",
    "pair_sections",
    "text_at",
    "unpair_section",
    "with_text",
]
LEAD = "报道要点"

EDITABLE = re.compile(
    r"^/abstract$"
    r"|^/sections/\d+/title$"
    r"|^/sections/\d+/subsections/\d+/title$"
    r"|^/sections/\d+/subsections/\d+/paragraphs/\d+/text$"
)


def _parent(document: dict[str, Any], pointer: str) -> tuple[Any, str]:
    if not EDITABLE.match(pointer):
        raise InputError(f"{pointer!r} is not an editable text of the briefing")
    *path, key = pointer.strip("/").split("/")
    node: Any = document
    try:
        for part in path:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[key]
    except (IndexError, KeyError) as exc:
        raise InputError(f"the briefing has no text at {pointer!r}") from exc
    return node, key


def text_at(briefing: Briefing, pointer: str) -> str:
    """The text at ``pointer``."""
    node, key = _parent(briefing.model_dump(mode="json"), pointer)
    return str(node[key])


def with_text(briefing: Briefing, pointer: str, text: str) -> Briefing:
    """The briefing with ``text`` at ``pointer``."""
    text = text.strip()
    if not text:
        raise InputError("a text cannot be empty: drop the section instead")
    document = briefing.model_dump(mode="json")
    node, key = _parent(document, pointer)
    node[key] = text
    return Briefing.model_validate(document)


def drop_section(briefing: Briefing, index: int) -> Briefing:
    """The briefing without section ``index`` (0-based), renumbered."""
    sections = list(briefing.sections)
    if not 0 <= index < len(sections):
        raise InputError(f"there is no section {index + 1}")
    del sections[index]
    return _renumbered(briefing, sections)


def move_section(briefing: Briefing, index: int, to: int) -> Briefing:
    """The briefing with section ``index`` moved to position ``to`` (0-based), renumbered."""
    sections = list(briefing.sections)
    if not (0 <= index < len(sections) and 0 <= to < len(sections)):
        raise InputError(f"cannot move section {index + 1} to place {to + 1}")
    sections.insert(to, sections.pop(index))
    return _renumbered(briefing, sections)


def pair_sections(briefing: Briefing, index: int, other: int) -> Briefing:
    """Section ``other`` joined to section ``index`` (0-based), renumbered."""
    sections = list(briefing.sections)
    if index == other or not (0 <= index < len(sections) and 0 <= other < len(sections)):
        raise InputError(f"cannot pair section {index + 1} with section {other + 1}")
    first, second = sections[index], sections[other]
    paired = first.model_copy(
        update={
            "title": f"{first.title}；{second.title}",
            "subsections": (_as_subsection(first), _as_subsection(second)),
        }
    )
    sections[index] = paired
    del sections[other]
    return _renumbered(briefing, sections)


def _as_subsection(section: Section) -> Subsection:
    paragraphs = tuple(p for sub in section.subsections for p in sub.paragraphs)
    return Subsection(number="", title=section.title, paragraphs=paragraphs)


def unpair_section(briefing: Briefing, index: int) -> Briefing:
    """Each subsection of section ``index`` (0-based) a section of its own, renumbered."""
    sections = list(briefing.sections)
    if not 0 <= index < len(sections) or len(sections[index].subsections) < 2:
        raise InputError(f"section {index + 1} does not hold two stories to unpair")
    section = sections[index]
    sections[index : index + 1] = [
        section.model_copy(
            update={
                "title": sub.title,
                "subsections": (sub.model_copy(update={"title": LEAD}),),
            }
        )
        for sub in section.subsections
    ]
    return _renumbered(briefing, sections)


def add_section(
    briefing: Briefing, section: Section, references: tuple[Reference, ...]
) -> Briefing:
    """``briefing`` with ``section`` last; the section's refs number ``references``."""
    numbers = {ref.url: ref.n for ref in briefing.references}
    added = list(briefing.references)
    new: dict[int, int] = {}
    for ref in references:
        if ref.url not in numbers:
            numbers[ref.url] = len(numbers) + 1
            added.append(ref.model_copy(update={"n": numbers[ref.url]}))
        new[ref.n] = numbers[ref.url]
    subsections = tuple(
        sub.model_copy(
            update={
                "paragraphs": tuple(
                    p.model_copy(update={"refs": tuple(new[n] for n in p.refs)})
                    for p in sub.paragraphs
                )
            }
        )
        for sub in section.subsections
    )
    grown = briefing.model_copy(update={"references": tuple(added)})
    return _renumbered(
        grown, [*briefing.sections, section.model_copy(update={"subsections": subsections})]
    )


def _renumbered(briefing: Briefing, sections: list[Any]) -> Briefing:
    document = briefing.model_dump(mode="json")
    document["sections"] = [s.model_dump(mode="json") for s in sections]
    order: dict[int, int] = {}
    for i, section in enumerate(document["sections"], start=1):
        section["number"] = str(i)
        for j, sub in enumerate(section["subsections"], start=1):
            sub["number"] = f"{i}.{j}"
            for paragraph in sub["paragraphs"]:
                for n in paragraph["refs"]:
                    order.setdefault(n, len(order) + 1)
                paragraph["refs"] = [order[n] for n in paragraph["refs"]]
    references = {ref["n"]: ref for ref in document["references"]}
    document["references"] = [
        {**references[old], "n": new} for old, new in order.items() if old in references
    ]
    return Briefing.model_validate(document)
