"""Reading a model's answer: the JSON object a task asked for, or why there is none.

Rules, in order:
  * a refusal the server flags (``message.refusal``) is a refusal;
  * reasoning is dropped: ``<think>…</think>`` (and ``<thinking>``, ``<reasoning>``)
    blocks anywhere, and an unclosed one together with everything after it;
  * an answer inside a code fence (```` ```json … ``` ````) is read from the fence;
  * the JSON object starts at the first ``{``; text before it and after its end is
    ignored. An object cut short (the token limit, a dropped stream) is repaired: an
    open string is cut back to its last full sentence and closed, a dangling key or
    comma is dropped, open arrays and objects are closed. A repaired answer is flagged;
  * no object at all: an empty answer is "empty", a short apology or "I cannot…" /
    "抱歉…无法…" is "refused", anything else is "not JSON";
  * the object must validate against the task's JSON schema; the first schema error is
    the reason otherwise. A text field that opens as a refusal is one too
    (:func:`looks_refused`, applied by the writer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

__all__ = ["Parsed", "looks_refused", "parse_answer", "repair_json"]

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_OPEN_THINK = re.compile(r"<(think|thinking|reasoning)>.*", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)(?:```|$)", re.S)
_REFUSAL = re.compile(
    r"^\W*(I'?m sorry|I am sorry|sorry|I can(?:no|')t|I cannot|I won'?t|I am unable|"
    r"I'm unable|As an AI|抱歉|对不起|很抱歉|我无法|我不能|无法提供|不能提供)",
    re.I,
)
_SENTENCE_END = "。！？.!?”"
_DANGLING = re.compile(r'(,\s*"(?:[^"\\]|\\.)*"\s*:?\s*|[,:]\s*)$')


@dataclass(frozen=True)
class Parsed:
    """A task's answer: ``data`` when usable, else ``problem`` says why not."""

    data: dict[str, Any] | None
    problem: str = ""
    repaired: bool = False


def strip_reasoning(text: str) -> str:
    """The answer without reasoning blocks (closed ones, and an unclosed one to the end)."""
    return _OPEN_THINK.sub("", _THINK.sub("", text)).strip()


def parse_answer(content: str, schema: dict[str, Any], refusal: str = "") -> Parsed:
    """The task's JSON object from a raw answer (rules in the module docstring)."""
    if refusal.strip():
        return Parsed(None, f"refused: {refusal.strip()[:120]}")
    text = strip_reasoning(content)
    fenced = _FENCE.search(text)
    if fenced and "{" in fenced.group(1):
        text = fenced.group(1)
    data, repaired = _object(text)
    if data is None:
        return Parsed(None, _why_not(text))
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "answer"
        return Parsed(None, f"does not match the schema at {where}: {errors[0].message[:160]}")
    return Parsed(data, repaired=repaired)


def looks_refused(text: str) -> bool:
    """Does ``text`` open as a refusal or an apology ("I can't…", "抱歉，我无法…")?"""
    return bool(_REFUSAL.match(text))


def _why_not(text: str) -> str:
    if not text.strip():
        return "empty answer"
    if _REFUSAL.match(text):
        return f"refused: {' '.join(text.split())[:120]}"
    return f"not JSON: {' '.join(text.split())[:80]}"


def _object(text: str) -> tuple[dict[str, Any] | None, bool]:
    start = text.find("{")
    if start < 0:
        return None, False
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError:
        value = repair_json(text[start:])
        return (value, True) if isinstance(value, dict) else (None, False)
    return (value, False) if isinstance(value, dict) else (None, False)


def repair_json(text: str) -> Any:
    """A JSON value from a truncated or slightly broken one, or None (module rules)."""
    stack, in_string, escaped, opened, cuts = _scan(text)
    head = text
    if in_string:
        body = text[opened + 1 :]
        end = max(body.rfind(mark) for mark in _SENTENCE_END)
        head = text[: opened + 1 + end + 1] if end >= 0 else text
        head = head[:-1] if escaped and head.endswith("\\") else head
        head += '"'
    for candidate in [head, *(text[:cut] for cut in reversed(cuts))]:
        value = _close(candidate, stack if candidate is head else _scan(candidate)[0])
        if value is not None:
            return value
    return None


def _scan(text: str) -> tuple[list[str], bool, bool, int, list[int]]:
    """Open brackets, whether a string is open (and escaped, and where it opened), and
    the positions of commas outside strings (places to cut a broken tail)."""
    stack: list[str] = []
    in_string = escaped = False
    opened = -1
    cuts: list[int] = []
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string, opened = True, i
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == ",":
            cuts.append(i)
    return stack, in_string, escaped, opened, cuts


def _close(text: str, stack: list[str]) -> Any:
    """``text`` with its open brackets closed; failing that, without a dangling key,
    colon or comma at its end."""
    closers = "".join(reversed(stack))
    body = text.rstrip()
    for candidate in (body, _DANGLING.sub("", body)):
        try:
            return json.loads(candidate + closers)
        except json.JSONDecodeError:
            continue
    return None
