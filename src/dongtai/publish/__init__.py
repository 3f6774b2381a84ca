"""Publishing: the daily run, approval, channels (plugins), the delivery log, notices.

Library entry points (the CLI and the web app call these):

- :func:`approve` — an editor approves the current version of an issue;
- :func:`publish` — send an approved (or, in auto mode, verified) issue to its channels,
  each delivery once (see :mod:`dongtai.publish.deliver`);
- :func:`run_day` — fetch → brief → approval or publish, resumable and locked per date
  (see :mod:`dongtai.publish.run`);
- :mod:`dongtai.publish.schedule` — the day at configured times (APScheduler).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dongtai.publish.approval import approve, latest_approval
from dongtai.publish.issue import PublishError

if TYPE_CHECKING:
    from dongtai.config import Settings
    from dongtai.publish.deliver import Report
    from dongtai.publish.run import DayResult

__all__ = ["PublishError", "approve", "latest_approval", "publish", "run_day"]


def publish(settings: Settings, issue_date: date, channels: list[str] | None = None) -> Report:
    """Send the issue of ``issue_date`` to ``channels`` (default: ``publish.channels``);
    each delivery once (see :mod:`dongtai.publish.deliver`)."""
    from dongtai.publish.deliver import publish_issue

    return publish_issue(settings, issue_date, channels)


def run_day(settings: Settings, issue_date: date, wait: float = 0.0) -> DayResult:
    """fetch → brief → approval or publish for one date: resumable, one at a time
    (see :mod:`dongtai.publish.run`)."""
    from dongtai.publish.run import run_day as run

    return run(settings, issue_date, wait=wait)
