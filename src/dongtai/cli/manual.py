"""Commands for items brought in by hand: ``add-url``, and the pasted-text and saved-page
forms of ``ingest`` (``--text-file``; ``FILE.html``), for outlets no fetch can read.

The library is imported inside each command, so that other commands start fast.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dongtai.cli.app import app, say, settings
from dongtai.errors import InputError

if TYPE_CHECKING:
    from dongtai.fetch.manual import Added


@app.command("add-url")
def add_url(
    url: Annotated[str, typer.Argument(help="The article's address.")],
    source: Annotated[
        str | None, typer.Option(help="Outlet (registry id or name); default: by host.")
    ] = None,
    allow_private_network: Annotated[
        bool, typer.Option(help="Allow private and loopback addresses (not metadata).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the item as JSON.")] = False,
) -> None:
    """Fetch one article (robots.txt obeyed), extract it and store it as an item."""
    from dongtai.fetch.manual import add_url as add
    from dongtai.sources import load_registry
    from dongtai.store import open_store

    s = settings()
    added = add(s, open_store(s.db_url), load_registry(s.home), url, source, allow_private_network)
    _report(added, as_json)


def ingest_by_hand(
    html_files: list[Path],
    text_file: Path | None,
    source: str | None,
    title: str | None,
    published: str | None,
    url: str | None,
) -> None:
    """``ingest FILE.html`` and ``ingest --text-file``: one item each."""
    from dongtai.fetch.manual import add_html_file, add_text
    from dongtai.sources import load_registry
    from dongtai.store import open_store

    s = settings()
    store, registry = open_store(s.db_url), load_registry(s.home)
    when = _date(published) if published else None
    if len(html_files) > 1 and url:
        raise InputError("--url names one page: give one HTML file with it")
    for path in html_files:
        _report(add_html_file(s, store, registry, path, source, url or "", when), False)
    if text_file is None:
        return
    missing = [name for name, value in (("--source", source), ("--title", title),
               ("--published", published), ("--url", url)) if not value]  # fmt: skip
    if missing:
        raise InputError(f"a pasted text needs {', '.join(missing)}")
    try:
        text = text_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {text_file}: {exc}") from exc
    assert source and title and when and url
    _report(add_text(s, store, registry, text, source, title, when, url), False)


def _date(value: str) -> date | datetime:
    try:
        if len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--published must be YYYY-MM-DD or ISO 8601, got {value!r}") from None
    if moment.tzinfo is None:
        raise InputError(f"--published needs a UTC offset: {value!r}")
    return moment


def _report(added: Added, as_json: bool) -> None:
    if as_json:
        fields = {"url": added.url, "source": added.source, "title": added.title, "new": added.new}
        say(json.dumps(fields, ensure_ascii=False))
        return
    state = "stored" if added.new else "already stored"
    say(f"{state}: {added.source}: {added.title} <{added.url}>")
