"""Enrichment: what an item says whatever the day, computed once when it is stored.

Rules:
- per item, the store keeps (table ``enrichment``, by URL): the sentence embedding of
  the clustering lead (:func:`dongtai.stages.cluster.lead_text`) and of the relevance
  model's text (:func:`dongtai.stages.relevance.text_of`, only when it differs), as
  float32 bytes; the figures and organisations it states (clustering signals); the
  MinHash signature of its body (near-duplicate search). Cleaning and language are
  already stored on the item itself;
- an enrichment is valid only for the content it was computed from: its ``digest``
  covers :data:`VERSION`, the texts the encoder saw, title, body, source and the
  organisation table; an item whose digest differs (page arrived, registry changed, or
  stored before enrichment existed) is enriched again when a ``brief`` first needs it;
- the day's stages read the enrichment instead of recomputing it: the embedder they
  receive (:class:`Known`) answers a text it was given a stored vector for from the
  store and asks the encoder only for the others, so a stored vector is used only for
  exactly the text it was computed from;
- enrichment never changes what the stages decide, only when the work is done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dongtai import parallel
from dongtai.models import Item
from dongtai.stages import cluster, dedupe, relevance
from dongtai.text.embedding import Embedder
from dongtai.text.matching import Matcher

if TYPE_CHECKING:
    from dongtai.store import Store

PARALLEL_MIN = 500  # items: below, signals and signatures are computed in process
VERSION = "1"  # raise when what is computed changes without its inputs changing
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Enrichment:
    """What one item says, whatever the day."""

    digest: str
    lead: Vector
    relevance: Vector | None
    signals: cluster.Signals
    signature: dedupe.Signature


class Enricher:
    """Computes enrichments against one organisation table and one encoder."""

    def __init__(self, organisation_names: Mapping[str, str], embed: Embedder) -> None:
        self.organisations = Matcher(organisation_names)
        self.embed = embed
        table = "\n".join(f"{k}\t{v}" for k, v in sorted(organisation_names.items()))
        self.fingerprint = hashlib.sha1(f"{VERSION}\n{table}".encode()).hexdigest()

    def digest(self, item: Item) -> str:
        parts = (self.fingerprint, item.source, item.language, item.title, item.text)
        return hashlib.sha1("\x00".join(parts).encode()).hexdigest()

    def compute(self, items: Sequence[Item]) -> list[Enrichment]:
        """Enrichments of the items: their distinct texts encoded in one batch (a text
        that several items share, a syndicated copy's, is encoded once), their signals
        and signatures computed on every core (:func:`dongtai.parallel.map_parts`)."""
        leads = [cluster.lead_text(item) for item in items]
        others = [relevance.text_of(item.title, item.text) for item in items]
        texts = list(dict.fromkeys([*leads, *others]))
        vector = dict(zip(texts, self.embed(texts), strict=True))
        marks = parallel.map_parts(self._marks, items, PARALLEL_MIN)
        return [
            Enrichment(
                digest=self.digest(item),
                lead=vector[leads[n]],
                relevance=None if others[n] == leads[n] else vector[others[n]],
                signals=signals,
                signature=signature,
            )
            for n, (item, (signals, signature)) in enumerate(zip(items, marks, strict=True))
        ]

    def _marks(self, items: Sequence[Item]) -> list[tuple[cluster.Signals, dedupe.Signature]]:
        """Each item's clustering signals and near-duplicate signature."""
        signals = [cluster.item_signals(item, self.organisations) for item in items]
        return list(zip(signals, dedupe.signatures(items), strict=True))

    def enrich(
        self, store: Store, items: Sequence[Item], save: bool = True
    ) -> dict[str, Enrichment]:
        """The items' enrichments by URL: stored ones whose digest still matches, the
        others computed (and stored when ``save``)."""
        rows = store.enrichment(item.url for item in items)
        current: dict[str, Enrichment] = {}
        for item in items:
            if item.url in rows and rows[item.url]["digest"] == self.digest(item):
                current[item.url] = _from_row(rows[item.url])
        missing = list({i.url: i for i in items if i.url not in current}.values())
        if missing:
            computed = dict(zip((i.url for i in missing), self.compute(missing), strict=True))
            if save:
                store.save_enrichment([_row(url, e) for url, e in computed.items()])
            current.update(computed)
        return current


class Known:
    """An embedder that answers from stored vectors the texts they were computed from
    (and from ``fixed``: texts whose vectors ship with the package, the topics'
    examples) and asks the encoder for any other text. ``encoded`` counts texts sent to
    it."""

    def __init__(
        self,
        items: Iterable[Item],
        found: Mapping[str, Enrichment],
        embed: Embedder,
        fixed: Mapping[str, Vector] | None = None,
    ) -> None:
        self.embed = embed
        self.vectors: dict[str, Vector] = dict(fixed or {})
        self.encoded = 0
        for item in items:
            enrichment = found.get(item.url)
            if enrichment is None:
                continue
            self.vectors[cluster.lead_text(item)] = enrichment.lead
            other = relevance.text_of(item.title, item.text)
            self.vectors.setdefault(
                other, enrichment.lead if enrichment.relevance is None else enrichment.relevance
            )

    def __call__(self, texts: list[str]) -> Vector:
        if not texts:
            return self.embed([])
        unknown = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        fresh = dict(zip(unknown, self.embed(unknown), strict=True)) if unknown else {}
        self.encoded += len(unknown)
        rows = [self.vectors[t] if t in self.vectors else fresh[t] for t in texts]
        return np.vstack(rows).astype(np.float32)


def _row(url: str, e: Enrichment) -> dict[str, Any]:
    return {
        "url": url,
        "digest": e.digest,
        "lead": np.asarray(e.lead, dtype=np.float32).tobytes(),
        "relevance": None if e.relevance is None else e.relevance.astype(np.float32).tobytes(),
        "signature": np.asarray(e.signature, dtype=np.uint32).tobytes(),
        "figures": sorted([kind, unit, value] for kind, unit, value in e.signals.figures),
        "organisations": sorted(e.signals.organisations),
    }


def _from_row(row: Mapping[str, Any]) -> Enrichment:
    figures = frozenset((str(k), str(u), float(v)) for k, u, v in row["figures"])
    return Enrichment(
        digest=row["digest"],
        lead=np.frombuffer(row["lead"], dtype=np.float32),
        relevance=None if row["relevance"] is None else np.frombuffer(row["relevance"], np.float32),
        signals=cluster.Signals(figures=figures, organisations=frozenset(row["organisations"])),
        signature=np.frombuffer(row["signature"], dtype=np.uint32),
    )
