"""The daily run of one issue date: fetch → brief → approval or publish.

Rules:
- one run per workspace and date at a time (:func:`dongtai.publish.lock.day_lock`); a
  second one waits ``wait`` seconds, then stops with a one-line message;
- each finished step (``fetch``, ``brief``, ``published``) is recorded with its time;
  a run started again (after a crash, ``kill -9``, a reboot) skips the finished steps
  and continues; a published issue is never published again (and the delivery log
  makes each delivery once even when a run dies while publishing);
- after ``brief``: in ``approve`` mode the run stops ``awaiting-approval`` until an
  editor approves (``dongtai approve D`` or the web desk), and the next run (the
  scheduler polls) publishes; in ``auto`` mode a verified issue is published at once;
  an issue that failed verification is never published without an approval (override);
- operator notices (:mod:`dongtai.publish.notices`): the run failed, verification
  failed, a source failed ``publish.source_down_runs`` fetches in a row, a delivery
  failed — once per problem.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dongtai import pipeline
from dongtai.config import Settings
from dongtai.models import FetchRun
from dongtai.publish import notices
from dongtai.publish.approval import publishable
from dongtai.publish.deliver import Report, publish_issue
from dongtai.publish.issue import load_issue
from dongtai.publish.lock import day_lock
from dongtai.store import Store, open_store
from dongtai.store.publishing import Ledger

STEPS = ("fetch", "brief", "published")


@dataclass
class DayResult:
    """What one run did: final status, a one-line message, seconds per step run now."""

    issue_date: date
    status: str  # published | partial | awaiting-approval | blocked | failed
    message: str
    seconds: dict[str, float] = field(default_factory=dict)
    report: Report | None = None


def today(settings: Settings, now: datetime | None = None) -> date:
    """Today's date in the issue time zone (Asia/Shanghai by default)."""
    tz = ZoneInfo(settings.timezone)
    return (now.astimezone(tz) if now else datetime.now(tz)).date()


def fetch_all(
    settings: Settings, store: Store, only: Sequence[str] | None = None
) -> list[FetchRun]:
    """What ``dongtai fetch`` does: every enabled source (or those named) into the store.

    The one place publishing calls the fetcher."""
    from dongtai.fetch.run import fetch_sources, fetchable
    from dongtai.sources import load_registry

    registry = load_registry(settings.home)
    rsshub = settings.fetch.rsshub_url
    if only is None:
        chosen = fetchable(registry, rsshub_url=rsshub)
    else:
        chosen = [
            source for name in only for source in fetchable(registry, name, rsshub_url=rsshub)
        ]
    return fetch_sources(settings, store, registry, chosen)


def fetch_and_watch(
    settings: Settings, store: Store, only: Sequence[str] | None = None
) -> list[FetchRun]:
    """Fetch, then tell the operator about sources failing ``publish.source_down_runs``
    runs in a row (once each; forgotten when they recover)."""
    runs = fetch_all(settings, store, only)
    failing = store.failing_sources(settings.publish.source_down_runs)
    keys = [f"source-down:{h.source}" for h in failing]
    for health, key in zip(failing, keys, strict=True):
        subject = f"信息源 {health.source} 连续失败"
        text = (
            f"Source {health.source} failed {health.consecutive_failures} fetch runs "
            f"in a row: {health.last_error}"
        )
        notices.notify(settings, store, key, subject, text)
    notices.resolve(store, "source-down:", still=keys)
    return runs


def run_day(
    settings: Settings,
    issue_date: date,
    wait: float = 0.0,
    fetch: bool = True,
    fetch_only: Sequence[str] | None = None,
    store: Store | None = None,
) -> DayResult:
    """Run (or continue) the day of ``issue_date``; see the module docstring."""
    store = store or open_store(settings.db_url)
    ledger = Ledger(store)
    with day_lock(settings, issue_date, wait):
        try:
            return _Day(settings, store, ledger, issue_date).run(fetch, fetch_only)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
            ledger.mark_run(issue_date, "failed", message=message)
            subject = f"{issue_date} 期运行失败"
            text = f"The run of {issue_date} failed: {message}"
            notices.notify(settings, store, f"run-failed:{issue_date}", subject, text)
            raise


@dataclass
class _Day:
    settings: Settings
    store: Store
    ledger: Ledger
    issue_date: date

    def run(self, fetch: bool, fetch_only: Sequence[str] | None) -> DayResult:
        d = self.issue_date
        stored = self.ledger.run(d)
        done = stored.steps if stored else {}
        if "published" in done:
            return DayResult(d, "published", f"the issue of {d} was published already")
        seconds: dict[str, float] = {}
        if fetch and "fetch" not in done:
            self._step("fetch", "fetching", seconds, lambda: self._fetch(fetch_only))
        if "brief" not in done:
            self._step("brief", "briefing", seconds, self._brief)
        result = self._publish(seconds)
        result.seconds = seconds
        return result

    def _step(
        self, step: str, doing: str, seconds: dict[str, float], work: Callable[[], None]
    ) -> None:
        self.ledger.mark_run(self.issue_date, doing)
        started = time.perf_counter()
        work()
        seconds[step] = time.perf_counter() - started
        self.ledger.mark_run(self.issue_date, f"{step} done", step=step)

    def _fetch(self, only: Sequence[str] | None) -> None:
        fetch_and_watch(self.settings, self.store, only)

    def _brief(self) -> None:
        pipeline.build(self.settings, self.issue_date, store=self.store)

    def _publish(self, seconds: dict[str, float]) -> DayResult:
        d = self.issue_date
        issue = load_issue(self.settings, self.store, d)
        if issue.status == "failed":
            unsupported = len(issue.briefing.verification.unsupported)
            text = (
                f"The issue of {d} failed verification: {unsupported} unsupported claim(s). "
                "It is not published until an editor corrects or approves it (override)."
            )
            key = f"verification-failed:{d}:{issue.version}"
            notices.notify(self.settings, self.store, key, f"{d} 期核验未通过", text)
        allowed, why = publishable(self.settings, self.store, issue)
        if not allowed:
            status = "blocked" if issue.status == "failed" else "awaiting-approval"
            self.ledger.mark_run(d, status, message=why)
            return DayResult(d, status, why)
        if not self.settings.publish.channels:
            why = "no channel configured (publish.channels): nothing to send"
            self.ledger.mark_run(d, "awaiting-channels", message=why)
            return DayResult(d, "awaiting-channels", why)
        started = time.perf_counter()
        report = publish_issue(self.settings, d, store=self.store, locked=True)
        seconds["publish"] = time.perf_counter() - started
        if report.ok:
            self.ledger.mark_run(d, "published", step="published")
            message = f"published: {report.sent} sent now, {report.already} earlier"
            return DayResult(d, "published", message, report=report)
        failed = ", ".join(sorted({f.channel for f in report.failed}))
        message = f"{len(report.failed)} delivery(ies) failed ({failed}); run again to retry"
        self.ledger.mark_run(d, "partial", message=message)
        return DayResult(d, "partial", message, report=report)
