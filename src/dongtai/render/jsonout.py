"""JSON rendering of a briefing: the briefing JSON contract (``briefing.json``).

The file is ``Briefing.model_dump(mode="json")`` as UTF-8 (Chinese unescaped),
indented by two spaces, keys in the contract order (``date``, ``title``,
``abstract``, ``sections``, ``references``, ``verification``) followed by any newer
field, and one trailing newline. ``Briefing.model_validate(json.loads(data))`` gives
back an equal briefing; ``data/briefing.schema.json`` describes the format.
"""

from __future__ import annotations

import json
from typing import Any

from dongtai.models import Briefing
from dongtai.render import BrandedRenderer

__all__ = ["CONTRACT_KEYS", "JsonRenderer"]

CONTRACT_KEYS = ("date", "title", "abstract", "sections", "references", "verification")


class JsonRenderer(BrandedRenderer):
    """Renders ``briefing.json``; the branding is not part of the contract."""

    name = "json"
    extension = "json"

    def render(self, briefing: Briefing) -> bytes:
        """The briefing JSON document."""
        data = _in_contract_order(briefing.model_dump(mode="json"))
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _in_contract_order(data: dict[str, Any]) -> dict[str, Any]:
    ordered = {key: data[key] for key in CONTRACT_KEYS if key in data}
    ordered.update((key, value) for key, value in data.items() if key not in ordered)
    return ordered
