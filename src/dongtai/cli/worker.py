"""``dongtai worker``: take tasks from the queue (DONGTAI_BROKER_URL) until stopped;
``dongtai brief --queue`` and ``dongtai fetch --queue`` (in their modules) fill it."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from dongtai.cli.app import app, settings, warn


@app.command()
def worker(
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="Tasks run at once by this process.")
    ] = 8,
    verbose: Annotated[bool, typer.Option("--verbose", help="Log every task.")] = False,
) -> None:
    """Run queued tasks (fetch-source, extract-page, enrich-items, brief-day) until stopped.

    Start as many as the machines allow; a task is acknowledged only once its result is
    stored, so a worker killed mid-task loses nothing (another one does the task)."""
    from dongtai.workers import tasks

    s = settings()
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")  # fmt: skip
    logging.getLogger("pika").setLevel(logging.WARNING)
    line = f"worker: {threads} thread(s), queue {s.broker_queue!r}; stop with Ctrl-C or SIGTERM"
    tasks.run(s, threads, ready=lambda: warn(line))
