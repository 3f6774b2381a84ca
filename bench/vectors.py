"""Benchmark: where item embeddings live — float32 bytes in a table (SQLite, PostgreSQL
bytea) against a usearch index saved on disk — for what ``brief`` does with them: read
a day's vectors, then find each item's nearest neighbours.

N random unit vectors of 512 dimensions (the encoder's), one row per item URL. For each
kind of storage: time to write them, time to read them all back into one matrix, size
on disk; then neighbour search on the loaded vectors: exact (numpy, blocks of rows) and
the usearch HNSW index (built in memory, or loaded from its file). pgvector is measured
only where the server offers the extension (said when it does not).

Run: ``nice .venv/bin/python bench/vectors.py [--n 10000]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, create_engine, text
from usearch.index import Index

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workers import database

DIM = 512
K = 10


def vectors(n: int) -> np.ndarray:
    data = np.random.default_rng(7).standard_normal((n, DIM)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def table_round_trip(engine: Engine, data: np.ndarray) -> tuple[float, float]:
    """Seconds to write the rows, seconds to read them back into one matrix."""
    blob = (engine.dialect.name == "postgresql" and "bytea") or "blob"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE vec (url varchar(2000) PRIMARY KEY, v {blob})"))
    rows = [{"url": f"https://example.com/{n}", "v": data[n].tobytes()} for n in range(len(data))]
    start = time.perf_counter()
    with engine.begin() as conn:
        for first in range(0, len(rows), 500):
            conn.execute(text("INSERT INTO vec VALUES (:url, :v)"), rows[first : first + 500])
    written = time.perf_counter() - start
    start = time.perf_counter()
    with engine.connect() as conn:
        blobs = [v for (v,) in conn.execute(text("SELECT v FROM vec"))]
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), DIM)
    read = time.perf_counter() - start
    assert matrix.shape == data.shape
    return written, read


def exact_neighbours(data: np.ndarray) -> float:
    start = time.perf_counter()
    for first in range(0, len(data), 2048):
        scores = data[first : first + 2048] @ data.T
        np.argpartition(-scores, K, axis=1)[:, :K]
    return time.perf_counter() - start


def usearch_figures(data: np.ndarray, folder: Path) -> dict[str, float]:
    keys = np.arange(len(data), dtype=np.uint64)
    start = time.perf_counter()
    index = Index(ndim=DIM, metric="cos", dtype="f32")
    index.add(keys, data, threads=2)
    built = time.perf_counter() - start
    path = folder / "day.usearch"
    index.save(str(path))
    start = time.perf_counter()
    loaded = Index.restore(str(path), view=True)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    found = loaded.search(data, K, threads=2)
    searched = time.perf_counter() - start
    recall = float(np.mean(found.keys[:, 0] == keys))
    return {"build": built, "open": opened, "search": searched, "self_recall": recall,
            "mb": path.stat().st_size / 1e6}  # fmt: skip


def postgresql(engine: Engine, data: np.ndarray) -> None:
    try:
        written, read = table_round_trip(engine, data)
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_total_relation_size('vec')")).scalar()
            has = conn.execute(text(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
            )).scalar()  # fmt: skip
    finally:
        engine.dispose()
    print(f"PostgreSQL bytea column: write {written:.2f} s, read all {read:.2f} s,"
          f" {int(size or 0) / 1e6:.1f} MB")  # fmt: skip
    print("pgvector: " + ("offered by the server (not measured here)" if has else
                          "not offered by this server (pg_available_extensions)"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    data = vectors(n)
    print(f"{n} vectors of {DIM} float32 ({data.nbytes / 1e6:.1f} MB raw)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite = create_engine(f"sqlite:///{folder / 'v.db'}")
        written, read = table_round_trip(sqlite, data)
        size = os.path.getsize(folder / "v.db") / 1e6
        print(f"SQLite blob column: write {written:.2f} s, read all {read:.2f} s, {size:.1f} MB")
        with database() as url:
            if url:
                postgresql(create_engine(url), data)
            else:
                print("PostgreSQL: not reachable on 127.0.0.1:5432")
        print(f"exact {K} neighbours of every vector (numpy): {exact_neighbours(data):.2f} s")
        u = usearch_figures(data, folder)
        print(f"usearch HNSW: build {u['build']:.2f} s, file {u['mb']:.1f} MB, open (mmap)"
              f" {u['open'] * 1000:.0f} ms, {K} neighbours of every vector {u['search']:.2f} s,"
              f" finds itself first {u['self_recall']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
