"""Operations commands: ``run``, ``schedule``, ``approve``, ``publish``, ``deliveries``.

``run`` exits 0 when the issue was published or waits for an approval, 1 when a
delivery failed or the issue is blocked by failed verification; a second run of the
same date exits 2 with a one-line message (``--wait`` waits for it instead).
``deliveries --json`` prints one object per delivery: ``channel``, ``status``
(delivered, failed, pending), ``attempts``, ``at`` (then date, version, recipient,
parts, permanent, response, delivery_id). Heavy imports stay inside the commands.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from dongtai.cli.app import app, out, say, settings, warn
from dongtai.errors import InputError

if TYPE_CHECKING:
    from dongtai.store.publishing import Delivery


def _date(text: str | None) -> date:
    if text is None:
        from dongtai.publish.run import today

        return today(settings())
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"the date must be YYYY-MM-DD, got {text!r}") from None


DateOption = Annotated[
    str | None, typer.Option("--date", help="Issue date YYYY-MM-DD (default: today).")
]


@app.command("run")
def run_command(
    on: DateOption = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for a run of the same date in progress.")
    ] = 0.0,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Skip the fetch step.")] = False,
) -> None:
    """The day: fetch → brief → wait for approval, or publish when verified (auto mode)."""
    from dongtai.publish.run import run_day

    result = run_day(settings(), _date(on), wait=wait, fetch=not no_fetch)
    for step, seconds in result.seconds.items():
        say(f"{step}: {seconds:.1f} s")
    say(f"{result.issue_date}: {result.status} — {result.message}")
    if result.report is not None:
        _table(result.report.deliveries)
    if result.status in ("partial", "blocked"):
        raise typer.Exit(1)


@app.command()
def approve(
    on: Annotated[str, typer.Argument(metavar="D", help="Issue date YYYY-MM-DD.")],
    by: Annotated[str | None, typer.Option(help="Approver (default: the login name).")] = None,
    override: Annotated[
        bool, typer.Option(help="Approve although verification failed (recorded).")
    ] = False,
) -> None:
    """Approve the issue of date D for publishing (its current version)."""
    from dongtai.publish import approve as approve_issue

    approval = approve_issue(settings(), _date(on), by or getpass.getuser(), override)
    extra = " (override: verification failed)" if approval.override else ""
    say(f"approved {approval.issue_date} version {approval.version} by {approval.by}{extra}")


@app.command()
def publish(
    on: Annotated[str, typer.Argument(metavar="D", help="Issue date YYYY-MM-DD.")],
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Only this channel (repeatable).")
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option(help="Also retry deliveries that failed permanently.")
    ] = False,
) -> None:
    """Send the issue of date D to its channels; what was delivered is not sent again."""
    from dongtai.publish.deliver import publish_issue

    report = publish_issue(settings(), _date(on), channel, retry_permanent=retry_failed)
    _table(report.deliveries)
    say(f"{report.sent} delivered now, {report.already} earlier, {len(report.failed)} failed")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def deliveries(
    on: DateOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per delivery.")] = False,
) -> None:
    """The delivery log (of one date): channel, recipient, status, attempts, response."""
    from dongtai.store import open_store
    from dongtai.store.publishing import Ledger

    rows = Ledger(open_store(settings().db_url)).deliveries(_date(on) if on else None)
    if as_json:
        say(json.dumps([d.as_json() for d in rows], ensure_ascii=False, indent=2))
    else:
        _table(rows)


@app.command()
def schedule() -> None:
    """Run the day at the configured times (the schedule settings) until stopped."""
    from dongtai.publish import schedule as scheduling

    s = settings()
    for line in scheduling.describe(s):
        say(line)
    scheduling.run_forever(s, say, warn)


def _table(rows: list[Delivery]) -> None:
    from rich.table import Table

    table = Table(title=f"deliveries ({len(rows)})")
    for column in ("date", "channel", "recipient", "status", "attempts", "parts", "response"):
        table.add_column(column, overflow="fold")
    for d in rows:
        parts = f"{d.parts_sent}/{d.parts_total}"
        cells = (d.issue_date.isoformat(), d.channel, d.recipient or "—", d.status)
        table.add_row(*cells, str(d.attempts), parts, d.response[:120])
    out.print(table)
