"""Commands for the source registry and fetching: ``sources [list]``, ``sources add``,
``sources check``, ``fetch``.

``sources add`` writes the workspace registry ``HOME/sources.yaml`` (on top of the
shipped one) atomically, after checking the new entry; an id already registered is
refused. ``fetch`` exits 1 when any source failed (the others are stored all the same).
The library is imported inside each command, so that the registry commands start fast.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from dongtai.cli.app import app, err, out, say, settings, table
from dongtai.errors import InputError

if TYPE_CHECKING:
    from dongtai.models import FetchRun, Source, SourceHealth

sources_app = typer.Typer(help="The source registry and each source's fetch health.")
app.add_typer(sources_app, name="sources")

SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
KINDS = {"rss": "rss", "atom": "atom", "json": "json-feed", "json-feed": "json-feed",
         "html": "html", "sitemap": "sitemap", "folder": "folder", "rsshub": "rsshub"}  # fmt: skip


@sources_app.callback(invoke_without_command=True)
def sources_default(ctx: typer.Context) -> None:
    """Without a sub-command: the registry with fetch health (as ``sources list``)."""
    if ctx.invoked_subcommand is None:
        list_sources()


JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per source.")]


@sources_app.command("list")
def list_sources(as_json: JsonOption = False) -> None:
    """Every registered source with its ways in and its fetch health."""
    from dongtai.sources import load_registry
    from dongtai.store.health import source_health

    s = settings()
    registry = load_registry(s.home)
    health = source_health(s.db_url)
    rsshub_url = s.fetch.rsshub_url
    if as_json:
        data = [_health_json(x, health.get(x.id), rsshub_url) for x in registry.sources.values()]
        say(json.dumps(data, ensure_ascii=False, indent=2))
        return
    columns = ("id", "kind", "lang", "url or route", "last success", "read by", "fails",
               "last error")  # fmt: skip
    rows = [_health_row(x, health.get(x.id), rsshub_url) for x in registry.sources.values()]
    table(f"sources ({len(registry.sources)})", columns, rows)


def _health_row(source: Source, health: SourceHealth | None, rsshub_url: str) -> list[str]:
    where = source.route if source.kind == "rsshub" else source.url or "—"
    if source.fallbacks:
        where += f" (+{len(source.fallbacks)} fallback{'s' if len(source.fallbacks) > 1 else ''})"
    kind: str = source.kind
    if not source.enabled:
        kind += " (disabled)"
    elif source.kind != "manual" and not source.readable(rsshub_url):
        kind += " (needs RSSHub)"
    if health is None:
        return [source.id, kind, source.language, where, "never fetched", "", "", ""]
    success = health.last_success.strftime("%Y-%m-%d %H:%M") if health.last_success else "never"
    fails = str(health.consecutive_failures) if health.consecutive_failures else ""
    row = [source.id, kind, source.language, where, success, health.last_way.split(" ", 1)[0]]
    return [*row, fails, health.last_error[:80]]


def _health_json(source: Source, health: SourceHealth | None, rsshub_url: str) -> dict[str, Any]:
    fields = ("id", "kind", "url", "route", "language", "enabled", "note", "provenance")
    data = source.model_dump(mode="json", include=set(fields) | {"fallbacks", "last_seen"})
    data["readable"] = source.kind != "manual" and source.readable(rsshub_url)
    data["ways"] = [way.label() for way in source.ways()]
    data.pop("fallbacks")
    if health is not None:
        data |= health.model_dump(mode="json", exclude={"source"})
    return data


@sources_app.command("add")
def add_source(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="Lowercase id, unique.")],
    url: Annotated[
        str, typer.Argument(help="Feed, listing or sitemap URL, a folder, or an RSSHub route.")
    ],
    kind: Annotated[
        str, typer.Option(help="rss, atom, json, html, sitemap, folder or rsshub.")
    ] = "rss",
    language: Annotated[str, typer.Option(help="en or zh.")] = "en",
    name: Annotated[str | None, typer.Option(help="Display name (default: the id).")] = None,
    selector: Annotated[str, typer.Option(help="CSS selector of article links (html).")] = "",
) -> None:
    """Add a source to the workspace registry (on top of the shipped one)."""
    from dongtai.sources import WORKSPACE_REGISTRY, load_registry

    s = settings()
    if not SOURCE_ID.fullmatch(source_id):
        raise InputError(
            f"ID must be 1–64 of a-z 0-9 _ . - (starting with a letter or digit), got {source_id!r}"
        )
    if kind not in KINDS:
        raise InputError(
            f"--kind must be one of rss, atom, json, html, sitemap, folder, rsshub; got {kind!r}"
        )
    if language not in ("en", "zh"):
        raise InputError(f"--language must be en or zh, got {language!r}")
    if KINDS[kind] == "html" and not selector:
        raise InputError("an html source needs --selector (CSS selector of the article links)")
    if source_id in load_registry(s.home).sources:
        raise InputError(f"a source with id {source_id!r} is already registered")
    entry = _entry(source_id, url, KINDS[kind], _lang(language), name or source_id, selector)
    _append(s.home / WORKSPACE_REGISTRY, entry)
    load_registry(s.home)  # the file as written must load
    say(f"added {source_id} ({entry['kind']}) to {s.home / WORKSPACE_REGISTRY}")


def _lang(language: str) -> Literal["en", "zh"]:
    return "zh" if language == "zh" else "en"


def _entry(
    source_id: str, url: str, kind: str, language: Literal["en", "zh"], name: str, selector: str
) -> dict[str, Any]:
    from pydantic import ValidationError

    from dongtai.models import Source

    if kind == "folder":
        url = str(Path(url).expanduser().resolve())
    fields = {"id": source_id, "name_en": name, "name_zh": name, "kind": kind}
    fields |= {"route": url} if kind == "rsshub" else {"url": url}
    fields |= {"language": language, "selector": selector}
    fields |= {"provenance": f"added with `dongtai sources add` on {date.today().isoformat()}"}
    try:
        data = Source.model_validate(fields).model_dump(mode="json", include=set(fields))
    except ValidationError as exc:
        raise InputError(f"invalid source: {exc.errors()[0]['msg']}") from None
    return {k: v for k, v in data.items() if v != ""}


def _append(path: Path, entry: dict[str, Any]) -> None:
    import yaml

    from dongtai.sources import read_yaml

    data: Any = {}
    if path.is_file():
        data = read_yaml(path.read_text("utf-8")) or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping with 'sources'")
    data["sources"] = [*(data.get("sources") or []), entry]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    os.replace(temporary, path)


@sources_app.command("check")
def check(
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Sources (all).")
    ] = None,
    allow_private_network: Annotated[
        bool, typer.Option(help="Allow private and loopback addresses (not metadata).")
    ] = False,
    stale_days: Annotated[float, typer.Option(help="Newest item older than this: stale.")] = 14.0,
    as_json: JsonOption = False,
) -> None:
    """Read each source once, politely, storing nothing: does it work, and if not, why.

    Exits 1 when any source checked is neither working nor manual."""
    from dongtai.fetch.check import check_sources
    from dongtai.sources import load_registry

    s = settings()
    registry = load_registry(s.home)
    unknown = [i for i in ids or [] if i not in registry.sources]
    if unknown:
        raise InputError(f"no source with id {', '.join(map(repr, unknown))} in the registry")
    chosen = [registry.sources[i] for i in ids] if ids else list(registry.sources.values())
    with err.status(f"checking {len(chosen)} source(s)…"):
        results = check_sources(s.fetch, chosen, allow_private_network, stale_days)
    if as_json:
        say(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        columns = ("id", "status", "items", "newest (h)", "robots", "advice")
        rows = [(r.id, r.status, str(r.items), _hours(r.newest_age_hours), r.robots, r.advice)
                for r in results]  # fmt: skip
        table(f"checked {len(results)} source(s)", columns, rows)
    if any(r.status not in ("ok", "manual") for r in results):
        raise typer.Exit(1)


@app.command()
def fetch(
    source: Annotated[str | None, typer.Option("--source", help="Fetch this source only.")] = None,
    allow_private_network: Annotated[
        bool, typer.Option(help="Allow private and loopback addresses (not metadata).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue one task per source for `dongtai worker`.")
    ] = False,
) -> None:
    """Fetch every enabled source (or one) into the store: new, unchanged, failed, why."""
    if queue:
        _queue(source, allow_private_network)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from dongtai.fetch.run import fetch_sources, fetchable
    from dongtai.sources import load_registry
    from dongtai.store import open_store

    s = settings()
    registry = load_registry(s.home)
    chosen = fetchable(registry, source, rsshub_url=s.fetch.rsshub_url)
    store = open_store(s.db_url)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("fetching", total=len(chosen))

        def advance(run: FetchRun) -> None:
            bar.update(task, description=f"{run.source}: {run.status}", advance=1)

        runs = fetch_sources(s, store, registry, chosen, allow_private_network, advance)
    if as_json:
        say(json.dumps([_summary(r) for r in runs], ensure_ascii=False, indent=2))
    else:
        _table(runs)
    if any(r.status == "failed" for r in runs):
        raise typer.Exit(1)


def _hours(age: float | None) -> str:
    return "" if age is None else f"{age:.0f}"


def _queue(source: str | None, allow_private_network: bool) -> None:
    from dongtai.fetch.run import fetchable
    from dongtai.sources import load_registry
    from dongtai.workers import enqueue_fetch

    s = settings()
    chosen = fetchable(load_registry(s.home), source, rsshub_url=s.fetch.rsshub_url)
    queued = enqueue_fetch(s, [c.id for c in chosen], allow_private_network)
    say(f"{queued} source(s) queued for the workers")


def _summary(run: FetchRun) -> dict[str, Any]:
    return {"id": run.source, "status": run.status, "new": run.new, "unchanged": run.unchanged,
            "failed": run.failed, "error": run.error, "way": run.way}  # fmt: skip


def _table(runs: list[FetchRun]) -> None:
    from rich.table import Table

    table = Table(title=f"fetched {len(runs)} source(s)")
    table.add_column("source")
    table.add_column("status")
    for column in ("new", "unchanged", "failed"):
        table.add_column(column, justify="right")
    table.add_column("read by", overflow="fold")
    table.add_column("why", overflow="fold")
    for run in runs:
        table.add_row(run.source, run.status, str(run.new), str(run.unchanged), str(run.failed),
                      run.way, run.error[:160])  # fmt: skip
    out.print(table)
    total = sum(r.new for r in runs)
    failed = sum(1 for r in runs if r.status == "failed")
    say(f"{total} new item(s); {failed} source(s) failed")
