"""Edits of a briefing, as pure functions: new text at a place, a section dropped or
moved. The result is a new :class:`~dongtai.models.Briefing` whose verification is
still the old one: the caller re-verifies it (the desk always does).

Rules it applies:

* only the abstract, a section title, a subsection title or a paragraph's text can be
  edited, named by the JSON pointer the verification uses
  (``/sections/0/subsections/1/paragraphs/0/text``); text is stripped and may not be
  empty (drop the section instead);
* after a section is dropped or moved, sections are numbered 1…n again (subsections
  ``n.1``…), references are numbered again in order of first citation, references no
  paragraph cites any more are removed and every paragraph's ``refs`` follow.
"""

from __future__ import annotations

import re
from typing import Any

from dongtai.errors import InputError
from dongtai.models import Briefing

__all__ = ["EDITABLE", "drop_section", "move_section", "text_at", "with_text"]

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
