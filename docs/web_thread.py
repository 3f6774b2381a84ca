"""Builds the workspace of the README's thread screenshot: the three issue dates of
``tests/data/thread-days.jsonl`` (SIA's monthly chip sales reported over three days),
through the pipeline, as ``tests/test_web_threads.py`` does.

Run: ``.venv/bin/python docs/web_thread.py /tmp/threads``.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from dongtai import pipeline
from dongtai.config import load_settings
from dongtai.ingest import store_lines
from dongtai.sources import load_registry
from dongtai.store import open_store
from dongtai.zones import zone

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "thread-days.jsonl"


def main(home: str) -> None:
    settings = load_settings(home=Path(home))
    store = open_store(settings.db_url)
    registry = load_registry(settings.home)
    lines = DATA.read_text("utf-8").splitlines()
    store_lines(store, lines, registry, zone(settings.timezone), 0.4)
    for day in (3, 4, 5):
        result = pipeline.build(settings, date(2026, 6, day), store=store)
        print(result.briefing.date, result.status, len(result.briefing.sections), "sections")


if __name__ == "__main__":
    main(*sys.argv[1:])
