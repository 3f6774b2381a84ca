"""Tables and queries of the newsroom: users and sessions, issue revisions and
publications, the log of every desk change, story labels, and the search index.

Rules it applies:

* a revision is never changed once written: an edit adds revision ``n + 1``;
* a publication is never changed either: a correction publishes a new version that
  points at a later revision and carries its dated note;
* every desk action adds one row to ``desk_changes`` (who, when, what, before, after);
* the search index holds one row per section (and one for the abstract) of the issue
  version readers see, with its jieba-segmented tokens; on SQLite the tokens are also
  in the FTS5 table ``search_fts`` (same rowid), on PostgreSQL a GIN index on
  ``to_tsvector('simple', tokens)`` serves the same query.

The schema is created by the migration ``0004_web``; :class:`Desk` takes a
:class:`~dongtai.store.Store` and works on its engine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from dongtai.store import Store
from dongtai.store.schema import Base

__all__ = [
    "Change",
    "Desk",
    "Publication",
    "Revision",
    "SearchDoc",
    "StoryLabel",
    "User",
]


class UserRow(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A login: the SHA-256 of the cookie's token (never the token itself)."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RevisionRow(Base):
    __tablename__ = "issue_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PublicationRow(Base):
    __tablename__ = "issue_publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    revision_id: Mapped[int] = mapped_column(ForeignKey("issue_revisions.id"))
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    correction: Mapped[str] = mapped_column(Text)
    override_reason: Mapped[str] = mapped_column(Text)


class ChangeRow(Base):
    __tablename__ = "desk_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)


class StoryLabelRow(Base):
    """An editor's judgement on two stories' items: the ``same`` event or ``different``."""

    __tablename__ = "story_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    item_a: Mapped[str] = mapped_column(String(2000))
    item_b: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(20))
    user: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SearchDocRow(Base):
    __tablename__ = "search_docs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    anchor: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(40), index=True)
    orgs: Mapped[str] = mapped_column(Text)  # " id1 id2 " organisations the section names
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)


class SearchStateRow(Base):
    """What the index holds for a date: a signature of the indexed document."""

    __tablename__ = "search_state"

    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    signature: Mapped[str] = mapped_column(String(64))


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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Desk:
    """The newsroom's queries on a :class:`Store` (module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _session(self) -> Any:
        return self.store._session()

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
            return None if row is None else _user(row)

    def users(self) -> list[User]:
        with self._session() as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]

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
            if _aware(row.expires_at) <= now():
                session.delete(row)
                return None
            user = session.get(UserRow, row.user_id)
            return None if user is None else (_user(user), row.csrf)

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
            return _revision(row)

    def latest_revision(self, issue_date: date) -> Revision | None:
        query = (
            select(RevisionRow)
            .where(RevisionRow.issue_date == issue_date)
            .order_by(RevisionRow.number.desc())
            .limit(1)
        )
        with self._session() as session:
            row = session.scalar(query)
            return None if row is None else _revision(row)

    def revision(self, revision_id: int) -> Revision | None:
        with self._session() as session:
            row = session.get(RevisionRow, revision_id)
            return None if row is None else _revision(row)

    def revisions(self, issue_date: date) -> list[Revision]:
        query = (
            select(RevisionRow)
            .where(RevisionRow.issue_date == issue_date)
            .order_by(RevisionRow.number)
        )
        with self._session() as session:
            return [_revision(r) for r in session.scalars(query)]

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
            return _publication(row)

    def publications(self, issue_date: date) -> list[Publication]:
        query = (
            select(PublicationRow)
            .where(PublicationRow.issue_date == issue_date)
            .order_by(PublicationRow.version)
        )
        with self._session() as session:
            return [_publication(r) for r in session.scalars(query)]

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
        with self._session() as session:
            session.add(
                ChangeRow(
                    issue_date=issue_date,
                    at=now(),
                    user=user,
                    action=action,
                    target=target,
                    before=before,
                    after=after,
                )
            )

    def changes(self, issue_date: date) -> list[Change]:
        query = select(ChangeRow).where(ChangeRow.issue_date == issue_date).order_by(ChangeRow.id)
        with self._session() as session:
            return [
                Change(r.issue_date, _aware(r.at), r.user, r.action, r.target, r.before, r.after)
                for r in session.scalars(query)
            ]

    def add_story_label(
        self, issue_date: date, item_a: str, item_b: str, label: str, user: str
    ) -> None:
        with self._session() as session:
            session.add(
                StoryLabelRow(
                    issue_date=issue_date,
                    item_a=item_a,
                    item_b=item_b,
                    label=label,
                    user=user,
                    at=now(),
                )
            )

    def story_labels(self) -> list[StoryLabel]:
        """Every labelled pair, oldest first (a later label of a pair overrides)."""
        with self._session() as session:
            return [
                StoryLabel(r.item_a, r.item_b, r.label, r.user, _aware(r.at))
                for r in session.scalars(select(StoryLabelRow).order_by(StoryLabelRow.id))
            ]

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
                row = SearchDocRow(
                    issue_date=doc.issue_date,
                    anchor=doc.anchor,
                    topic=doc.topic,
                    orgs=doc.orgs,
                    title=doc.title,
                    text=doc.text,
                    tokens=doc.tokens,
                )
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
        with self._session() as session:
            return [_doc(r) for r in session.scalars(query.order_by(*_NEWEST))]

    def docs_naming(self, org: str) -> list[SearchDoc]:
        """Sections that name an organisation (by its registry id), newest issue first."""
        query = select(SearchDocRow).where(SearchDocRow.orgs.contains(f" {org} "))
        with self._session() as session:
            return [_doc(r) for r in session.scalars(query.order_by(*_NEWEST))]

    def section_docs(self) -> list[SearchDoc]:
        """Every indexed section (not the abstracts), oldest issue first."""
        query = select(SearchDocRow).where(SearchDocRow.anchor != "abstract")
        with self._session() as session:
            return [_doc(r) for r in session.scalars(query.order_by(*_OLDEST))]

    def search(self, match: str, limit: int) -> list[SearchDoc]:
        """Rows whose tokens hold every token of ``match`` (space-separated), best first."""
        tokens = match.split()
        if not tokens:
            return []
        with self._session() as session:
            return [_doc(r) for r in _matching(session, tokens, limit)]


_NEWEST = (SearchDocRow.issue_date.desc(), SearchDocRow.id)
_OLDEST = (SearchDocRow.issue_date, SearchDocRow.id)


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


def _user(row: UserRow) -> User:
    return User(row.id, row.name, row.role, row.password_hash)


def _revision(row: RevisionRow) -> Revision:
    return Revision(
        row.id,
        row.issue_date,
        row.number,
        row.document,
        row.status,
        row.author,
        row.note,
        _aware(row.created_at),
    )


def _publication(row: PublicationRow) -> Publication:
    return Publication(
        row.issue_date,
        row.version,
        row.revision_id,
        row.published_by,
        _aware(row.published_at),
        row.correction,
        row.override_reason,
    )


def _doc(row: SearchDocRow) -> SearchDoc:
    return SearchDoc(
        row.issue_date, row.anchor, row.topic, row.orgs, row.title, row.text, row.tokens
    )
