"""Time zones and issue windows: cheap to import (standard library only).

An issue dated D covers ``[D − hours, D)``, D at midnight in the issue time zone
(``Asia/Shanghai`` by default).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dongtai.errors import ConfigError


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name``; a clear error when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}") from exc


def issue_window(issue_date: date, hours: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[D − hours, D)`` with D at midnight in the issue time zone."""
    end = datetime.combine(issue_date, time(0), tzinfo=tz)
    return end - timedelta(hours=hours), end
