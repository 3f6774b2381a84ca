"""The schedule: jobs fire at Asia/Shanghai times whatever the server's zone; missed
runs coalesce into one; today's missed brief is caught up once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dongtai.config import Settings
from dongtai.publish.schedule import build_scheduler, catch_up
from dongtai.store import open_store
from dongtai.store.publishing import Ledger


def test_brief_and_deadline_fire_at_shanghai_times_on_a_utc_server(settings: Settings) -> None:
    scheduler = build_scheduler(settings)
    now = datetime(2026, 5, 5, 20, 0, tzinfo=UTC)  # 04:00 on 6 May in Shanghai
    brief = scheduler.get_job("brief").trigger.get_next_fire_time(None, now)
    deadline = scheduler.get_job("deadline").trigger.get_next_fire_time(None, now)
    assert brief.astimezone(UTC) == datetime(2026, 5, 5, 22, 30, tzinfo=UTC)  # 06:30 +08:00
    assert deadline.astimezone(UTC) == datetime(2026, 5, 5, 23, 30, tzinfo=UTC)
    later = datetime(2026, 5, 5, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai: brief is tomorrow
    assert scheduler.get_job("brief").trigger.get_next_fire_time(None, later).astimezone(
        UTC
    ) == datetime(2026, 5, 6, 22, 30, tzinfo=UTC)


def test_runs_missed_while_busy_coalesce_into_one(settings: Settings) -> None:
    calls: list[float] = []
    fired = threading.Event()

    def count(_: Settings) -> str:
        calls.append(time.monotonic())
        fired.set()
        return "counted"

    s = settings.model_copy(
        update={"schedule": settings.schedule.model_copy(update={"fetch_every": 1})}
    )
    scheduler = build_scheduler(s, jobs={"fetch": count})
    for name in ("brief", "poll", "deadline"):
        scheduler.remove_job(name)
    scheduler.start(paused=True)
    scheduler.modify_job("fetch", next_run_time=datetime.now(UTC) - timedelta(minutes=10))
    scheduler.resume()  # ten runs are due: one is run
    assert fired.wait(10)
    time.sleep(1.0)
    scheduler.shutdown()
    assert len(calls) == 1
    job_defaults = scheduler._job_defaults
    assert job_defaults["coalesce"] and job_defaults["misfire_grace_time"] == 180 * 60


def test_a_missed_brief_is_caught_up_once(settings: Settings, tmp_path: Path) -> None:
    runs: list[str] = []

    def brief(s: Settings) -> str:
        Ledger(open_store(s.db_url)).mark_run(
            datetime(2026, 5, 6).date(), "published", step="published"
        )
        runs.append("brief")
        return "ran"

    early = datetime(2026, 5, 5, 22, 0, tzinfo=UTC)  # 06:00 in Shanghai: not due yet
    assert catch_up(settings, early, brief) == [] and runs == []
    back = datetime(2026, 5, 6, 0, 15, tzinfo=UTC)  # 08:15: the machine was down at 06:30
    assert catch_up(settings, back, brief) == ["catch-up: ran"]
    assert catch_up(settings, back + timedelta(minutes=5), brief) == []  # published: no second run
    assert runs == ["brief"]


def test_a_brief_missed_beyond_the_grace_is_reported_not_run(settings: Settings) -> None:
    runs: list[str] = []
    evening = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    [line] = catch_up(settings, evening, lambda s: runs.append("brief"))
    assert "missed" in line and "dongtai run" in line and runs == []
