"""What the store knows about stories that continue over days: the day's ranked stories
that ``recall`` made follow-ups ("续报") of an earlier issue.

Rules it applies: a follow-up is read from the ``stories`` table (written by ``rank``),
whose reasons say "follow-up of YYYY-MM-DD" for such a story (:mod:`dongtai.stages.rank`);
the query filters on that text in the database, so a year of stories is not read to find
the few follow-ups. Read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, select

from dongtai.store import Store
from dongtai.store.schema import StoryRow

__all__ = ["FollowUp", "follow_ups"]

MARK = "follow-up of "
_DATE = re.compile(re.escape(MARK) + r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class FollowUp:
    """A story of ``issue_date`` that continues the one reported on ``earlier``."""

    issue_date: date
    earlier: date
    item_urls: tuple[str, ...]


def follow_ups(store: Store) -> list[FollowUp]:
    """Every follow-up story of every issue date, oldest first."""
    query = (
        select(StoryRow.issue_date, StoryRow.reasons, StoryRow.item_urls)
        .where(cast(StoryRow.reasons, String).contains(MARK))
        .order_by(StoryRow.issue_date)
    )
    found = []
    with store._session() as session:
        for day, reasons, urls in session.execute(query):
            for reason in reasons:
                match = _DATE.search(reason)
                if match:
                    found.append(FollowUp(day, date.fromisoformat(match[1]), tuple(urls)))
                    break
    return found
