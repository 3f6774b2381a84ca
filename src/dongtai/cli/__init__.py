"""The command line: a thin shell over the library.

Commands live in the modules of this package, each registering on the one typer
``app`` (:mod:`dongtai.cli.app`). Errors raised as :class:`~dongtai.errors.DongtaiError`
become one line on stderr and exit status 2; a briefing that fails verification or an
ingest with rejected lines exits 1.
"""

from __future__ import annotations

import sys

from dongtai.cli import build, manual, sources  # noqa: F401  (register their commands)
from dongtai.cli import publish as publish_commands  # noqa: F401  (run, approve, publish, ...)
from dongtai.cli import serve as serve_command  # noqa: F401  (web app: ``serve``)
from dongtai.cli import stories as stories_command  # noqa: F401  (stories, explain)
from dongtai.cli import users as users_commands  # noqa: F401  (``users add``, ``users list``)
from dongtai.cli import verify as verify_command  # noqa: F401  (registers ``verify``)
from dongtai.cli import worker as worker_command  # noqa: F401  (``worker``)
from dongtai.cli.app import app, warn
from dongtai.errors import DongtaiError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: usage errors and exit codes as typer gives them, our errors in one line."""
    try:
        app()
    except DongtaiError as exc:
        warn(f"error: {exc}")
        sys.exit(2)
