"""Publishing records: daily runs and their finished steps, approvals, the delivery log
and operator notices (tables created by migration 0003).

Rules:
- a run is one row per issue date; ``steps`` maps each finished step to the time it
  finished, so a run started again skips what is done;
- an approval names the issue *version* it approves (the hash of the briefing document):
  an issue changed after approval needs a new one; every approval is kept (history);
- a delivery is one row per issue version × channel × recipient, found by its ``key``
  (unique), so re-running publish finds what was already delivered; ``parts_sent``
  counts the messages of a split delivery already accepted, so a resumed delivery never
  sends a part twice;
- a notice is one row per problem ``key``: sent once; :meth:`Ledger.resolve_notices`
  forgets solved problems so that a new outage is reported again.

Times are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    String,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from dongtai.store import Store
from dongtai.store.convert import record, values
from dongtai.store.db import upsert
from dongtai.store.schema import Base, Dated, DateKey, Hash, IntKey, Person, Status

DELIVERY_STATUSES = ("pending", "delivered", "failed")


class RunRow(Base):
    """The daily run of one issue date: status and finished steps."""

    __tablename__ = "publish_runs"

    issue_date: Mapped[DateKey]
    status: Mapped[str] = mapped_column(String(24))
    steps: Mapped[dict[str, str]]
    message: Mapped[str] = mapped_column(default="")
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApprovalRow(Dated, Base):
    """An editor's approval of one version of an issue."""

    __tablename__ = "approvals"

    version: Mapped[Hash]
    approved_by: Mapped[Person]
    approved_at: Mapped[datetime]
    override: Mapped[bool] = mapped_column(default=False)
    status: Mapped[Status]  # verification status when approved


class DeliveryRow(Base):
    """One issue version sent (or being sent) to one recipient of one channel."""

    __tablename__ = "deliveries"

    id: Mapped[IntKey]
    key: Mapped[str] = mapped_column(String(600), unique=True)
    delivery_id: Mapped[Hash]
    issue_date: Mapped[date] = mapped_column(index=True)
    version: Mapped[Hash]
    channel: Mapped[str] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    parts_sent: Mapped[int] = mapped_column(default=0)
    parts_total: Mapped[int] = mapped_column(default=0)
    permanent: Mapped[bool] = mapped_column(default=False)
    response: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class NoticeRow(Base):
    """One operator problem, reported once."""

    __tablename__ = "notices"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    message: Mapped[str]
    first_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(default="")


@dataclass(frozen=True)
class Approval:
    issue_date: date
    version: str
    by: str
    at: datetime
    override: bool
    status: str


@dataclass(frozen=True)
class Run:
    issue_date: date
    status: str
    steps: dict[str, str]
    message: str
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Delivery:
    key: str
    delivery_id: str
    issue_date: date
    version: str
    channel: str
    recipient: str
    status: str
    attempts: int
    parts_sent: int
    parts_total: int
    permanent: bool
    response: str
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """The ``dongtai deliveries --json`` object (contract keys first)."""
        at = self.delivered_at or self.updated_at
        return {
            "channel": self.channel,
            "status": self.status,
            "attempts": self.attempts,
            "at": at.isoformat(),
            "date": self.issue_date.isoformat(),
            "version": self.version,
            "recipient": self.recipient,
            "parts": f"{self.parts_sent}/{self.parts_total}",
            "permanent": self.permanent,
            "response": self.response,
            "delivery_id": self.delivery_id,
        }


def _now() -> datetime:
    return datetime.now(UTC)


_APPROVAL_COLUMNS = {"by": "approved_by", "at": "approved_at"}


class Ledger:
    """Reads and writes the publishing tables of a :class:`~dongtai.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # runs ------------------------------------------------------------------------
    def run(self, issue_date: date) -> Run | None:
        with self.store._session() as session:
            row = session.get(RunRow, issue_date)
            return None if row is None else record(Run, row)

    def mark_run(self, issue_date: date, status: str, step: str = "", message: str = "") -> Run:
        """Set the run's status (and message); record ``step`` as finished now."""
        now = _now()
        with self.store._session() as session:
            row = session.get(RunRow, issue_date)
            if row is None:
                row = RunRow(issue_date=issue_date, steps={}, started_at=now)
                session.add(row)
            row.status, row.message, row.updated_at = status, message, now
            if step:
                row.steps = {**(row.steps or {}), step: now.isoformat()}
            session.flush()
            return record(Run, row)

    def forget_step(self, issue_date: date, step: str) -> None:
        with self.store._session() as session:
            row = session.get(RunRow, issue_date)
            if row is not None and step in (row.steps or {}):
                row.steps = {k: v for k, v in row.steps.items() if k != step}

    def runs(self) -> list[Run]:
        with self.store._session() as session:
            rows = session.scalars(select(RunRow).order_by(RunRow.issue_date))
            return [record(Run, row) for row in rows]

    # approvals -------------------------------------------------------------------
    def add_approval(self, approval: Approval) -> None:
        with self.store._session() as session:
            session.add(ApprovalRow(**values(ApprovalRow, approval, **_APPROVAL_COLUMNS)))

    def approvals(self, issue_date: date) -> list[Approval]:
        """Every approval of an issue date, oldest first."""
        query = (
            select(ApprovalRow).where(ApprovalRow.issue_date == issue_date).order_by(ApprovalRow.id)
        )
        with self.store._session() as session:
            return [record(Approval, row, **_APPROVAL_COLUMNS) for row in session.scalars(query)]

    # deliveries ------------------------------------------------------------------
    def delivery(self, key: str, delivery_id: str, where: tuple[date, str, str, str]) -> Delivery:
        """The delivery of ``key``, created ``pending`` when new (by one writer only:
        a concurrent creator gets the row the other one inserted)."""
        issue_date, version, channel, recipient = where
        now = _now()
        fresh = {"key": key, "delivery_id": delivery_id, "issue_date": issue_date,
                  "version": version, "channel": channel, "recipient": recipient,
                  "status": "pending", "attempts": 0, "parts_sent": 0, "parts_total": 0,
                  "permanent": False, "response": "", "created_at": now,
                  "updated_at": now}  # fmt: skip
        with self.store._session() as session:
            insert = upsert(session, DeliveryRow).on_conflict_do_nothing(index_elements=["key"])
            session.execute(insert, [fresh])
            row = session.scalars(select(DeliveryRow).where(DeliveryRow.key == key)).one()
            return record(Delivery, row)

    def update_delivery(self, key: str, **changes: Any) -> Delivery:
        """Change fields of a delivery (``updated_at`` set to now)."""
        with self.store._session() as session:
            row = session.scalars(select(DeliveryRow).where(DeliveryRow.key == key)).one()
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = _now()
            session.flush()
            return record(Delivery, row)

    def delivery_attempts(self, key: str) -> int:
        with self.store._session() as session:
            row = session.scalars(select(DeliveryRow).where(DeliveryRow.key == key)).one()
            return row.attempts

    def deliveries(self, issue_date: date | None = None) -> list[Delivery]:
        """Deliveries (of one date), oldest first."""
        query = select(DeliveryRow).order_by(DeliveryRow.id)
        if issue_date is not None:
            query = query.where(DeliveryRow.issue_date == issue_date)
        with self.store._session() as session:
            return [record(Delivery, row) for row in session.scalars(query)]

    def published_dates(self) -> list[date]:
        """Dates with at least one delivered delivery, oldest first."""
        query = (
            select(DeliveryRow.issue_date)
            .where(DeliveryRow.status == "delivered")
            .distinct()
            .order_by(DeliveryRow.issue_date)
        )
        with self.store._session() as session:
            return list(session.scalars(query))

    # notices ---------------------------------------------------------------------
    def notice(self, key: str, message: str) -> tuple[bool, int]:
        """Record a problem; (already sent, attempts so far)."""
        with self.store._session() as session:
            row = session.get(NoticeRow, key)
            if row is None:
                row = NoticeRow(key=key, message=message, first_at=_now(), attempts=0, error="")
                session.add(row)
                session.flush()
            return row.sent_at is not None, row.attempts

    def notice_attempted(self, key: str, sent: bool, error: str = "") -> None:
        with self.store._session() as session:
            row = session.get(NoticeRow, key)
            if row is None:
                return
            row.attempts += 1
            row.error = error
            if sent:
                row.sent_at = _now()

    def resolve_notices(self, prefix: str, keep: Sequence[str] = ()) -> int:
        """Forget the problems whose key starts with ``prefix`` (except ``keep``)."""
        with self.store._session() as session:
            query = delete(NoticeRow).where(NoticeRow.key.startswith(prefix, autoescape=True))
            if keep:
                query = query.where(NoticeRow.key.not_in(list(keep)))
            return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    def notices(self) -> list[tuple[str, str, bool]]:
        """(key, message, sent) of every recorded problem."""
        with self.store._session() as session:
            rows = session.scalars(select(NoticeRow).order_by(NoticeRow.first_at))
            return [(row.key, row.message, row.sent_at is not None) for row in rows]
