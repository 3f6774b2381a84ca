"""The day at configured times, with APScheduler, in the issue time zone.

Jobs (``[schedule]``, times in ``timezone``, Asia/Shanghai by default, whatever the
server's own zone):

- ``fetch`` every ``fetch_every`` minutes: every enabled source into the store, source
  outages told to the operator (after ``publish.source_down_runs`` failures in a row);
- ``brief`` at ``brief_at`` (06:30): :func:`dongtai.publish.run.run_day` for today —
  fetch, brief, then publish (auto mode, verified) or wait for an approval;
- ``poll`` every ``approval_poll`` minutes: continue today's run once it has been
  briefed and is not published yet (publishes as soon as an editor approves; retries
  failed deliveries);
- ``deadline`` at ``publish_deadline`` (07:30): if today's issue is not published, the
  operator is told once.

Missed runs: every job coalesces (runs missed while the process was busy or the machine
suspended run once, not once per miss) and may start up to ``misfire_grace`` minutes
late. On start, :func:`catch_up` runs today's brief once if its time has passed by less
than ``misfire_grace`` minutes and the issue is not published (the machine was down at
06:30); the run's own record makes a second catch-up a no-op. A job never raises into
the scheduler: a failure is logged (and told to the operator by the run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dongtai.config import Settings
from dongtai.errors import DongtaiError
from dongtai.publish import notices
from dongtai.publish.run import fetch_and_watch, run_day, today
from dongtai.store import open_store
from dongtai.store.publishing import Ledger

log = logging.getLogger(__name__)
Job = Callable[[Settings], object]
Say = Callable[[str], None]


def clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def job_fetch(settings: Settings) -> object:
    store = open_store(settings.db_url)
    runs = fetch_and_watch(settings, store)
    return f"fetched {len(runs)} source(s)"


def job_brief(settings: Settings) -> object:
    result = run_day(settings, today(settings))
    return f"{result.issue_date}: {result.status} — {result.message}"


def job_poll(settings: Settings) -> object:
    day = today(settings)
    run = Ledger(open_store(settings.db_url)).run(day)
    if run is None or "brief" not in run.steps or "published" in run.steps:
        return "nothing to do"
    return job_brief(settings)


def job_deadline(settings: Settings) -> object:
    day = today(settings)
    store = open_store(settings.db_url)
    run = Ledger(store).run(day)
    if run is not None and "published" in run.steps:
        return "published in time"
    status = f"{run.status}: {run.message}" if run else "no run"
    notices.notify(
        settings,
        store,
        f"not-published:{day}",
        f"{day} 期未按时发布",
        f"The issue of {day} is not published at the deadline ({status}).",
    )
    return f"{day} not published at the deadline ({status})"


JOBS: dict[str, Job] = {
    "fetch": job_fetch,
    "brief": job_brief,
    "poll": job_poll,
    "deadline": job_deadline,
}


def build_scheduler(
    settings: Settings, blocking: bool = False, jobs: dict[str, Job] | None = None
) -> Any:
    """An APScheduler scheduler (not started) with the day's jobs in the issue time zone."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    plan = settings.schedule
    tz = ZoneInfo(settings.timezone)
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": plan.misfire_grace * 60}
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=tz, job_defaults=defaults)
    chosen = {**JOBS, **(jobs or {})}
    brief, deadline = clock(plan.brief_at), clock(plan.publish_deadline)
    triggers = {
        "brief": CronTrigger(hour=brief.hour, minute=brief.minute, timezone=tz),
        "poll": IntervalTrigger(minutes=plan.approval_poll, timezone=tz),
        "deadline": CronTrigger(hour=deadline.hour, minute=deadline.minute, timezone=tz),
    }
    if plan.fetch_every:
        triggers["fetch"] = IntervalTrigger(minutes=plan.fetch_every, timezone=tz)
    for name, trigger in triggers.items():
        scheduler.add_job(_guarded, trigger, args=[name, chosen[name], settings], id=name,
                          name=name)  # fmt: skip
    return scheduler


def _guarded(name: str, job: Job, settings: Settings) -> None:
    try:
        log.info("%s: %s", name, job(settings))
    except DongtaiError as exc:
        log.warning("%s: %s", name, exc)
    except Exception:  # the scheduler must keep running
        log.exception("%s failed", name)


def catch_up(settings: Settings, now: datetime | None = None, brief: Job = job_brief) -> list[str]:
    """Run today's brief once if its time passed (within ``misfire_grace``) and the
    issue is not published yet; what was done, one line each."""
    tz = ZoneInfo(settings.timezone)
    moment = (now or datetime.now(UTC)).astimezone(tz)
    due = datetime.combine(moment.date(), clock(settings.schedule.brief_at), tzinfo=tz)
    late = moment - due
    if late < timedelta(0):
        return []
    run = Ledger(open_store(settings.db_url)).run(moment.date())
    if run is not None and "published" in run.steps:
        return []
    if late > timedelta(minutes=settings.schedule.misfire_grace):
        return [f"{moment.date()}: the {settings.schedule.brief_at} run was missed by "
                f"{late} (over misfire_grace); run `dongtai run` to build it"]  # fmt: skip
    if run is not None and "brief" in run.steps:
        return []  # briefed already: the poll job continues it
    return [f"catch-up: {brief(settings)}"]


def describe(settings: Settings) -> list[str]:
    plan = settings.schedule
    fetch = f"every {plan.fetch_every} min" if plan.fetch_every else "off"
    return [
        f"time zone {settings.timezone}; fetch {fetch}; brief at {plan.brief_at}; "
        f"approvals checked every {plan.approval_poll} min; deadline {plan.publish_deadline}",
        f"mode {settings.publish.mode}; channels: {', '.join(settings.publish.channels) or '—'}",
    ]


def start_background(settings: Settings) -> Any:
    """Start the jobs in a background thread (``dongtai serve``); returns the
    scheduler (call ``shutdown()`` on exit). Today's missed brief is caught up first."""
    from apscheduler.triggers.date import DateTrigger

    scheduler = build_scheduler(settings)
    scheduler.add_job(_caught_up, DateTrigger(), args=[settings], id="catch-up")
    scheduler.start()
    return scheduler


def _caught_up(settings: Settings) -> None:
    try:
        for line in catch_up(settings):
            log.info(line)
    except Exception:
        log.exception("catch-up failed")


def run_forever(settings: Settings, say: Say, warn: Say) -> None:
    """``dongtai schedule``: catch up, then run the jobs until Ctrl-C or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for line in catch_up(settings):
        say(line)
    scheduler = build_scheduler(settings, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        warn("schedule stopped")
