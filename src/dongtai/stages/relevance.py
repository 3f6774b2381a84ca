"""Relevance model: how likely an item is strategic-industry news the bulletin reports.

A logistic regression over two kinds of features of the item's cleaned title and lead
(the first ``LEAD_CHARS`` characters of the body):

- the multilingual sentence embedding of title and lead (512 numbers, the encoder the
  clustering uses), which carries meaning across English and Chinese;
- hashed character unigrams and bigrams of the title (``HASH_DIM`` buckets, CRC-32,
  binary, scaled to unit length), which catch the surface of ads, notices, court
  papers and forum posts ("欢迎咨询", "判决书", "投诉", "吧").

The weights ship as ``data/relevance.json`` and are trained, deterministically, by
``bench/train_relevance.py`` on our hand labels of real news (the tuning days of
``bench/realdays.py``), NLPCC 2017 headlines and the topic examples; the bench script
prints precision and recall on held-out data. Nothing is trained or downloaded at run
time.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from dongtai.errors import ConfigError
from dongtai.text.embedding import Embedder

MODEL_FILE = "relevance.json"
HASH_DIM = 4096
LEAD_CHARS = 120
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Model:
    weights: npt.NDArray[np.float64]
    bias: float
    threshold: float
    confident: float = 1.0

    def probability(self, features: Matrix) -> npt.NDArray[np.float64]:
        """Probabilities of dense feature rows (:func:`features`: training, evaluation)."""
        return _sigmoid(features @ self.weights + self.bias)

    def score(self, vectors: Matrix, titles: Sequence[str]) -> npt.NDArray[np.float64]:
        """The same probabilities from the embeddings and the titles, the n-grams kept
        sparse (a day of 100,000 items would need 3.7 GB of dense rows)."""
        dim = vectors.shape[1]
        z = vectors @ self.weights[:dim] + char_grams(titles) @ self.weights[dim:] + self.bias
        return _sigmoid(np.asarray(z, dtype=np.float64))


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
    return result


def text_of(title: str, body: str) -> str:
    return f"{title}\n{body[:LEAD_CHARS]}"


def char_grams(titles: Sequence[str]) -> Any:
    """Hashed, binary, unit-length character unigrams and bigrams of each title, as a
    sparse (CSR) matrix of ``HASH_DIM`` columns."""
    from scipy.sparse import csr_matrix

    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, title in enumerate(titles):
        text = "".join(title.lower().split())
        grams = set(text) | {text[i : i + 2] for i in range(len(text) - 1)}
        if not grams:
            continue
        buckets = {zlib.crc32(gram.encode()) % HASH_DIM for gram in grams}
        rows += [row] * len(buckets)
        columns += buckets
        values += [1.0 / math.sqrt(len(grams))] * len(buckets)
    return csr_matrix((values, (rows, columns)), shape=(len(titles), HASH_DIM))


def char_features(titles: Sequence[str]) -> Matrix:
    """:func:`char_grams` as dense rows (training and evaluation)."""
    dense: Matrix = char_grams(titles).toarray()
    return dense


def features(titles: Sequence[str], bodies: Sequence[str], embed: Embedder) -> Matrix:
    """The model's input rows: embedding of title and lead, then hashed title n-grams."""
    if not titles:
        return np.zeros((0, 512 + HASH_DIM))
    vectors = embed([text_of(t, b) for t, b in zip(titles, bodies, strict=True)])
    return np.hstack([vectors.astype(np.float64), char_features(titles)])


@cache
def load_model() -> Model:
    """The shipped model (``data/relevance.json``)."""
    try:
        text = resources.files("dongtai").joinpath(f"data/{MODEL_FILE}").read_text("utf-8")
        data = json.loads(text)
        weights = np.asarray(data["weights"], dtype=np.float64)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"the relevance model data/{MODEL_FILE} is unreadable: {exc}") from exc
    if weights.shape != (512 + HASH_DIM,):
        raise ConfigError(f"the relevance model has {weights.shape} weights, expected 4608")
    return Model(
        weights=weights,
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        confident=float(data.get("confident", 1.0)),
    )


def save_model(model: Model, path: str, note: str) -> None:
    """Write a model as the shipped JSON (weights rounded to 6 decimals)."""
    data = {
        "note": note,
        "hash_dim": HASH_DIM,
        "lead_chars": LEAD_CHARS,
        "threshold": round(model.threshold, 4),
        "confident": round(model.confident, 4),
        "bias": round(model.bias, 6),
        "weights": [round(float(w), 6) for w in model.weights],
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, separators=(",", ":"))
        handle.write("\n")
