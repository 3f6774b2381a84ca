"""SQLAlchemy tables of the store.

The schema itself is created and changed only by the Alembic migrations in
``migrations/versions``; these classes describe it for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    known: Mapped[bool] = mapped_column(default=True)


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    raw_title: Mapped[str] = mapped_column(Text, default="")
    raw_text: Mapped[str] = mapped_column(Text, default="")
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary_only: Mapped[bool] = mapped_column(Boolean, default=False)
    page_error: Mapped[str] = mapped_column(Text, default="")
    page_attempts: Mapped[int] = mapped_column(Integer, default=0)
    page_retry_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )


class EnrichmentRow(Base):
    """What one item says whatever the day (:mod:`dongtai.enrich`), by item URL."""

    __tablename__ = "enrichment"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    digest: Mapped[str] = mapped_column(String(40))
    lead: Mapped[bytes] = mapped_column(LargeBinary)
    relevance: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    figures: Mapped[list[Any]] = mapped_column(JSON)
    organisations: Mapped[list[str]] = mapped_column(JSON)


class StageRow(Base):
    """The output of one stage for one issue date, as JSON records."""

    __tablename__ = "stage_outputs"

    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoryRow(Base):
    __tablename__ = "stories"

    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    item_urls: Mapped[list[str]] = mapped_column(JSON)
    outlets: Mapped[list[str]] = mapped_column(JSON)


class BriefingRow(Base):
    __tablename__ = "briefings"

    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    writer: Mapped[str] = mapped_column(String(40))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReferenceRow(Base):
    __tablename__ = "briefing_references"

    issue_date: Mapped[date] = mapped_column(
        ForeignKey("briefings.issue_date", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_url: Mapped[str] = mapped_column(String(2000), index=True)
    source: Mapped[str] = mapped_column(Text)
    published: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)


class FetchStateRow(Base):
    """Per source: conditional-GET validators and health of the last fetch runs."""

    __tablename__ = "fetch_state"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    etag: Mapped[str] = mapped_column(Text, default="")
    last_modified: Mapped[str] = mapped_column(Text, default="")
    last_attempt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_success: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[str] = mapped_column(String(20))
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_way: Mapped[str] = mapped_column(Text, default="")


class FetchRunRow(Base):
    """One source's result in one fetch run (the history)."""

    __tablename__ = "fetch_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    new: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    way: Mapped[str] = mapped_column(Text, default="")


class RawPageRow(Base):
    """An article page as fetched, zlib-compressed, so extraction can be re-run."""

    __tablename__ = "raw_pages"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200))
    final_url: Mapped[str] = mapped_column(String(2000))
    content_type: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[bytes] = mapped_column(LargeBinary)
