"""The store's database: :class:`Store` and :func:`open_store` (rules: :mod:`dongtai.store`)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dongtai.errors import StoreError
from dongtai.models import Briefing, FetchRun, Item, Source, SourceHealth, Story
from dongtai.store.convert import record, utc, values
from dongtai.store.schema import (
    BriefingRow,
    EnrichmentRow,
    FetchRunRow,
    FetchStateRow,
    ItemRow,
    RawPageRow,
    ReferenceRow,
    SourceRow,
    StageRow,
    StoryRow,
)
from dongtai.store.upgrade import migrate

BUSY_TIMEOUT_MS = 60_000


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

    def _keep(self, table: Any, values: dict[str, Any]) -> None:
        """Store one row, replacing the row of the same primary key (never read first:
        a stage output can be megabytes)."""
        keys = [column.name for column in table.__table__.primary_key]
        with self._session() as session:
            statement = upsert(session, table)
            statement = statement.on_conflict_do_update(
                index_elements=keys,
                set_={c: statement.excluded[c] for c in values if c not in keys},
            )
            session.execute(statement, [values])

    # sources ---------------------------------------------------------------
    def save_sources(self, sources: Iterable[Source]) -> None:
        """Insert or update sources (registry entries and outlets first seen on ingest)."""
        rows = {s.id: {"id": s.id, "data": s.model_dump(mode="json"), "known": s.known}
                for s in sources}  # fmt: skip
        if not rows:
            return
        with self._session() as session:
            statement = upsert(session, SourceRow)
            statement = statement.on_conflict_do_update(
                index_elements=["id"],
                set_={"data": statement.excluded.data, "known": statement.excluded.known},
            )
            session.execute(statement, list(rows.values()))

    def sources(self) -> dict[str, Source]:
        with self._session() as session:
            rows = session.scalars(select(SourceRow)).all()
            return {row.id: Source.model_validate(row.data) for row in rows}

    # items -----------------------------------------------------------------
    def add_items(self, items: Sequence[Item]) -> list[bool]:
        """Store the items not stored yet; per item, whether it was new.

        Safe against another process storing the same URLs at the same time: rows are
        inserted with ON CONFLICT DO NOTHING and only those inserted count as new, in
        URL order (two writers lock the rows they share in the same order: no deadlock)."""
        now = datetime.now(UTC)
        unique = sorted({item.url: item for item in reversed(items)}.values(), key=_url)
        inserted: set[str] = set()
        with self._session() as session:
            for start in range(0, len(unique), 500):
                rows = [_item_values(item, now) for item in unique[start : start + 500]]
                statement = upsert(session, ItemRow).on_conflict_do_nothing(index_elements=["url"])
                inserted.update(session.scalars(statement.returning(ItemRow.url), rows))
        added: list[bool] = []
        for item in items:
            added.append(item.url in inserted)
            inserted.discard(item.url)
        return added

    def pending_pages(self, source_id: str, limit: int) -> list[Item]:
        """A source's summary-only items whose page is due to be tried again, newest first."""
        query = (
            select(ItemRow)
            .where(ItemRow.source_id == source_id, ItemRow.summary_only.is_(True))
            .where(ItemRow.page_retry_at <= utc(datetime.now(UTC)))
            .order_by(ItemRow.published.desc())
            .limit(limit)
        )
        with self._session() as session:
            return [_item(row) for row in session.scalars(query)]

    def page_failed(self, url: str, reason: str, backoff: float, retries: int) -> None:
        """Record why a summary-only item's page failed; try again after ``backoff``
        seconds doubled per failure, at most ``retries`` more times."""
        with self._session() as session:
            row = session.scalars(select(ItemRow).where(ItemRow.url == url)).first()
            if row is None or not row.summary_only:
                return
            row.page_attempts = (row.page_attempts or 0) + 1
            row.page_error = reason[:300]
            wait = timedelta(seconds=backoff * 2 ** (row.page_attempts - 1))
            done = row.page_attempts > retries
            row.page_retry_at = None if done else utc(datetime.now(UTC) + wait)

    def upgrade_item(self, item: Item) -> bool:
        """Replace a summary-only item by its full version (same URL); whether it was."""
        values = {
            "title": item.title,
            "text": item.text,
            "raw_title": item.raw_title,
            "raw_text": item.raw_text,
            "summary": item.summary,
            "language": item.language,
            "authors": list(item.authors),
            "summary_only": False,
            "page_error": "",
            "page_retry_at": None,
        }
        with self._session() as session:
            done = session.execute(
                update(ItemRow)
                .where(ItemRow.url == item.url, ItemRow.summary_only.is_(True))
                .values(**values)
            )
            return bool(getattr(done, "rowcount", 0))

    def items_between(self, start: datetime, end: datetime) -> list[Item]:
        """Items published in [start, end), oldest first."""
        with self._session() as session:
            query = (
                select(ItemRow)
                .where(ItemRow.published >= utc(start), ItemRow.published < utc(end))
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

    # enrichment (what an item says whatever the day) -------------------------------
    def enrichment(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored enrichment rows of those of ``urls`` that have one, by URL."""
        wanted = list(dict.fromkeys(urls))
        columns = [c.name for c in EnrichmentRow.__table__.columns]
        found: dict[str, dict[str, Any]] = {}
        with self._session() as session:
            for start in range(0, len(wanted), 500):
                query = select(EnrichmentRow.__table__).where(
                    EnrichmentRow.url.in_(wanted[start : start + 500])
                )
                for row in session.execute(query):
                    found[row.url] = dict(zip(columns, row, strict=True))
        return found

    def save_enrichment(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or replace enrichment rows (one per URL), in URL order (see
        :meth:`add_items`)."""
        if not rows:
            return
        rows = sorted(rows, key=lambda row: str(row["url"]))
        with self._session() as session:
            for start in range(0, len(rows), 500):
                statement = upsert(session, EnrichmentRow)
                statement = statement.on_conflict_do_update(
                    index_elements=["url"],
                    set_={c: statement.excluded[c] for c in rows[0] if c != "url"},
                )
                session.execute(statement, list(rows[start : start + 500]))

    # stage outputs -----------------------------------------------------------
    def save_stage(self, issue_date: date, stage: str, payload: Any) -> None:
        now = datetime.now(UTC)
        row = {"issue_date": issue_date, "stage": stage, "payload": payload, "created_at": now}
        self._keep(StageRow, row)

    def load_stage(self, issue_date: date, stage: str) -> Any | None:
        with self._session() as session:
            row = session.get(StageRow, (issue_date, stage))
            return None if row is None else row.payload

    # stories and briefings -----------------------------------------------------
    def save_stories(self, issue_date: date, stories: Sequence[Story]) -> None:
        """Replace the stories recorded for an issue date."""
        with self._session() as session:
            _one_writer(session, "stories", issue_date)
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
            _one_writer(session, "briefing", briefing.date)
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

    def cited_between(self, first: date, before: date) -> dict[str, date]:
        """URL → latest issue date, for items cited by briefings dated in [first, before)."""
        with self._session() as session:
            query = select(ReferenceRow.item_url, ReferenceRow.issue_date).where(
                ReferenceRow.issue_date >= first, ReferenceRow.issue_date < before
            )
            cited: dict[str, date] = {}
            for url, issue_date in session.execute(query):
                cited[url] = max(issue_date, cited.get(url, issue_date))
            return cited

    # fetch state, health and raw pages -------------------------------------------------
    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` already stored as items."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._session() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(session.scalars(select(ItemRow.url).where(ItemRow.url.in_(chunk))))
        return found

    def validators(self, source_id: str, way: str) -> tuple[str, str]:
        """The ETag and Last-Modified stored for a source ("" when none), when they were
        stored for ``way`` (validators of one URL never go with another's request)."""
        with self._session() as session:
            row = session.get(FetchStateRow, source_id)
            if row is None or (row.last_way or "") != way:
                return ("", "")
            return (row.etag, row.last_modified)

    def record_fetch(self, run: FetchRun, etag: str = "", last_modified: str = "") -> None:
        """Append a run to the history and update the source's health and validators.

        A success resets the failure count and replaces the validators (a 304 keeps
        them); a failure increments the count and keeps them."""
        failed = run.status == "failed"
        with self._session() as session:
            session.add(_run_row(run))
            row = session.get(FetchStateRow, run.source)
            if row is None:
                row = FetchStateRow(source_id=run.source, etag="", last_modified="")
                row.consecutive_failures = 0
                session.add(row)
            row.last_attempt = utc(run.finished)
            row.last_status = run.status
            row.last_error = run.error
            if failed:
                row.consecutive_failures = (row.consecutive_failures or 0) + 1
                return
            row.consecutive_failures = 0
            row.last_success = utc(run.finished)
            row.last_way = run.way
            if run.status != "unchanged":
                row.etag, row.last_modified = etag, last_modified

    def source_health(self) -> dict[str, SourceHealth]:
        """Fetch health of every source fetched at least once, by source id."""
        with self._session() as session:
            rows = session.scalars(select(FetchStateRow)).all()
            return {row.source_id: _health(row) for row in rows}

    def failing_sources(self, min_failures: int) -> list[SourceHealth]:
        """Sources whose last ``min_failures`` (or more) runs all failed: for the
        operator notes of a briefing, never for its readers. Most failures first."""
        query = (
            select(FetchStateRow)
            .where(FetchStateRow.consecutive_failures >= min_failures)
            .order_by(FetchStateRow.consecutive_failures.desc(), FetchStateRow.source_id)
        )
        with self._session() as session:
            return [_health(row) for row in session.scalars(query)]

    def fetch_history(self, source_id: str, limit: int = 20) -> list[FetchRun]:
        """A source's last runs, newest first."""
        query = (
            select(FetchRunRow)
            .where(FetchRunRow.source_id == source_id)
            .order_by(FetchRunRow.id.desc())
            .limit(limit)
        )
        with self._session() as session:
            return [_run(row) for row in session.scalars(query)]

    def save_raw_page(
        self, url: str, source_id: str, final_url: str, content_type: str, body: bytes
    ) -> None:
        """Keep a fetched page, compressed (replacing an earlier copy of the same URL)."""
        row = {"url": url, "source_id": source_id, "final_url": final_url,
               "body": zlib.compress(body, 6), "content_type": content_type[:200],
               "fetched_at": utc(datetime.now(UTC))}  # fmt: skip
        self._keep(RawPageRow, row)

    def raw_page(self, url: str) -> tuple[bytes, str, str] | None:
        """A kept page: its body (decompressed), content type and final URL."""
        with self._session() as session:
            row = session.get(RawPageRow, url)
            if row is None:
                return None
            return zlib.decompress(row.body), row.content_type, row.final_url


def open_store(url: str) -> Store:
    """Open (and migrate) the database at a SQLAlchemy URL."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        migrate(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open database {url}: {exc}") from exc
    return Store(engine)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes under WAL
    cursor.close()


def _one_writer(session: Session, what: str, issue_date: date) -> None:
    """Replacing ``what`` of a date is one transaction at a time: concurrent workers
    replace in turn, never interleave (a PostgreSQL advisory lock held until commit;
    SQLite has one writer at a time anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"{what}:{issue_date.isoformat()}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def upsert(session: Session, table: Any) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite, PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _url(item: Item) -> str:
    return item.url


def _item_values(item: Item, now: datetime) -> dict[str, Any]:
    return values(ItemRow, item, source="source_id") | {
        "published": utc(item.published),
        "ingested_at": utc(now),
        "page_attempts": 0,
        "page_retry_at": utc(now) if item.summary_only else None,
    }


def _item(row: ItemRow) -> Item:
    return record(Item, row, source="source_id")


_RUN_COLUMNS = {"source": "source_id", "started": "started_at", "finished": "finished_at"}


def _run_row(run: FetchRun) -> FetchRunRow:
    times = {"started_at": utc(run.started), "finished_at": utc(run.finished)}
    return FetchRunRow(**(values(FetchRunRow, run, **_RUN_COLUMNS) | times))


def _run(row: FetchRunRow) -> FetchRun:
    return record(FetchRun, row, **_RUN_COLUMNS)


def _health(row: FetchStateRow) -> SourceHealth:
    return record(SourceHealth, row, source="source_id")


__all__ = ["Store", "open_store"]
