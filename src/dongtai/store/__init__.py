"""The store: sources, items, stage outputs, stories and briefings in one database.

SQLite file in the workspace by default; any SQLAlchemy URL (PostgreSQL) works. The
schema is brought up to date by Alembic migrations every time the store opens. Items
are identified by URL: adding an item that is already stored changes nothing, so
ingesting a file twice is harmless. Times are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dongtai.errors import StoreError
from dongtai.models import Briefing, Item, Source, Story
from dongtai.store.schema import (
    BriefingRow,
    ItemRow,
    ReferenceRow,
    SourceRow,
    StageRow,
    StoryRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"


class Store:
    """A database of dongtai; open it with :func:`open_store`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {exc.__class__.__name__}: {exc}") from exc

    # sources ---------------------------------------------------------------
    def save_sources(self, sources: Iterable[Source]) -> None:
        """Insert or update sources (registry entries and outlets first seen on ingest)."""
        with self._session() as session:
            for source in sources:
                session.merge(
                    SourceRow(id=source.id, data=source.model_dump(mode="json"), known=source.known)
                )

    def sources(self) -> dict[str, Source]:
        with self._session() as session:
            rows = session.scalars(select(SourceRow)).all()
            return {row.id: Source.model_validate(row.data) for row in rows}

    # items -----------------------------------------------------------------
    def add_items(self, items: Sequence[Item]) -> list[bool]:
        """Store the items not stored yet; per item, whether it was new."""
        urls = [item.url for item in items]
        now = datetime.now(UTC)
        with self._session() as session:
            existing = set(session.scalars(select(ItemRow.url).where(ItemRow.url.in_(urls))))
            added: list[bool] = []
            for item in items:
                is_new = item.url not in existing
                added.append(is_new)
                if is_new:
                    existing.add(item.url)
                    session.add(_item_row(item, now))
            return added

    def items_between(self, start: datetime, end: datetime) -> list[Item]:
        """Items published in [start, end), oldest first."""
        with self._session() as session:
            query = (
                select(ItemRow)
                .where(ItemRow.published >= _utc(start), ItemRow.published < _utc(end))
                .order_by(ItemRow.published, ItemRow.id)
            )
            return [_item(row) for row in session.scalars(query)]

    def items_by_url(self, urls: Iterable[str]) -> dict[str, Item]:
        with self._session() as session:
            query = select(ItemRow).where(ItemRow.url.in_(list(urls)))
            return {row.url: _item(row) for row in session.scalars(query)}

    def count_items(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(ItemRow)) or 0

    # stage outputs -----------------------------------------------------------
    def save_stage(self, issue_date: date, stage: str, payload: Any) -> None:
        with self._session() as session:
            session.merge(
                StageRow(
                    issue_date=issue_date,
                    stage=stage,
                    payload=payload,
                    created_at=datetime.now(UTC),
                )
            )

    def load_stage(self, issue_date: date, stage: str) -> Any | None:
        with self._session() as session:
            row = session.get(StageRow, (issue_date, stage))
            return None if row is None else row.payload

    # stories and briefings -----------------------------------------------------
    def save_stories(self, issue_date: date, stories: Sequence[Story]) -> None:
        """Replace the stories recorded for an issue date."""
        with self._session() as session:
            session.execute(delete(StoryRow).where(StoryRow.issue_date == issue_date))
            for story in stories:
                session.add(
                    StoryRow(
                        id=story.id,
                        issue_date=issue_date,
                        topic=story.topic,
                        title=story.items[0].title,
                        score=story.score,
                        reasons=list(story.reasons),
                        item_urls=[item.url for item in story.items],
                        outlets=list(story.outlets()),
                    )
                )

    def save_briefing(
        self, briefing: Briefing, status: str, writer: str, cited_urls: dict[int, str]
    ) -> None:
        """Replace the briefing of its date, with its references (``n`` → item url)."""
        with self._session() as session:
            session.execute(delete(ReferenceRow).where(ReferenceRow.issue_date == briefing.date))
            session.execute(delete(BriefingRow).where(BriefingRow.issue_date == briefing.date))
            session.flush()
            session.add(
                BriefingRow(
                    issue_date=briefing.date,
                    status=status,
                    writer=writer,
                    document=briefing.model_dump(mode="json"),
                    created_at=datetime.now(UTC),
                )
            )
            session.flush()
            for ref in briefing.references:
                session.add(
                    ReferenceRow(
                        issue_date=briefing.date,
                        n=ref.n,
                        item_url=cited_urls[ref.n],
                        source=ref.source,
                        published=ref.date,
                        title=ref.title,
                    )
                )

    def load_briefing(self, issue_date: date) -> tuple[Briefing, str] | None:
        """The stored briefing of a date and its status, if any."""
        with self._session() as session:
            row = session.get(BriefingRow, issue_date)
            if row is None:
                return None
            return Briefing.model_validate(row.document), row.status

    def cited_before(self, issue_date: date) -> set[str]:
        """URLs of items cited by any briefing dated before ``issue_date``."""
        with self._session() as session:
            query = select(ReferenceRow.item_url).where(ReferenceRow.issue_date < issue_date)
            return set(session.scalars(query))


def open_store(url: str) -> Store:
    """Open (and migrate) the database at a SQLAlchemy URL."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        _migrate(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open database {url}: {exc}") from exc
    return Store(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _item_row(item: Item, now: datetime) -> ItemRow:
    return ItemRow(
        url=item.url,
        source_id=item.source,
        title=item.title,
        published=_utc(item.published),
        language=item.language,
        text=item.text,
        summary=item.summary,
        authors=list(item.authors),
        ingested_at=_utc(now),
    )


def _item(row: ItemRow) -> Item:
    return Item(
        url=row.url,
        source=row.source_id,
        title=row.title,
        published=row.published.replace(tzinfo=UTC),
        text=row.text,
        language=row.language,
        summary=row.summary,
        authors=tuple(row.authors),
    )
