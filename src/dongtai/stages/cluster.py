"""Cluster: items that report the same event become one story, across outlets and
across English and Chinese, at a cost close to linear in the number of items.

Signals for a pair of items (all survive translation):
- meaning: cosine similarity of multilingual sentence embeddings of title and lead,
  after subtracting each language's mean vector of the day (what every item of a
  language shares says nothing about the event, and removing it brings English and
  Chinese reports of one event as close as two reports in one language); a language
  with fewer than ``MIN_CENTRED`` items is not centred (the mean of two reports of one
  event is the event itself: subtracting it would turn their cosine 1 into −1);
- figures: normalised figures both items state in title and lead ("1.2 million" =
  "120 万"); each adds ``FIGURE_BONUS`` (at most ``MAX_FIGURES`` count); a bare number
  below ``SMALL_NUMBER`` without a unit (list numbering "1、2、3", small counts) is no
  evidence;
- organisations: organisations both name (bilingual alias table), other than the
  items' own outlets; each adds ``ORG_BONUS`` (at most ``MAX_ORGS`` count);
- a figure or organisation that many items of the day state tells events apart less
  ("2", "China"): it counts min(1, ``MAX_SIGNAL_ITEMS`` / items stating it);
- time: items published more than ``WINDOW_HOURS`` apart are never one event.

- crowding: in a dense part of the day (many items on one subject, more of them the
  larger the day) unrelated reports come close by chance, and a fixed threshold merges
  more of them as the day grows. An item's *background* is the mean cosine of its
  neighbours ranked ``HUB_RANKS`` (beyond any one event's reports); a pair loses the
  mean of its items' background above ``HUB_FLOOR``. A small day (fewer items than the
  first of those ranks) or a sparse one is not changed.

Pair similarity = cosine + bonuses − crowding. Only *candidate* pairs are scored: each
item's ``NEIGHBOURS`` nearest neighbours by cosine (an HNSW index, ``usearch``, built
on one thread so that every run finds the same neighbours) and the
pairs sharing a figure or organisation that at most ``MAX_SIGNAL_ITEMS`` items state. Items
are then merged by average linkage: two groups join while the mean similarity over
all their cross pairs is ≥ ``THRESHOLD``. Average linkage only merges groups joined by
at least one pair ≥ ``THRESHOLD``, so it runs separately inside each connected
component of those pairs; a component of more than ``MAX_LINKAGE`` items (many items
chained by single pairs, on a day of tens of thousands) is first split into the
components of its pairs ``LINKAGE_STEP`` stronger, again until each part has at most
``MAX_LINKAGE`` items, so memory stays bounded. A story takes the topic carrying the
most relevance among its items; its concepts are the union of its items' concepts.

Items that earlier issues cited (``earlier``) join today's items in one story only
when some old–new pair is as close as two reports of one event
(``FOLLOW_UP_SIMILARITY``): a later story of the same company or topic is no "续报".

Editors' labels (``labels``: a pair of item URLs → ``True`` for the same event, ``False``
for different ones; the newsroom's hand merges and splits) override the signals: a pair
labelled the same scores ``SAME`` and is a candidate, one labelled different scores
``DIFFERENT``; after linkage, groups holding a pair labelled the same are joined unless
that would join a pair labelled different, and an item labelled different from an
earlier item of its group leaves it for a story of its own.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from usearch.index import BatchMatches, Index

from dongtai.models import Classified, Item, Story
from dongtai.text.embedding import Embedder
from dongtai.text.figures import extract_figures
from dongtai.text.matching import Matcher

Vectors = npt.NDArray[np.float64]

THRESHOLD = 0.5
THREAD_THRESHOLD = 0.1
FOLLOW_UP_SIMILARITY = 0.7
FIGURE_BONUS = 0.15
MAX_FIGURES = 3
ORG_BONUS = 0.1
MAX_ORGS = 2
WINDOW_HOURS = 72.0
NEIGHBOURS = 20
HUB_RANKS = (20, 60)
HUB_FLOOR = 0.2
MAX_SIGNAL_ITEMS = 30
MAX_LINKAGE = 4000  # items average-linked at once: ~5 matrices of 4000² floats
LINKAGE_STEP = 0.05
PAIR_CHUNK = 20_000  # pairs scored at once
LEAD_CHARS = {"en": 500, "zh": 120}  # zh: the relevance model's text too: one encoding serves both
FIGURE_CHARS = 800
SMALL_NUMBER = 100
THREADS = 2
MIN_CENTRED = 10
SAME, DIFFERENT = 2.0, -8.0
Labels = Mapping[tuple[str, str], bool]  # (url, url) sorted → the same event?


@dataclass(frozen=True)
class Signals:
    """What one item says, in forms comparable across languages."""

    figures: frozenset[tuple[str, str, float]]
    organisations: frozenset[str]


@dataclass(frozen=True)
class Pair:
    """Why two items are (or are not) one event."""

    similarity: float
    cosine: float
    figures: tuple[tuple[str, str, float], ...]
    organisations: tuple[str, ...]
    hours_apart: float


def lead_text(item: Item) -> str:
    """Title and the start of the body: what the encoder sees (its cost grows with the
    number of tokens, and a Chinese character is about one token)."""
    return f"{item.title}\n{item.text[: LEAD_CHARS[item.language]]}"


def signals(entry: Classified, organisations: Matcher) -> Signals:
    return item_signals(entry.item, organisations)


def item_signals(item: Item, organisations: Matcher) -> Signals:
    """The figures and organisations an item states (they do not depend on the day)."""
    text = f"{item.title}\n{item.text[:FIGURE_CHARS]}"
    figures = frozenset(
        (f.kind, f.unit, round(f.value, 6))
        for f in extract_figures(text)
        if f.unit or abs(f.value) >= SMALL_NUMBER
    )
    orgs = organisations.find(f"{item.title}\n{item.text}") - {item.source}
    return Signals(figures=figures, organisations=frozenset(orgs))


def vectors_of(entries: Sequence[Classified], embed: Embedder) -> Vectors:
    """Unit vectors of the leads, each language centred on its own mean."""
    vectors = embed([lead_text(e.item) for e in entries]).astype(np.float64)
    for language in {e.item.language for e in entries}:
        rows = [i for i, e in enumerate(entries) if e.item.language == language]
        if len(rows) >= MIN_CENTRED:
            vectors[rows] -= vectors[rows].mean(axis=0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: Vectors = vectors / np.where(norms == 0, 1.0, norms)
    return result


class Scorer:
    """Pair similarities of one set of items, computed a block at a time."""

    def __init__(
        self,
        entries: Sequence[Classified],
        vectors: Vectors,
        sigs: Sequence[Signals],
        labels: Labels | None = None,
    ) -> None:
        self.entries, self.vectors, self.sigs = entries, vectors, sigs
        self.hours = np.array([e.item.published.timestamp() / 3600 for e in entries])
        self.figures = _incidence([s.figures for s in sigs])
        self.organisations = _incidence([s.organisations for s in sigs])
        self.labels = _labelled(entries, labels or {})
        self.neighbours, cosines = _nearest(vectors, max(NEIGHBOURS, HUB_RANKS[1]))
        first, last = HUB_RANKS
        background = cosines[:, first:last].mean(axis=1) if cosines.shape[1] > first else 0.0
        self.crowding: Vectors = np.maximum(0.0, background - HUB_FLOOR) * np.ones(len(vectors))

    def _override(self, sims: Vectors, rows: Sequence[int], cols: Sequence[int]) -> None:
        """Labelled pairs of the block take their label's score."""
        at_row = {r: k for k, r in enumerate(rows)}
        at_col = {c: k for k, c in enumerate(cols)}
        for (i, j), same in self.labels.items():
            for a, b in ((i, j), (j, i)):
                if a in at_row and b in at_col:
                    sims[at_row[a], at_col[b]] = SAME if same else DIFFERENT

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> Vectors:
        """Similarity of every row item with every column item."""
        sims: Vectors = self.vectors[rows] @ self.vectors[cols].T
        figures = (self.figures[rows] @ self.figures[cols].T).toarray()
        orgs = (self.organisations[rows] @ self.organisations[cols].T).toarray()
        sims += FIGURE_BONUS * np.minimum(figures, MAX_FIGURES)
        sims += ORG_BONUS * np.minimum(orgs, MAX_ORGS)
        sims -= (self.crowding[rows][:, None] + self.crowding[cols][None, :]) / 2
        apart = np.abs(self.hours[rows][:, None] - self.hours[cols][None, :])
        sims[apart > WINDOW_HOURS] = -1.0
        if self.labels:
            self._override(sims, rows, cols)
        return sims

    def pairs(self, left: npt.NDArray[np.intp], right: npt.NDArray[np.intp]) -> Vectors:
        """Similarity of the pairs (left[k], right[k]), ``PAIR_CHUNK`` pairs at a time
        (their vectors are gathered: a day's million pairs would take gigabytes)."""
        if len(left) > PAIR_CHUNK:
            chunks = range(0, len(left), PAIR_CHUNK)
            return np.concatenate(
                [self.pairs(left[s : s + PAIR_CHUNK], right[s : s + PAIR_CHUNK]) for s in chunks]
            )
        sims: Vectors = np.einsum("ij,ij->i", self.vectors[left], self.vectors[right])
        figures = np.asarray(self.figures[left].multiply(self.figures[right]).sum(axis=1))
        orgs = np.asarray(self.organisations[left].multiply(self.organisations[right]).sum(axis=1))
        sims += FIGURE_BONUS * np.minimum(figures.ravel(), MAX_FIGURES)
        sims += ORG_BONUS * np.minimum(orgs.ravel(), MAX_ORGS)
        sims -= (self.crowding[left] + self.crowding[right]) / 2
        sims[np.abs(self.hours[left] - self.hours[right]) > WINDOW_HOURS] = -1.0
        for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
            same = self.labels.get((min(i, j), max(i, j)))
            if same is not None:
                sims[k] = SAME if same else DIFFERENT
        return sims

    def explain(self, i: int, j: int) -> Pair:
        a, b = self.sigs[i], self.sigs[j]
        return Pair(
            similarity=float(self.pairs(np.array([i]), np.array([j]))[0]),
            cosine=float(self.vectors[i] @ self.vectors[j]),
            figures=tuple(sorted(a.figures & b.figures)),
            organisations=tuple(sorted(a.organisations & b.organisations)),
            hours_apart=float(abs(self.hours[i] - self.hours[j])),
        )


def _labelled(entries: Sequence[Classified], labels: Labels) -> dict[tuple[int, int], bool]:
    """Labels of pairs of these entries, by (lower, higher) index."""
    index = {e.item.url: i for i, e in enumerate(entries)}
    found = {}
    for (a, b), same in labels.items():
        if a in index and b in index and a != b:
            i, j = sorted((index[a], index[b]))
            found[(i, j)] = same
    return found


def _incidence(sets: Sequence[frozenset[Any]]) -> csr_matrix:
    """Items × keys matrix whose product with itself counts shared keys, each key
    weighted min(1, ``MAX_SIGNAL_ITEMS`` / items having it)."""
    holders: dict[Any, list[int]] = defaultdict(list)
    for i, keys in enumerate(sets):
        for key in sorted(keys):  # a set's order changes from run to run
            holders[key].append(i)
    rows, cols, data = [], [], []
    for column, members in enumerate(holders.values()):
        weight = min(1.0, MAX_SIGNAL_ITEMS / len(members))
        rows.extend(members)
        cols.extend([column] * len(members))
        data.extend([weight**0.5] * len(members))
    shape = (len(sets), max(len(holders), 1))
    return csr_matrix((data, (rows, cols)), shape=shape)


def _nearest(vectors: Vectors, k: int) -> tuple[npt.NDArray[np.intp], Vectors]:
    """Each item's ``k`` nearest other items (−1 where there are fewer) and their
    cosines, nearest first."""
    n = len(vectors)
    if n < 2:
        return np.full((n, 0), -1, dtype=np.intp), np.zeros((n, 0))
    index = Index(ndim=vectors.shape[1], metric="cos", dtype="f32")
    index.add(np.arange(n), vectors.astype(np.float32), threads=1)  # the same graph every run
    found = index.search(vectors.astype(np.float32), min(k + 1, n), threads=THREADS)
    assert isinstance(found, BatchMatches)  # a batch of queries gives a batch of matches
    keys = np.asarray(found.keys, dtype=np.int64).reshape(n, -1)
    found_count = np.asarray(found.counts).reshape(n, 1)
    filled = np.arange(keys.shape[1])[None, :] < found_count  # the rest is not written
    keys = np.where(filled, keys, -1)
    distances = np.where(filled, np.asarray(found.distances).reshape(n, -1), 1.0)
    cosines = 1.0 - distances.astype(np.float64)
    order = np.argsort(keys == np.arange(n)[:, None], axis=1, kind="stable")  # itself last
    keys = np.take_along_axis(keys, order, axis=1)[:, :-1]
    cosines = np.take_along_axis(cosines, order, axis=1)[:, :-1]
    valid = (keys >= 0) & (keys < n)
    return np.where(valid, keys, -1).astype(np.intp), np.where(valid, cosines, 0.0)


def candidate_pairs(scorer: Scorer) -> npt.NDArray[np.intp]:
    """Nearest neighbours by cosine, plus pairs sharing an uncommon figure or
    organisation: rows (i, j), i < j, each pair once."""
    n = len(scorer.vectors)
    near = scorer.neighbours[:, :NEIGHBOURS]
    left = np.repeat(np.arange(n), near.shape[1])
    right = near.ravel()
    holders: dict[object, list[int]] = defaultdict(list)
    for i, sig in enumerate(scorer.sigs):
        for key in (*sorted(sig.figures), *sorted(sig.organisations)):
            holders[key].append(i)
    shared = [pair for m in holders.values() if len(m) <= MAX_SIGNAL_ITEMS
              for pair in combinations(m, 2)]  # fmt: skip
    shared += list(scorer.labels)  # editors' pairs are always weighed
    if shared:
        extra = np.array(shared, dtype=np.intp)
        left, right = np.concatenate([left, extra[:, 0]]), np.concatenate([right, extra[:, 1]])
    keep = (right >= 0) & (right != left)
    low, high = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    codes = np.unique(low.astype(np.int64) * n + high)
    return np.stack([codes // n, codes % n], axis=1).astype(np.intp)


def groups(scorer: Scorer, threshold: float) -> list[list[int]]:
    """Average-link groups, computed per connected component of strong pairs (a
    component of more than ``MAX_LINKAGE`` items split first, see :func:`components`)."""
    n = len(scorer.entries)
    candidates = candidate_pairs(scorer)
    if len(candidates):
        left, right = candidates[:, 0], candidates[:, 1]
        sims = scorer.pairs(left, right)
    else:
        left = right = np.zeros(0, dtype=np.intp)
        sims = np.zeros(0)
    result: list[list[int]] = []
    for members in components(np.arange(n), left, right, sims, threshold):
        result.extend(_average_link(scorer, members, threshold))
    return sorted(_apply_labels(result, scorer.labels) if scorer.labels else result)


def components(
    nodes: npt.NDArray[np.intp],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    sims: Vectors,
    cut: float,
) -> list[list[int]]:
    """Connected components of ``nodes`` joined by the pairs of similarity ≥ ``cut``;
    one of more than ``MAX_LINKAGE`` items (chained through many pairs: average-linking
    it whole would hold its full distance matrix) is split again at ``cut`` +
    ``LINKAGE_STEP``, until every part is small enough."""
    keep = sims >= cut
    left, right, sims = left[keep], right[keep], sims[keep]
    position = np.full(int(nodes.max()) + 1 if len(nodes) else 0, -1, dtype=np.intp)
    position[nodes] = np.arange(len(nodes))
    size = len(nodes)
    graph = coo_matrix((np.ones(len(left)), (position[left], position[right])), (size, size))
    _, labels = connected_components(graph, directed=False)
    edge_label = labels[position[left]]
    result: list[list[int]] = []
    for label in np.unique(labels):
        members = nodes[labels == label]
        if len(members) <= MAX_LINKAGE:
            result.append(members.tolist())
            continue
        inside = edge_label == label
        result += components(members, left[inside], right[inside], sims[inside], cut + LINKAGE_STEP)
    return result


def _apply_labels(
    found: list[list[int]], labels: Mapping[tuple[int, int], bool]
) -> list[list[int]]:
    """Join groups holding a pair labelled the same (unless a pair labelled different
    would end up together), then move an item labelled different from an earlier item
    of its group out to a group of its own."""
    group_of = {i: g for g, members in enumerate(found) for i in members}
    joined = [set(members) for members in found]
    different = [pair for pair, same in labels.items() if not same]
    for (i, j), same in sorted(labels.items()):
        a, b = group_of[i], group_of[j]
        if not same or a == b:
            continue
        union = joined[a] | joined[b]
        if any(x in union and y in union for x, y in different):
            continue
        joined[a], joined[b] = union, set()
        group_of.update(dict.fromkeys(union, a))
    result = []
    for members in joined:
        kept: list[int] = []
        for i in sorted(members):
            if any(
                (min(i, k), max(i, k)) in labels and not labels[(min(i, k), max(i, k))]
                for k in kept
            ):
                result.append([i])
            else:
                kept.append(i)
        if kept:
            result.append(kept)
    return result


def _average_link(scorer: Scorer, members: list[int], threshold: float) -> list[list[int]]:
    if len(members) == 1:
        return [members]
    distances = 2.0 - scorer.block(members, members)
    condensed = distances[np.triu_indices(len(members), k=1)]
    labels = fcluster(linkage(condensed, method="average"), t=2.0 - threshold, criterion="distance")
    found: dict[int, list[int]] = defaultdict(list)
    for member, label in zip(members, labels, strict=True):
        found[int(label)].append(member)
    return list(found.values())


def cluster(
    entries: Sequence[Classified],
    embed: Embedder,
    organisations: Matcher,
    threshold: float = THRESHOLD,
    earlier: Collection[str] = (),
    labels: Labels | None = None,
    known: Mapping[str, Signals] | None = None,
) -> list[Story]:
    """Stories of the given items, in order of their first item; ``earlier``: URLs of
    items earlier issues cited (see :func:`same_event`); ``labels``: editors' judgements
    of pairs (module docstring); ``known``: signals already computed, by item URL (the
    store's enrichment)."""
    if not entries:
        return []
    known = known or {}
    sigs = [known.get(e.item.url) or signals(e, organisations) for e in entries]
    scorer = Scorer(entries, vectors_of(entries, embed), sigs, labels)
    found = [
        part for group in groups(scorer, threshold) for part in same_event(scorer, group, earlier)
    ]
    return [_story([entries[i] for i in group]) for group in sorted(found)]


def same_event(scorer: Scorer, group: list[int], earlier: Collection[str]) -> list[list[int]]:
    """A group joining items earlier issues cited with new ones stays one story (a
    follow-up) only when some old–new pair has similarity ≥ ``FOLLOW_UP_SIMILARITY``;
    else the old items and the new ones are two stories (no "续报" of another event)."""
    old = [i for i in group if scorer.entries[i].item.url in earlier]
    new = [i for i in group if scorer.entries[i].item.url not in earlier]
    if not old or not new:
        return [group]
    if float(scorer.block(old, new).max()) >= FOLLOW_UP_SIMILARITY:
        return [group]
    return [old, new]


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
