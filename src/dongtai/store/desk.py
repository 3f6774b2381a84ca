"""Queries of the newsroom: users and sessions, issue revisions and publications, the
log of every desk change, story labels, and the search index.

Rules it applies:

* a revision is never changed once written: an edit adds revision ``n + 1``;
* a publication is never changed either: a correction publishes a new version that
  points at a later revision and carries its dated note;
* every desk action adds one row to ``desk_changes`` (who, when, what, before, after);
* the search index holds one row per section (and one for the abstract) of the issue
  version readers see, with its jieba-segmented tokens; on SQLite the tokens are also
  in the FTS5 table ``search_fts`` (same rowid), on PostgreSQL a GIN index on
  ``to_tsvector('simple', tokens)`` serves the same query.

The tables are :mod:`dongtai.store.desk_tables` (migration ``0004_web``); :class:`Desk`
takes a :class:`~dongtai.store.Store` and works on its engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from dongtai.store import Store
from dongtai.store.convert import aware, record, values
from dongtai.store.desk_tables import (
    ChangeRow,
    PublicationRow,
    RevisionRow,
    SearchDocRow,
    SearchStateRow,
    SessionRow,
    StoryLabelRow,
    UserRow,
)

R = TypeVar("R")

__all__ = [
    "Change",
    "Desk",
    "Publication",
    "Revision",
    "SearchDoc",
    "StoryLabel",
    "User",
]


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class Revision:
    id: int
    issue_date: date
    number: int
    document: dict[str, Any]
    status: str
    author: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Publication:
    issue_date: date
    version: int
    revision_id: int
    published_by: str
    published_at: datetime
    correction: str
    override_reason: str


@dataclass(frozen=True)
class Change:
    issue_date: date
    at: datetime
    user: str
    action: str
    target: str
    before: str
    after: str


@dataclass(frozen=True)
class StoryLabel:
    item_a: str
    item_b: str
    label: str
    user: str
    at: datetime


@dataclass(frozen=True)
class SearchDoc:
    issue_date: date
    anchor: str
    topic: str
    orgs: str
    title: str
    text: str
    tokens: str


def now() -> datetime:
    return datetime.now(UTC)


class Desk:
    """The newsroom's queries on a :class:`Store` (module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _session(self) -> Any:
        return self.store._session()

    def _records(self, kind: type[R], query: Any) -> list[R]:
        """The ``kind`` records of the rows a query selects, in its order."""
        with self._session() as session:
            return [record(kind, row) for row in session.scalars(query)]

    # users and sessions ------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str) -> None:
        """Create a user, or replace the role and password of an existing one."""
        with self._session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                session.add(
                    UserRow(name=name, role=role, password_hash=password_hash, created_at=now())
                )
                return
            row.role, row.password_hash = role, password_hash

    def user(self, name: str) -> User | None:
        with self._session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            return None if row is None else record(User, row)

    def users(self) -> list[User]:
        return self._records(User, select(UserRow).order_by(UserRow.name))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._session() as session:
            row = session.get(UserRow, user_id)
            if row is not None:
                row.password_hash = password_hash

    def add_session(self, token_hash: str, user_id: int, csrf: str, expires: datetime) -> None:
        with self._session() as session:
            session.add(
                SessionRow(
                    token_hash=token_hash,
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now(),
                    expires_at=expires,
                )
            )

    def session_user(self, token_hash: str) -> tuple[User, str] | None:
        """The user of a live session and its CSRF token; expired sessions are removed."""
        with self._session() as session:
            row = session.get(SessionRow, token_hash)
            if row is None:
                return None
            if aware(row.expires_at) <= now():
                session.delete(row)
                return None
            user = session.get(UserRow, row.user_id)
            return None if user is None else (record(User, user), row.csrf)

    def drop_session(self, token_hash: str) -> None:
        with self._session() as session:
            session.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))

    # revisions and publications ---------------------------------------------------
    def add_revision(
        self, issue_date: date, document: dict[str, Any], status: str, author: str, note: str
    ) -> Revision:
        with self._session() as session:
            last = session.scalar(
                select(func.max(RevisionRow.number)).where(RevisionRow.issue_date == issue_date)
            )
            row = RevisionRow(
                issue_date=issue_date,
                number=(last or 0) + 1,
                document=document,
                status=status,
                author=author,
                note=note,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            return record(Revision, row)

    def latest_revision(self, issue_date: date) -> Revision | None:
        query = _dated(RevisionRow, issue_date, RevisionRow.number.desc()).limit(1)
        with self._session() as session:
            row = session.scalar(query)
            return None if row is None else record(Revision, row)

    def revision(self, revision_id: int) -> Revision | None:
        with self._session() as session:
            row = session.get(RevisionRow, revision_id)
            return None if row is None else record(Revision, row)

    def revisions(self, issue_date: date) -> list[Revision]:
        return self._records(Revision, _dated(RevisionRow, issue_date, RevisionRow.number))

    def add_publication(
        self, revision: Revision, user: str, correction: str, override_reason: str
    ) -> Publication:
        with self._session() as session:
            last = session.scalar(
                select(func.max(PublicationRow.version)).where(
                    PublicationRow.issue_date == revision.issue_date
                )
            )
            row = PublicationRow(
                issue_date=revision.issue_date,
                version=(last or 0) + 1,
                revision_id=revision.id,
                published_by=user,
                published_at=now(),
                correction=correction,
                override_reason=override_reason,
            )
            session.add(row)
            session.flush()
            return record(Publication, row)

    def publications(self, issue_date: date) -> list[Publication]:
        return self._records(
            Publication, _dated(PublicationRow, issue_date, PublicationRow.version)
        )

    def latest_versions(self) -> dict[date, int]:
        """Published dates → the version readers see (the latest)."""
        query = select(PublicationRow.issue_date, func.max(PublicationRow.version)).group_by(
            PublicationRow.issue_date
        )
        with self._session() as session:
            return {d: v for d, v in session.execute(query)}

    # the change log and story labels ----------------------------------------------
    def record(
        self, issue_date: date, user: str, action: str, target: str, before: str, after: str
    ) -> None:
        change = Change(issue_date, now(), user, action, target, before, after)
        with self._session() as session:
            session.add(ChangeRow(**values(ChangeRow, change)))

    def changes(self, issue_date: date) -> list[Change]:
        return self._records(Change, _dated(ChangeRow, issue_date, ChangeRow.id))

    def add_story_label(
        self, issue_date: date, item_a: str, item_b: str, label: str, user: str
    ) -> None:
        judgement = StoryLabel(item_a, item_b, label, user, now())
        with self._session() as session:
            session.add(StoryLabelRow(issue_date=issue_date, **values(StoryLabelRow, judgement)))

    def story_labels(self) -> list[StoryLabel]:
        """Every labelled pair, oldest first (a later label of a pair overrides)."""
        return self._records(StoryLabel, select(StoryLabelRow).order_by(StoryLabelRow.id))

    # the search index -------------------------------------------------------------
    def search_signatures(self) -> dict[date, str]:
        with self._session() as session:
            rows = session.execute(select(SearchStateRow.issue_date, SearchStateRow.signature))
            return {d: s for d, s in rows}

    def replace_search_docs(
        self, issue_date: date, signature: str, docs: Sequence[SearchDoc]
    ) -> None:
        """Replace the index rows of one date (atomically)."""
        with self._session() as session:
            fts = session.get_bind().dialect.name == "sqlite"
            old = list(session.scalars(select(SearchDocRow.id).where(_on(issue_date))))
            if fts and old:
                session.execute(
                    text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in old]
                )
            session.execute(delete(SearchDocRow).where(_on(issue_date)))
            for doc in docs:
                row = SearchDocRow(**values(SearchDocRow, doc))
                session.add(row)
                session.flush()
                if fts:
                    session.execute(
                        text("INSERT INTO search_fts(rowid, tokens) VALUES (:id, :tokens)"),
                        {"id": row.id, "tokens": doc.tokens},
                    )
            session.merge(SearchStateRow(issue_date=issue_date, signature=signature))

    def docs_on_topic(self, topic: str) -> list[SearchDoc]:
        """Sections of a topic, newest issue first."""
        query = select(SearchDocRow).where(SearchDocRow.topic == topic)
        return self._records(SearchDoc, query.order_by(*_NEWEST))

    def docs_naming(self, org: str) -> list[SearchDoc]:
        """Sections that name an organisation (by its registry id), newest issue first."""
        query = select(SearchDocRow).where(SearchDocRow.orgs.contains(f" {org} "))
        return self._records(SearchDoc, query.order_by(*_NEWEST))

    def section_docs(self) -> list[SearchDoc]:
        """Every indexed section (not the abstracts), oldest issue first."""
        query = select(SearchDocRow).where(SearchDocRow.anchor != "abstract")
        return self._records(SearchDoc, query.order_by(*_OLDEST))

    def search(self, match: str, limit: int) -> list[SearchDoc]:
        """Rows whose tokens hold every token of ``match`` (space-separated), best first."""
        tokens = match.split()
        if not tokens:
            return []
        with self._session() as session:
            return [record(SearchDoc, r) for r in _matching(session, tokens, limit)]


_NEWEST = (SearchDocRow.issue_date.desc(), SearchDocRow.id)
_OLDEST = (SearchDocRow.issue_date, SearchDocRow.id)


def _dated(table: Any, issue_date: date, order: Any) -> Any:
    """The rows of one issue date, in ``order``."""
    return select(table).where(table.issue_date == issue_date).order_by(order)


def _on(issue_date: date) -> Any:
    return SearchDocRow.issue_date == issue_date


def _matching(session: Session, tokens: list[str], limit: int) -> Iterator[SearchDocRow]:
    if session.get_bind().dialect.name == "sqlite":
        phrase = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        ids = session.execute(
            text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT :n"),
            {"q": phrase, "n": limit},
        ).scalars()
    else:
        ids = session.execute(
            text(
                "SELECT id FROM search_docs WHERE to_tsvector('simple', tokens) @@ "
                "plainto_tsquery('simple', :q) ORDER BY ts_rank(to_tsvector('simple', tokens), "
                "plainto_tsquery('simple', :q)) DESC, issue_date DESC LIMIT :n"
            ),
            {"q": " ".join(tokens), "n": limit},
        ).scalars()
    wanted = list(ids)
    rows = {
        r.id: r for r in session.scalars(select(SearchDocRow).where(SearchDocRow.id.in_(wanted)))
    }
    return (rows[i] for i in wanted if i in rows)
