"""Commands that build issues: ``ingest``, ``brief``, ``demo`` and ``stage``.

The library is imported inside each command, so that other commands start fast.
"""

from __future__ import annotations

import os
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dongtai.cli.app import app, err, out, say, settings, state, warn
from dongtai.errors import InputError

if TYPE_CHECKING:
    from dongtai.config import Settings
    from dongtai.pipeline import Result

SAMPLE = "data/sample/sample-2026-05-06.jsonl"
DEMO_DATE = date(2026, 5, 6)
FIRST_DATE, LAST_DATE = date(1970, 1, 3), date(2100, 12, 31)  # a window of 48 h fits


@app.command()
def ingest(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Item JSON Lines files, or saved HTML pages (*.html).", exists=False),
    ] = None,
    text_file: Annotated[
        Path | None, typer.Option(help="A pasted text: needs --source --title --published --url.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Outlet of a page or text.")] = None,
    title: Annotated[str | None, typer.Option(help="Title of a pasted text.")] = None,
    published: Annotated[str | None, typer.Option(help="Date of a page or text.")] = None,
    url: Annotated[str | None, typer.Option(help="Address of a page or text.")] = None,
) -> None:
    """Store the items of JSON Lines files; bad lines are reported and skipped. Saved HTML
    pages and a pasted text (``--text-file``) become one item each."""
    pages = [f for f in files or [] if f.suffix.lower() in (".html", ".htm")]
    if pages or text_file is not None:
        from dongtai.cli.manual import ingest_by_hand

        ingest_by_hand(pages, text_file, source, title, published, url)
    s = settings()
    rejected = 0
    for path in files or []:
        if path not in pages:
            rejected += _ingest_file(s, path)
    if not files and text_file is None:
        raise InputError("give item JSON Lines files, saved HTML pages or --text-file")
    if rejected:
        raise typer.Exit(1)


def _ingest_file(s: Settings, path: Path) -> int:
    from dongtai.ingest import read_input, split_lines, store_lines
    from dongtai.sources import load_registry
    from dongtai.store import open_store
    from dongtai.zones import zone

    lines = split_lines(read_input(path, s.ingest.max_file_bytes))
    registry = load_registry(s.home)
    store = open_store(s.db_url)
    stored = store_lines(store, lines, registry, zone(s.timezone), s.default_weight, s.ingest)
    for error in stored.errors:
        warn(f"{path}:{error.line}: {error.reason}")
    say(f"{path}: {stored.new} new, {stored.already} already stored, {len(stored.errors)} rejected")
    return len(stored.errors)


@app.command()
def brief(
    on: Annotated[str, typer.Option("--date", help="Issue date YYYY-MM-DD.")],
    writer: Annotated[str | None, typer.Option(help="Writer plugin (default: extractive).")] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="Comma-separated formats, e.g. md,html,json.")
    ] = None,
    window_hours: Annotated[
        int | None, typer.Option(help="Hours before the issue date (default 48).")
    ] = None,
    allow_unverified: Annotated[
        bool | None,
        typer.Option(
            "--allow-unverified",
            help="Publish even if verification fails (recorded in the issue's metadata).",
        ),
    ] = None,
    queue: Annotated[
        bool,
        typer.Option("--queue", help="Queue the build for `dongtai worker` (its settings apply)."),
    ] = False,
) -> None:
    """Build the briefing of one date from the stored items."""
    if queue:
        from dongtai.workers import enqueue_brief

        enqueue_brief(settings(), parse_date(on))
        say(f"briefing of {parse_date(on)} queued for the workers")
        return
    formats = [f.strip() for f in format.split(",") if f.strip()] if format is not None else None
    if formats == []:
        raise InputError(f"--format lists no format: {format!r} (e.g. md,html,pdf,json)")
    s = settings(
        writer=writer,
        formats=formats,
        window_hours=window_hours,
        allow_unverified=allow_unverified,
    )
    _build(s, parse_date(on))


@app.command()
def demo() -> None:
    """Build the 2026-05-06 sample briefing from the bundled sample corpus, offline."""
    from dongtai.config import load_settings

    home = state.home
    if home is None and "DONGTAI_HOME" not in os.environ:
        home = Path.cwd() / "dongtai-demo"
    s = load_settings(home=home)
    sample = resources.files("dongtai").joinpath(SAMPLE)
    with resources.as_file(sample) as path:
        _ingest_file(s, path)
    _build(s, DEMO_DATE)


@app.command()
def stage(
    name: Annotated[str, typer.Argument(help="Stage name: select, dedupe, … render.")],
    on: Annotated[str, typer.Option("--date", help="Issue date YYYY-MM-DD.")],
) -> None:
    """Re-run one pipeline stage from the stored output of the stage before it."""
    from dongtai.pipeline import run_stage

    s = settings()
    output = run_stage(s, parse_date(on), name)
    size = len(output) if isinstance(output, list) else 1
    out.print(f"stage {name} for {on}: {size} record(s) stored")


def _build(s: Settings, issue_date: date) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dongtai import pipeline

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("building", total=len(pipeline.NAMES))

        def advance(stage: str) -> None:
            bar.update(task, description=f"{issue_date} · {stage}", advance=1)

        result = pipeline.build(s, issue_date, progress=advance)
    _summary(result)
    if result.status == "failed":
        raise typer.Exit(1)


def _summary(result: Result) -> None:
    b = result.briefing
    from rich.table import Table

    table = Table(title=f"{b.title} · {b.date}", show_lines=False)
    table.add_column("§")
    table.add_column("section")
    table.add_column("refs", justify="right")
    for section in b.sections:
        refs = {n for sub in section.subsections for p in sub.paragraphs for n in p.refs}
        table.add_row(section.number, section.title, str(len(refs)))
    out.print(table)
    v = b.verification
    if v.passed:
        out.print(f"verification passed: {v.checked} claims checked")
    else:
        err.print(f"verification FAILED: {len(v.unsupported)} of {v.checked} claims unsupported")
        for claim in v.unsupported:
            warn(f"  {claim.where}: {claim.text} ({claim.kind}: {claim.reason})")
        if v.allow_unverified:
            warn("published anyway: --allow-unverified (recorded in the issue's verification)")
    for note in b.operator_notes:
        warn(f"operator note: {note}")
    for path in result.paths:
        say(f"wrote {path}")


def parse_date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--date must be YYYY-MM-DD, got {text[:40]!r}") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InputError(f"--date must be between {FIRST_DATE} and {LAST_DATE}, got {text}")
    return day
