"""Work on every core: a large batch split in parts, one forked process per core.

Rules:
- :func:`map_parts` splits a list in ``processes()`` contiguous parts and returns the
  concatenated results of ``work`` on each, in order: the same result as ``work`` on
  the whole list when ``work`` treats its items independently;
- it forks only when that is safe and pays: the batch has ``min_size`` items or more,
  the process may use two cores or more, it has no other thread (a command line run or
  a bench; a worker or the web app has threads, and forking a threaded process can
  deadlock the child) and it is not itself a child of such a pool; otherwise ``work``
  runs here, on the whole list;
- the children are forked, so they share what the parent has loaded (the encoder's
  weights, the name automaton) without copying or pickling it: only the part's index
  goes to a child and only its result comes back;
- numpy's BLAS runs one thread per process (``threadpoolctl``), so ``processes()``
  children use the cores without oversubscribing them.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_job: tuple[Callable[[Any], Any], list[Any]] | None = None  # what forked children run


def processes() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def may_fork() -> bool:
    return (
        processes() >= 2
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def map_parts(
    work: Callable[[Sequence[T]], Iterable[R]], items: Sequence[T], min_size: int
) -> list[R]:
    """``work`` over ``items``, on every core when it pays (rules in the module docstring)."""
    if len(items) < min_size or not may_fork():
        return list(work(items))
    count = processes()
    size = -(-len(items) // count)
    global _job
    _job = (work, [items[start : start + size] for start in range(0, len(items), size)])
    try:
        with multiprocessing.get_context("fork").Pool(len(_job[1])) as pool:
            parts = pool.map(_run_part, range(len(_job[1])))
    finally:
        _job = None
    return [result for part in parts for result in part]


def _run_part(index: int) -> list[Any]:
    from threadpoolctl import threadpool_limits

    assert _job is not None  # set by the parent before it forked
    work, parts = _job
    with threadpool_limits(limits=1):
        return list(work(parts[index]))
