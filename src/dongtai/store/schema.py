"""SQLAlchemy tables of the store.

The schema itself is created and changed only by the Alembic migrations in
``migrations/versions``; these classes describe it for queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Column types by Python type: text, times with their zone, JSON documents and lists
    (a column of another type or a length says so)."""

    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        str: Text(),
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[str]: JSON(),
        list[Any]: JSON(),
        bytes: LargeBinary(),
    }


# Column kinds named by what they hold (the lengths the migrations gave them).
IntKey = Annotated[int, mapped_column(primary_key=True)]
DateKey = Annotated[date, mapped_column(primary_key=True)]  # an issue date as the key
Url = Annotated[str, mapped_column(String(2000))]
SourceId = Annotated[str, mapped_column(String(200))]  # a registry id
Person = Annotated[str, mapped_column(String(200))]  # a newsroom user's name
Status = Annotated[str, mapped_column(String(20))]
Word = Annotated[str, mapped_column(String(40))]  # a name from a short list: topic, stage…
Hash = Annotated[str, mapped_column(String(64))]  # a hex digest or token (at most SHA-256)


class Dated:
    """Columns of a row that belongs to one issue date and has its own integer id."""

    id: Mapped[IntKey]
    issue_date: Mapped[date] = mapped_column(index=True)


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[SourceId] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any]]
    known: Mapped[bool] = mapped_column(default=True)


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[IntKey]
    url: Mapped[Url] = mapped_column(unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str]
    published: Mapped[datetime] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str]
    summary: Mapped[str] = mapped_column(default="")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    raw_title: Mapped[str] = mapped_column(default="")
    raw_text: Mapped[str] = mapped_column(default="")
    ingested_at: Mapped[datetime]
    summary_only: Mapped[bool] = mapped_column(default=False)
    page_error: Mapped[str] = mapped_column(default="")
    page_attempts: Mapped[int] = mapped_column(default=0)
    page_retry_at: Mapped[datetime | None] = mapped_column(index=True)


class EnrichmentRow(Base):
    """What one item says whatever the day (:mod:`dongtai.enrich`), by item URL."""

    __tablename__ = "enrichment"

    url: Mapped[Url] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(40))
    lead: Mapped[bytes]
    relevance: Mapped[bytes | None]
    signature: Mapped[bytes]
    figures: Mapped[list[Any]]
    organisations: Mapped[list[str]]


class StageRow(Base):
    """The output of one stage for one issue date, as JSON records."""

    __tablename__ = "stage_outputs"

    issue_date: Mapped[DateKey]
    stage: Mapped[Word] = mapped_column(primary_key=True)
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime]


class StoryRow(Base):
    __tablename__ = "stories"

    issue_date: Mapped[DateKey]
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic: Mapped[Word]
    title: Mapped[str]
    score: Mapped[float]
    reasons: Mapped[list[str]]
    item_urls: Mapped[list[str]]
    outlets: Mapped[list[str]]


class BriefingRow(Base):
    __tablename__ = "briefings"

    issue_date: Mapped[DateKey]
    status: Mapped[Status]
    writer: Mapped[Word]
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ReferenceRow(Base):
    __tablename__ = "briefing_references"

    issue_date: Mapped[date] = mapped_column(
        ForeignKey("briefings.issue_date", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[IntKey]
    item_url: Mapped[Url] = mapped_column(index=True)
    source: Mapped[str]
    published: Mapped[date]
    title: Mapped[str]


class FetchStateRow(Base):
    """Per source: conditional-GET validators and health of the last fetch runs."""

    __tablename__ = "fetch_state"

    source_id: Mapped[SourceId] = mapped_column(primary_key=True)
    etag: Mapped[str] = mapped_column(default="")
    last_modified: Mapped[str] = mapped_column(default="")
    last_attempt: Mapped[datetime]
    last_success: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[Status]
    last_error: Mapped[str] = mapped_column(default="")
    last_way: Mapped[str] = mapped_column(default="")


class FetchRunRow(Base):
    """One source's result in one fetch run (the history)."""

    __tablename__ = "fetch_runs"

    id: Mapped[IntKey]
    source_id: Mapped[SourceId] = mapped_column(index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    status: Mapped[Status]
    new: Mapped[int]
    unchanged: Mapped[int]
    failed: Mapped[int]
    error: Mapped[str]
    way: Mapped[str] = mapped_column(default="")


class RawPageRow(Base):
    """An article page as fetched, zlib-compressed, so extraction can be re-run."""

    __tablename__ = "raw_pages"

    url: Mapped[Url] = mapped_column(primary_key=True)
    source_id: Mapped[SourceId]
    final_url: Mapped[Url]
    content_type: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[datetime]
    body: Mapped[bytes]
