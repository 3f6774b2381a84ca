"""One run per workspace and issue date at a time.

The lock is an OS file lock (``flock``; ``msvcrt.locking`` on Windows) on
``HOME/locks/run-D.lock``: the operating system releases it when the process ends, even
by ``kill -9``, so a crashed run never leaves a stale lock behind. The holder's pid is
written into the file for the message the second run prints. The lock is per
workspace: several machines sharing one PostgreSQL database need one scheduler.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from dongtai.config import Settings
from dongtai.errors import DongtaiError


class LockedError(DongtaiError):
    """Another process is running the same issue date."""


def lock_path(settings: Settings, issue_date: date) -> Path:
    return settings.home / "locks" / f"run-{issue_date.isoformat()}.lock"


@contextmanager
def day_lock(settings: Settings, issue_date: date, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock of ``issue_date``; wait up to ``wait`` seconds for it, else raise
    :class:`LockedError` naming the holder."""
    path = lock_path(settings, issue_date)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = _holder(path)
                raise LockedError(
                    f"a run for {issue_date} is already in progress{holder}; try again later"
                )
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    try:
        pid = path.read_text("ascii").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
