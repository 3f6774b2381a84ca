"""``dongtai verify``: re-check an issue (by date) or any briefing.json against the store.

Prints the gate's report (``--all`` adds every supported claim with its evidence) or,
with ``--json``, the verification record itself (structured failures: kind, where,
JSON pointer, span, reason). Exit status 0 when every claim is supported, 1 when one
fails, 2 on an error (unreadable file, no such issue).
"""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dongtai.cli.app import app, say, settings
from dongtai.cli.build import parse_date
from dongtai.errors import InputError


@app.command(name="verify")
def verify_command(
    target: Annotated[str, typer.Argument(help="Issue date YYYY-MM-DD, or a briefing.json file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the verification as JSON.")
    ] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Also list every supported claim with its evidence.")
    ] = False,
) -> None:
    """Check every figure, date, organisation and quote against the items cited."""
    from dongtai.verify.recheck import issue_briefing, read_briefing, recheck, report_lines

    s = settings()
    try:
        date.fromisoformat(target)
    except ValueError:
        briefing, origin = (
            read_briefing(_briefing_file(Path(target), s.ingest.max_file_bytes)),
            target,
        )
    else:
        briefing, origin = issue_briefing(s, parse_date(target))
    verification = recheck(s, briefing)
    if as_json:
        say(json.dumps(verification.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        say(f"{briefing.title} · {briefing.date} · {origin}")
        for line in report_lines(verification, every):
            say(line)
    if not verification.passed:
        raise typer.Exit(1)


def _briefing_file(path: Path, limit: int) -> Path:
    """``path`` when it is a regular file within the input size limit."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} is not a regular file")
    if info.st_size > limit:
        raise InputError(f"{path} is larger than the {limit:,}-byte input limit")
    return path
