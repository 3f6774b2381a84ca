"""The prompts of the ``llm`` writer: versioned Jinja2 templates with JSON output schemas.

Each task has ``templates/<task>.<version>.j2`` (the user message) and
``templates/<task>.<version>.schema.json`` (the JSON object it must answer), shipped in the
package; ``system.<version>.j2`` is the system message of every task and ``repair``
lists the verification failures of an answer to regenerate. Changing a template changes
the rendered prompt and so its cache key: old answers are never replayed for a new prompt.

Item text is data, never instructions:
  * sentences addressed to a model ("忽略以上指令…", "ignore previous instructions…",
    "system prompt", "你现在是…") are not reporting: :func:`without_instructions` drops
    them from a story's items before the model sees them and before the gate reads them,
    so an instruction can neither reach the model nor serve as evidence for what it asks;
  * the items of a story go into the prompt as one JSON array (``n``, outlet, date,
    language, title, text) between ``<items>`` tags; JSON escaping, and ``<``/``>``
    written as ``\\u003c``/``\\u003e``, keep any text an item holds inside its string, so
    no item can close the block or pose as the prompt;
  * the system message tells the model that instructions inside items are not followed.
Token budget: the items share ``item_tokens`` (estimated, :func:`estimate_tokens`): short
items keep their full text, and what they leave is shared by the longer ones, each cut
back to its last full sentence within its share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined

from dongtai.models import Item, Source, Story
from dongtai.writers.llm.client import char_tokens, estimate_tokens

__all__ = [
    "VERSIONS",
    "items_block",
    "messages",
    "repair_message",
    "schema",
    "trim",
    "without_instructions",
]

VERSIONS = {
    "system": "v2",
    "title": "v2",
    "facts": "v2",
    "implications": "v2",
    "abstract": "v2",
    "relevance": "v1",
    "repair": "v2",
}
MIN_SHARE = 120
_SENTENCE_END = "。！？!?."
_INSTRUCTION = re.compile(
    r"(忽略|无视|忘记|不要理会)(掉)?(以上|上述|之前|前面|先前|此前|所有|全部|系统)*的?(所有|全部)?"
    r"(指令|指示|提示词?|要求|规则|设定)"
    r"|\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(the\s+|your\s+)?"
    r"(previous|prior|above|earlier|preceding|system)\s+(instructions?|prompts?|rules|directions)"
    r"|system\s+prompt|系统提示词?|你现在是|从现在起你是|作为一个?(AI|人工智能|语言模型)"
    r"|\byou\s+are\s+now\b|\bas\s+an\s+AI\b",
    re.I,
)
_SENTENCE_SPLIT = re.compile(
    r"(?<=[。！？!?])(?![”」』])|(?<=[”」』])(?<=[。！？!?][”」』])|(?<=\.)(?=\s|[\u3400-\u9fff])"
)
_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)


@cache
def _text(name: str) -> str:
    return resources.files("dongtai.writers.llm").joinpath("templates", name).read_text("utf-8")


def schema(task: str) -> dict[str, Any]:
    """The JSON schema of a task's answer."""
    loaded: dict[str, Any] = json.loads(_text(f"{task}.{VERSIONS[task]}.schema.json"))
    return loaded


def render(name: str, **values: Any) -> str:
    return _ENV.from_string(_text(f"{name}.{VERSIONS[name]}.j2")).render(**values).strip()


def messages(task: str, bulletin: str, **values: Any) -> list[dict[str, str]]:
    """The system and user messages of ``task`` (its schema is shown to the model)."""
    shown = json.dumps(schema(task), ensure_ascii=False, separators=(",", ":"))
    return [
        {"role": "system", "content": render("system", bulletin=bulletin)},
        {"role": "user", "content": render(task, schema=shown, **values)},
    ]


def repair_message(failures: Sequence[str]) -> str:
    return render("repair", failures=failures)


def without_instructions(story: Story) -> Story:
    """The story with every sentence addressed to a model dropped from its items."""
    items = tuple(
        item.model_copy(
            update={
                "title": _drop_instructions(item.title),
                "text": _drop_instructions(item.text),
                "summary": _drop_instructions(item.summary),
            }
        )
        for item in story.items
    )
    return story.model_copy(update={"items": items})


def _drop_instructions(text: str) -> str:
    if not _INSTRUCTION.search(text):
        return text
    kept: list[str] = []
    dropped = False
    for piece in _SENTENCE_SPLIT.split(text):
        if _INSTRUCTION.search(piece):
            dropped = True
            continue
        kept.append(piece.lstrip() if dropped else piece)
        dropped = False
    return "".join(kept).strip()


def data_json(value: Any) -> str:
    """JSON for a data block: nothing inside can close the block's tags."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def items_block(
    items: Sequence[Item], sources: Mapping[str, Source], tz: tzinfo, budget: int
) -> str:
    """The numbered items of a story as the prompt's data block, within ``budget``."""
    shares = _shares([estimate_tokens(i.title) + estimate_tokens(i.text) for i in items], budget)
    records = []
    for n, (item, share) in enumerate(zip(items, shares, strict=True), start=1):
        source = sources.get(item.source)
        records.append(
            {
                "n": n,
                "outlet": source.label_zh() if source else item.source,
                "date": item.published.astimezone(tz).date().isoformat(),
                "language": item.language,
                "title": item.title,
                "text": trim(" ".join(item.text.split()), share - estimate_tokens(item.title)),
            }
        )
    return data_json(records)


def _shares(costs: Sequence[int], budget: int) -> list[int]:
    """Water-filling: each item gets its cost or an equal share of what is left."""
    shares = [0] * len(costs)
    left = budget
    order = sorted(range(len(costs)), key=lambda i: costs[i])
    for rank, i in enumerate(order):
        share = max(MIN_SHARE, left // (len(costs) - rank))
        shares[i] = min(costs[i], share)
        left = max(0, left - shares[i])
    return shares


def trim(text: str, budget: int) -> str:
    """``text`` within ``budget`` tokens, cut back to its last full sentence ("…" added)."""
    if estimate_tokens(text) <= budget:
        return text
    cost, end, limit = 0.0, len(text), max(budget, MIN_SHARE // 2)
    for i, ch in enumerate(text):
        cost += char_tokens(ch)
        if cost > limit:
            end = i
            break
    head = text[:end]
    stop = max(head.rfind(mark) for mark in _SENTENCE_END)
    if stop > len(head) * 0.6:
        head = head[: stop + 1]
    return head.rstrip() + "…"
