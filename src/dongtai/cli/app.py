"""The typer application and what every command shares: the workspace option,
settings, and the two consoles (results on stdout, problems on stderr)."""

from __future__ import annotations

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

    return load_settings(home=state.home, **overrides)


def say(text: str) -> None:
    """A plain line on stdout (no markup interpretation)."""
    out.print(text, markup=False, highlight=False)


def warn(text: str) -> None:
    """A plain line on stderr (no markup interpretation)."""
    err.print(text, markup=False, highlight=False)
