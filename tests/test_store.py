"""The store's migrations (one linear chain, numbered by file name, applied once) and
concurrent writers, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import random
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from dongtai.models import Item, Source, Story
from dongtai.store import MIGRATIONS, Store, head_revision, open_store
from dongtai.store.publishing import Ledger


def revisions() -> list[tuple[str, str, str | None]]:
    """(file number, revision, down_revision) of every migration file, in file order."""
    found = []
    for path in sorted((MIGRATIONS / "versions").glob("[0-9]*.py")):
        source = path.read_text("utf-8")
        revision = re.search(r'^revision = "(\w+)"', source, re.M)
        down = re.search(r'^down_revision = (?:"(\w+)"|None)', source, re.M)
        assert revision and down, path.name
        found.append((path.name.split("_", 1)[0], revision.group(1), down.group(1)))
    return found


def test_migrations_form_one_chain_named_by_their_file_numbers() -> None:
    chain = revisions()
    assert [number for number, _, _ in chain] == [revision for _, revision, _ in chain]
    assert [down for _, _, down in chain] == [None, *(r for _, r, _ in chain[:-1])]
    assert head_revision() == chain[-1][1]


def test_a_store_at_the_head_opens_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = open_store(url)
    with store.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head_revision()
    probe = (
        "import sys\nfrom dongtai.store import open_store\n"
        f"open_store({url!r})\nprint('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["False"], done.stderr


def test_the_newest_migration_applies_once_on_each_database(store: Store) -> None:
    with store.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [v for (v,) in versions] == [head_revision()]
    open_store(str(store.engine.url.render_as_string(hide_password=False)))  # at head: no-op


WRITERS = 4
SHARED = 300  # items every writer inserts, each in its own order
OWN = 50  # items only one writer inserts
DAY = date(2026, 5, 6)


def _item(n: int) -> Item:
    return Item(url=f"https://example.com/a/{n}", source="wire", title=f"Story {n}",
                published=datetime(2026, 5, 5, 8, tzinfo=UTC), text="Chip sales rose.",
                language="en")  # fmt: skip


def _write(url: str, writer: int) -> tuple[int, set[tuple[str, str]]]:
    """One writer process: overlapping items, the day's stories, shared deliveries.
    (items it found new, the (key, delivery id) of every delivery it was given)"""
    store = open_store(url)
    shared = list(range(SHARED))
    random.Random(writer).shuffle(shared)
    mine = range(10_000 + writer * OWN, 10_000 + (writer + 1) * OWN)
    new = 0
    for start in range(0, SHARED, 30):
        new += sum(store.add_items([_item(n) for n in [*shared[start : start + 30], *mine]]))
    stories = [Story(id=f"s{n}", topic="chips", items=(_item(n),), score=writer)
               for n in range(10)]  # fmt: skip
    ledger = Ledger(store)
    seen: set[tuple[str, str]] = set()
    for _ in range(5):
        store.save_stories(DAY, stories)
        for key in range(10):
            made = ledger.delivery(f"k{key}", f"d{key}-{writer}", (DAY, "v1", "email", "a@b"))
            seen.add((made.key, made.delivery_id))
    store.engine.dispose()
    return new, seen


def test_concurrent_writers_neither_duplicate_nor_lose_rows(store: Store) -> None:
    store.save_sources([Source(id="wire", name_en="Wire", name_zh="通讯社")])
    url = store.engine.url.render_as_string(hide_password=False)
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        results = pool.starmap(_write, [(url, w) for w in range(WRITERS)])
    assert sum(new for new, _ in results) == SHARED + WRITERS * OWN  # each row new once
    assert store.count_items() == SHARED + WRITERS * OWN
    deliveries = Ledger(store).deliveries(DAY)
    assert sorted(d.key for d in deliveries) == [f"k{n}" for n in range(10)]
    stored = {(d.key, d.delivery_id) for d in deliveries}
    assert all(seen == stored for _, seen in results)  # every writer got the one row
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, score FROM stories")).all()
    assert sorted(i for i, _ in rows) == sorted(f"s{n}" for n in range(10))
    assert len({score for _, score in rows}) == 1  # one writer's version, not a mix
