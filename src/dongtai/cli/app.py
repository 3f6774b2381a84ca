"""The typer application and what every command shares: the workspace option,
settings, the two consoles (results on stdout, problems on stderr) and tables (drawn on
a terminal; plain aligned lines, one a row, when stdout is a pipe or a file)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from dongtai.config import Settings

app = typer.Typer(
    help="dongtai (动态): a cited daily intelligence briefing in Chinese from a day of news.",
    no_args_is_help=True,
    add_completion=False,
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class State:
    home: Path | None = None


state = State()

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Workspace folder (default: $DONGTAI_HOME or ~/.dongtai)."),
]


@app.callback()
def main_options(home: HomeOption = None) -> None:
    state.home = home


def settings(**overrides: object) -> Settings:
    """Settings with the workspace chosen on the command line and CLI overrides."""
    from dongtai.config import load_settings

    s = load_settings(home=state.home, **overrides)
    check_home(s.home)
    return s


def check_home(home: Path) -> None:
    """The workspace must be a folder, or a path where one can be created."""
    from dongtai.errors import InputError

    if not str(home).strip() or str(home) == ".":
        raise InputError("--home (or DONGTAI_HOME) is empty")
    if home.exists() and not home.is_dir():
        raise InputError(f"--home {home} is not a folder")
    for parent in home.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--home {home} lies under {parent}, which is not a folder")


def say(text: str) -> None:
    """A plain line on stdout (no markup interpretation; control characters dropped)."""
    out.print(_CONTROLS.sub("", text), markup=False, highlight=False)


def warn(text: str) -> None:
    """A plain line on stderr (no markup interpretation; control characters dropped)."""
    err.print(_CONTROLS.sub("", text), markup=False, highlight=False)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """``rows`` under their ``columns`` on stdout: a rich table (long cells folded) on a
    terminal; elsewhere the title, then one plain line a row, columns aligned, nothing
    folded (so that ``grep`` finds a whole row)."""
    if out.is_terminal:
        from rich.table import Table

        drawn = Table(title=title)
        for column in columns:
            drawn.add_column(column, overflow="fold")
        for row in rows:
            drawn.add_row(*row)
        out.print(drawn)
        return
    from rich.cells import cell_len

    widths = [max(map(cell_len, cells)) for cells in zip(columns, *rows, strict=True)]
    lines = [title]
    for row in (columns, *rows):
        cells = zip(row, widths, strict=True)
        line = "  ".join(cell + " " * (width - cell_len(cell)) for cell, width in cells)
        lines.append(line.rstrip())
    say("\n".join(lines))
