"""Work on every core: forked parts give the result of one process, in order, and a
process with threads never forks."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from dongtai import parallel
from dongtai.text import embedding

pytestmark = pytest.mark.skipif(parallel.processes() < 2, reason="one core: nothing to fork")


def pids(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def test_parts_run_in_forked_children_and_come_back_in_order() -> None:
    done = parallel.map_parts(pids, list(range(10)), min_size=4)
    assert [item for item, _ in done] == list(range(10))
    workers = {pid for _, pid in done}
    assert os.getpid() not in workers and len(workers) == min(parallel.processes(), 10)
    small = parallel.map_parts(pids, [1, 2, 3], min_size=4)
    assert {pid for _, pid in small} == {os.getpid()}  # below the size: in process


def test_a_process_with_threads_works_in_process() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        done = parallel.map_parts(pids, list(range(10)), min_size=4)
    finally:
        stop.set()
        other.join()
    assert {pid for _, pid in done} == {os.getpid()}


def test_the_encoder_on_every_core_gives_the_vectors_of_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [
        f"第 {n} 条：国产光刻机交付 {n} 台" if n % 2 else f"Chipmaker ships {n} tools"
        for n in range(40)
    ]
    alone = embedding._encode(texts)
    monkeypatch.setattr(embedding, "PARALLEL_MIN", 8)
    spread = embedding._encode_all(texts)
    assert spread.shape == alone.shape
    assert np.abs(spread - alone).max() < 1e-6
