"""Cluster: items that report the same event become one story, across outlets and
across English and Chinese.

Signals for a pair of items (all survive translation):
- meaning: cosine similarity of multilingual sentence embeddings of title and lead,
  after subtracting the day's mean vector of each language (what every item of a
  language shares says nothing about the event, and removing it brings English and
  Chinese reports of one event as close as two reports in one language);
- figures: normalised figures both items state ("1.2 million" = "120 万"), counting
  percentages, amounts and quantities ≥ 10; each shared figure adds ``FIGURE_BONUS``;
- organisations: organisations both name, through the bilingual alias table, other
  than the items' own outlets; each adds ``ORG_BONUS`` (at most two count).

Pair similarity = cosine + bonuses. Items are merged by average linkage: two groups
join while the mean similarity over all their cross pairs is ≥ ``THRESHOLD``. A story
takes the topic carrying the most relevance among its items, and its concepts are the
union of its items' concepts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dongtai.figures import extract_figures
from dongtai.models import Classified, Story

Embedder = Callable[[list[str]], npt.NDArray[np.float32]]

THRESHOLD = 0.5
FIGURE_BONUS = 0.15
MAX_FIGURES = 3
ORG_BONUS = 0.1
MAX_ORGS = 2
LEAD_CHARS = 200


@dataclass(frozen=True)
class Signals:
    """What one item says, in forms comparable across languages."""

    figures: frozenset[tuple[str, str, float]]
    organisations: frozenset[str]


def lead_text(entry: Classified) -> str:
    """Title and the start of the body: what the encoder sees."""
    return f"{entry.item.title}\n{entry.item.text[:LEAD_CHARS]}"


def signals(entry: Classified, org_names: Mapping[str, str]) -> Signals:
    text = f"{entry.item.title}\n{entry.item.text}"
    orgs = find_organisations(text, org_names) - {entry.item.source}
    figures = frozenset(
        (f.kind, f.unit, round(f.value, 6))
        for f in extract_figures(text)
        if f.kind != "number" or f.value >= 10
    )
    return Signals(figures=figures, organisations=frozenset(orgs))


def find_organisations(text: str, org_names: Mapping[str, str]) -> set[str]:
    """Organisation ids named in the text (ASCII names on word boundaries)."""
    found = set()
    for name, org_id in org_names.items():
        if name.isascii():
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text):
                found.add(org_id)
        elif name in text:
            found.add(org_id)
    return found


def similarity_matrix(
    entries: Sequence[Classified], embed: Embedder, org_names: Mapping[str, str]
) -> npt.NDArray[np.float64]:
    """Pair similarities of the rules above."""
    vectors = embed([lead_text(e) for e in entries]).astype(np.float64)
    for language in {e.item.language for e in entries}:
        rows = [i for i, e in enumerate(entries) if e.item.language == language]
        vectors[rows] -= vectors[rows].mean(axis=0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms == 0, 1.0, norms)
    sims = vectors @ vectors.T
    sigs = [signals(e, org_names) for e in entries]
    for i in range(len(entries)):
        for j in range(i + 1, len(entries)):
            bonus = FIGURE_BONUS * min(len(sigs[i].figures & sigs[j].figures), MAX_FIGURES)
            orgs = len(sigs[i].organisations & sigs[j].organisations)
            bonus += ORG_BONUS * min(orgs, MAX_ORGS)
            sims[i, j] += bonus
            sims[j, i] += bonus
    return sims


def average_link(sims: npt.NDArray[np.float64], threshold: float) -> list[list[int]]:
    """Groups of indices merged by average linkage down to ``threshold``."""
    groups: list[list[int]] = [[i] for i in range(len(sims))]
    while len(groups) > 1:
        best, pair = threshold, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                link = float(sims[np.ix_(groups[a], groups[b])].mean())
                if link >= best:
                    best, pair = link, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        del groups[b]
    return groups


def cluster(
    entries: Sequence[Classified],
    embed: Embedder,
    org_names: Mapping[str, str],
    threshold: float = THRESHOLD,
) -> list[Story]:
    """Stories of the given (on-topic) items."""
    if not entries:
        return []
    groups = average_link(similarity_matrix(entries, embed, org_names), threshold)
    return [_story([entries[i] for i in group]) for group in groups]


def _story(members: list[Classified]) -> Story:
    weight: dict[str, float] = {}
    for entry in members:
        weight[entry.topic] = weight.get(entry.topic, 0.0) + entry.relevance
    topic = max(weight, key=lambda t: weight[t])
    members.sort(key=lambda e: (e.item.published, e.item.url))
    urls = "\n".join(sorted(e.item.url for e in members))
    concepts = sorted({c for e in members for c in e.concepts})
    return Story(
        id=hashlib.sha1(urls.encode()).hexdigest()[:12],
        topic=topic,
        items=tuple(e.item for e in members),
        concepts=tuple(concepts),
    )
