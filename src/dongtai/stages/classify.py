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
- an item with some evidence for a topic but less than ``MIN_EVIDENCE`` (and no
  stronger off-topic evidence) is judged by the sentence encoder: on topic when its
  title and lead (the relevance model's text, stored with the item) have cosine
  ≥ ``EXAMPLE_SIMILARITY`` with one of the topic's example headlines and exceed every
  off-topic example's by ``EXAMPLE_MARGIN``;
- with the sentence encoder, every item is then scored by the relevance model
  (:mod:`dongtai.stages.relevance`, trained on real news: ads, crime, accidents, local
  notices, digests and forum posts score low): an item is on topic when it has topic
  evidence and a model probability ≥ the model's threshold, or some evidence for a
  topic (short of ``MIN_EVIDENCE``, not beaten by off-topic evidence) and a probability
  ≥ the model's ``confident`` threshold; its relevance is that probability;
- the reason names the concepts (and example similarity) that decided it, and the
  model's probability.

Names are found in one pass by :class:`dongtai.text.matching.Matcher` (Chinese names as
substrings, other names as whole words, acronyms case-sensitively).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from dongtai.errors import ConfigError
from dongtai.models import Classified, Item
from dongtai.sources import read_yaml
from dongtai.stages import relevance
from dongtai.text.embedding import Embedder
from dongtai.text.matching import Matcher

TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0
SOURCE_PRIOR = 0.5
MIN_EVIDENCE = 2.0
EXAMPLE_SIMILARITY = 0.2
EXAMPLE_MARGIN = 0.08
TOPICS_FILE = "topics.yaml"
EXAMPLE_VECTORS = "data/example_vectors.npz"


@dataclass(frozen=True)
class Topic:
    id: str
    name_zh: str
    weight: float
    concepts: dict[str, tuple[str, ...]]
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topics:
    """The topic table: briefing topics and off-topic kinds, with one name matcher."""

    on: tuple[Topic, ...]
    off: tuple[Topic, ...]
    matcher: Matcher

    def names_zh(self) -> dict[str, str]:
        return {t.id: t.name_zh for t in self.on}

    def weights(self) -> dict[str, float]:
        return {t.id: t.weight for t in self.on}


@cache
def example_vectors() -> dict[str, npt.NDArray[np.float32]]:
    """The sentence encoder's vectors of the shipped topics' examples (``EXAMPLE_VECTORS``,
    written by ``python bench/example_vectors.py``), so that a brief whose items are all
    enriched never loads the encoder; a workspace's own examples are encoded."""
    with resources.as_file(resources.files("dongtai").joinpath(EXAMPLE_VECTORS)) as path:
        if not path.is_file():
            return {}
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(map(str, data["texts"]), data["vectors"], strict=True))


def load_topics(home: Path | None = None) -> Topics:
    """The workspace's topics file if there is one, else the shipped one."""
    if home is not None and (home / TOPICS_FILE).is_file():
        text = (home / TOPICS_FILE).read_text("utf-8")
    else:
        text = resources.files("dongtai").joinpath(f"data/{TOPICS_FILE}").read_text("utf-8")
    try:
        data: Any = read_yaml(text)
        on = tuple(_topic(k, v) for k, v in data["topics"].items())
        off = tuple(_topic(k, v) for k, v in (data.get("off_topic") or {}).items())
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"topics file is invalid: {exc}") from exc
    names = [
        (str(name), f"{topic.id}/{concept}")
        for topic in on + off
        for concept, concept_names in topic.concepts.items()
        for name in concept_names
    ]
    return Topics(on=on, off=off, matcher=Matcher(names))


def _topic(topic_id: str, spec: Mapping[str, Any]) -> Topic:
    return Topic(
        id=topic_id,
        name_zh=str(spec.get("name_zh", topic_id)),
        weight=float(spec.get("weight", 1.0)),
        concepts={cid: tuple(str(n) for n in names) for cid, names in spec["concepts"].items()},
        examples=tuple(str(e) for e in spec.get("examples") or ()),
    )


def evidence(topics: Topics, title: str, body: str) -> dict[str, dict[str, float]]:
    """Topic id → concept id → weight of the evidence in one item."""
    found: dict[str, dict[str, float]] = {}
    for weight, text in ((BODY_WEIGHT, body), (TITLE_WEIGHT, title)):
        for label in topics.matcher.find(text):
            topic, concept = label.split("/", 1)
            found.setdefault(topic, {})[concept] = weight
    return found


def classify_item(item: Item, topics: Topics, outlet_topics: Iterable[str] = ()) -> Classified:
    """Topic, relevance and reason for one item."""
    prior = set(outlet_topics)
    found = evidence(topics, item.title, f"{item.summary}\n{item.text}")
    best: tuple[float, float, int, Topic] | None = None
    for order, topic in enumerate(topics.on):
        score = sum(found.get(topic.id, {}).values())
        if score and topic.id in prior:
            score += SOURCE_PRIOR
        key = (score, 1.0 if topic.id in prior else 0.0, -order, topic)
        if best is None or key[:3] > best[:3]:
            best = key
    assert best is not None, "the topics table has no topic"
    score, _, _, topic = best
    concepts = found.get(topic.id, {})
    off_score, off_kind = max(
        ((sum(found.get(k.id, {}).values()), k.id) for k in topics.off), default=(0.0, "")
    )
    on_topic = score >= MIN_EVIDENCE and score > off_score
    relevance = round(score / (score + off_score + 2.0), 4)
    if on_topic:
        reason = f"{topic.id}: {', '.join(sorted(concepts))}"
    elif off_score and off_score >= score:
        reason = f"off-topic ({off_kind}: {', '.join(sorted(found[off_kind]))})"
    else:
        reason = f"too little evidence for any topic (best {topic.id} {score:g})"
    return Classified(
        item=item,
        topic=topic.id,
        relevance=relevance,
        on_topic=on_topic,
        reason=reason,
        concepts=tuple(sorted(concepts)),
    )


def classify(
    items: Iterable[Item],
    topics: Topics,
    outlet_topics: Mapping[str, Iterable[str]],
    embed: Embedder | None = None,
) -> list[Classified]:
    """Classify every item; ``outlet_topics`` maps source id → its registered topics.
    With ``embed``, borderline items are judged by their closeness to the examples."""
    entries = [classify_item(item, topics, outlet_topics.get(item.source, ())) for item in items]
    if embed is None or not entries:
        return entries
    weak = [n for n, e in enumerate(entries) if borderline(e)]
    if weak:
        judged = _by_examples([entries[n] for n in weak], topics, embed)
        for n, entry in zip(weak, judged, strict=True):
            entries[n] = entry
    return _by_model(entries, embed)


def _by_model(entries: list[Classified], embed: Embedder) -> list[Classified]:
    """The relevance model's verdict on every item (rules in the module docstring)."""
    model = relevance.load_model()
    titles = [e.item.title for e in entries]
    vectors = embed([relevance.text_of(e.item.title, e.item.text) for e in entries])
    probabilities = model.score(vectors.astype(np.float64), titles)
    judged = []
    for entry, probability in zip(entries, probabilities, strict=True):
        p = float(probability)
        weak = borderline(entry) and p >= model.confident
        on = (entry.on_topic or weak) and p >= model.threshold
        if entry.on_topic and not on:
            reason = f"off-topic (relevance model {p:.2f} < {model.threshold:g}; {entry.reason})"
        elif weak:
            reason = f"{entry.topic}: {', '.join(entry.concepts)}; relevance model {p:.2f}"
        else:
            reason = f"{entry.reason}; relevance model {p:.2f}"
        update = {"on_topic": on, "relevance": round(p, 4), "reason": reason}
        judged.append(entry.model_copy(update=update))
    return judged


def near_misses(entries: Sequence[Classified]) -> list[Classified]:
    """Off-topic items an editor may still want named: those that named a topic concept,
    and those the relevance model scored at or above its threshold with no concept named
    (a topic the concept table lacks)."""
    threshold = relevance.load_model().threshold
    return [e for e in entries if not e.on_topic and (e.concepts or e.relevance >= threshold)]


def borderline(entry: Classified) -> bool:
    """Some topic evidence, short of ``MIN_EVIDENCE``, and no stronger off-topic kind."""
    return not entry.on_topic and entry.reason.startswith("too little") and bool(entry.concepts)


def _by_examples(entries: list[Classified], topics: Topics, embed: Embedder) -> list[Classified]:
    """Borderline items that are close to their topic's examples, and closer to them than
    to any off-topic example by ``EXAMPLE_MARGIN``, are on topic."""
    on = [(t.id, e) for t in topics.on for e in t.examples]
    off = [e for t in topics.off for e in t.examples]
    if not on or not off:
        return entries
    vectors = embed([relevance.text_of(e.item.title, e.item.text) for e in entries])
    to_on = vectors @ embed([text for _, text in on]).T
    to_off = (vectors @ embed(off).T).max(axis=1)
    judged = []
    for k, entry in enumerate(entries):
        mine = [j for j, (topic, _) in enumerate(on) if topic == entry.topic]
        near = float(to_on[k, mine].max()) if mine else 0.0
        margin = near - float(to_off[k])
        if near >= EXAMPLE_SIMILARITY and margin >= EXAMPLE_MARGIN:
            reason = (
                f"{entry.topic}: {', '.join(entry.concepts)}; examples {near:.2f} (+{margin:.2f})"
            )
            entry = entry.model_copy(update={"on_topic": True, "reason": reason})
        judged.append(entry)
    return judged
