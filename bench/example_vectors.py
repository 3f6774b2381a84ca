"""Write the sentence encoder's vectors of the shipped topics' examples
(``src/dongtai/data/example_vectors.npz``), read by ``classify.example_vectors()`` so
that a brief of enriched items never loads the encoder. Run it after changing the
examples in ``data/topics.yaml`` (``tests/test_enrich.py`` fails until then).

    python bench/example_vectors.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dongtai.stages.classify import EXAMPLE_VECTORS, load_topics
from dongtai.text.embedding import embed

TARGET = Path(__file__).resolve().parents[1] / "src" / "dongtai" / EXAMPLE_VECTORS


def shipped_examples() -> list[str]:
    topics = load_topics()
    return list(dict.fromkeys(e for topic in topics.on + topics.off for e in topic.examples))


def main() -> None:
    texts = shipped_examples()
    np.savez_compressed(TARGET, texts=np.array(texts), vectors=embed(texts))
    print(f"{len(texts)} example vectors written to {TARGET}")


if __name__ == "__main__":
    main()
