"""The store's migrations: one linear chain, numbered by file name, applied once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from dongtai.store import MIGRATIONS, head_revision, open_store


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
