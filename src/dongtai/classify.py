"""Classify: each item's topic and whether it is relevant at all.

Evidence is counted per *concept* (one idea named in English and Chinese, see
``data/topics.yaml``): a concept named in the title counts 3, named only in the body
counts 1, and each concept counts once per item. Rules:

- an item's topic is the topic with the most evidence (ties: the topic its outlet
  covers, then the order of the topics file);
- the outlet's registered topics add 0.5 to those topics when they have evidence;
- an item is on topic when its best topic has evidence ≥ ``MIN_EVIDENCE`` and more
  than the strongest off-topic kind (sports, entertainment, weather, consumer …);
- relevance = topic evidence / (topic evidence + off-topic evidence + 2), in [0, 1);
- the reason names the concepts that decided it.

English names match whole words, case-insensitively, except acronyms (all capitals),
which match case-sensitively; Chinese names match as substrings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dongtai.errors import ConfigError
from dongtai.models import Classified, Item

TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0
SOURCE_PRIOR = 0.5
MIN_EVIDENCE = 2.0
TOPICS_FILE = "topics.yaml"


@dataclass(frozen=True)
class Concept:
    id: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Topic:
    id: str
    name_zh: str
    weight: float
    concepts: tuple[Concept, ...]


@dataclass(frozen=True)
class Topics:
    """The topic table: briefing topics and off-topic kinds."""

    on: tuple[Topic, ...]
    off: tuple[Topic, ...]

    def names_zh(self) -> dict[str, str]:
        return {t.id: t.name_zh for t in self.on}

    def weights(self) -> dict[str, float]:
        return {t.id: t.weight for t in self.on}


def load_topics(home: Path | None = None) -> Topics:
    """The workspace's topics file if there is one, else the shipped one."""
    if home is not None and (home / TOPICS_FILE).is_file():
        text = (home / TOPICS_FILE).read_text("utf-8")
    else:
        text = resources.files("dongtai").joinpath(f"data/{TOPICS_FILE}").read_text("utf-8")
    try:
        data: Any = yaml.safe_load(text)
        return Topics(
            on=tuple(_topic(k, v) for k, v in data["topics"].items()),
            off=tuple(_topic(k, v) for k, v in (data.get("off_topic") or {}).items()),
        )
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"topics file is invalid: {exc}") from exc


def _topic(topic_id: str, spec: Mapping[str, Any]) -> Topic:
    concepts = tuple(
        Concept(id=cid, pattern=_pattern([str(n) for n in names]))
        for cid, names in spec["concepts"].items()
    )
    return Topic(
        id=topic_id,
        name_zh=str(spec.get("name_zh", topic_id)),
        weight=float(spec.get("weight", 1.0)),
        concepts=concepts,
    )


def _pattern(names: list[str]) -> re.Pattern[str]:
    parts = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name)
        if re.search(r"[\u3400-\u9fff]", name):
            parts.append(escaped)
        elif name.isupper() or any(c.isdigit() for c in name):
            parts.append(rf"(?-i:(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9]))")
        else:
            parts.append(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
    return re.compile("|".join(parts), re.IGNORECASE)


def evidence(topic: Topic, title: str, body: str) -> dict[str, float]:
    """Concept id → weight of the evidence for one topic in one item."""
    found: dict[str, float] = {}
    for concept in topic.concepts:
        if concept.pattern.search(title):
            found[concept.id] = TITLE_WEIGHT
        elif concept.pattern.search(body):
            found[concept.id] = BODY_WEIGHT
    return found


def classify_item(item: Item, topics: Topics, outlet_topics: Iterable[str] = ()) -> Classified:
    """Topic, relevance and reason for one item."""
    body = f"{item.summary}\n{item.text}"
    prior = set(outlet_topics)
    best: tuple[float, float, int, Topic, dict[str, float]] | None = None
    for order, topic in enumerate(topics.on):
        found = evidence(topic, item.title, body)
        score = sum(found.values())
        if found and topic.id in prior:
            score += SOURCE_PRIOR
        key = (score, 1.0 if topic.id in prior else 0.0, -order, topic, found)
        if best is None or key[:3] > best[:3]:
            best = key
    assert best is not None, "the topics table has no topic"
    score, _, _, topic, found = best
    off_score, off_kind, off_found = _strongest_off_topic(item, topics, body)
    on_topic = score >= MIN_EVIDENCE and score > off_score
    relevance = round(score / (score + off_score + 2.0), 4)
    if on_topic:
        reason = f"{topic.id}: {', '.join(sorted(found))}"
    elif off_score >= score and off_found:
        reason = f"off-topic ({off_kind}: {', '.join(sorted(off_found))})"
    else:
        reason = f"too little evidence for any topic (best {topic.id} {score:g})"
    return Classified(
        item=item,
        topic=topic.id,
        relevance=relevance,
        on_topic=on_topic,
        reason=reason,
        concepts=tuple(sorted(found)),
    )


def _strongest_off_topic(item: Item, topics: Topics, body: str) -> tuple[float, str, list[str]]:
    strongest: tuple[float, str, list[str]] = (0.0, "", [])
    for kind in topics.off:
        found = evidence(kind, item.title, body)
        score = sum(found.values())
        if score > strongest[0]:
            strongest = (score, kind.id, sorted(found))
    return strongest


def classify(
    items: Iterable[Item], topics: Topics, outlet_topics: Mapping[str, Iterable[str]]
) -> list[Classified]:
    """Classify every item; ``outlet_topics`` maps source id → its registered topics."""
    return [classify_item(item, topics, outlet_topics.get(item.source, ())) for item in items]
