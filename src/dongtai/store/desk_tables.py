"""Tables of the newsroom (created by the migration ``0004_web``): users and their
sessions, issue revisions and publications, the desk's change log, story labels, and
the search index with its state. The queries on them are :class:`dongtai.store.desk.Desk`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dongtai.store.schema import Base, Dated, DateKey, Hash, IntKey, Person, Status, Url, Word


class UserRow(Base):
    __tablename__ = "web_users"

    id: Mapped[IntKey]
    name: Mapped[Person] = mapped_column(unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str]
    created_at: Mapped[datetime]


class SessionRow(Base):
    """A login: the SHA-256 of the cookie's token (never the token itself)."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[Hash] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    csrf: Mapped[Hash]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RevisionRow(Dated, Base):
    __tablename__ = "issue_revisions"

    number: Mapped[int]
    document: Mapped[dict[str, Any]]
    status: Mapped[Status]
    author: Mapped[Person]
    note: Mapped[str]
    created_at: Mapped[datetime]


class PublicationRow(Dated, Base):
    __tablename__ = "issue_publications"

    version: Mapped[int]
    revision_id: Mapped[int] = mapped_column(ForeignKey("issue_revisions.id"))
    published_by: Mapped[Person]
    published_at: Mapped[datetime]
    correction: Mapped[str]
    override_reason: Mapped[str]


class ChangeRow(Dated, Base):
    """One change an editor made to an issue (``before`` and ``after`` as text)."""

    __tablename__ = "desk_changes"

    at: Mapped[datetime]
    user: Mapped[Person]
    action: Mapped[Word]
    target: Mapped[str]
    before: Mapped[str]
    after: Mapped[str]


class StoryLabelRow(Dated, Base):
    """An editor's judgement on two stories' items: the ``same`` event or ``different``."""

    __tablename__ = "story_labels"

    item_a: Mapped[Url]
    item_b: Mapped[Url]
    label: Mapped[str] = mapped_column(String(20))
    user: Mapped[Person]
    at: Mapped[datetime]


class SearchDocRow(Dated, Base):
    __tablename__ = "search_docs"

    anchor: Mapped[Word]
    topic: Mapped[Word] = mapped_column(index=True)
    orgs: Mapped[str]  # " id1 id2 " organisations the section names
    title: Mapped[str]
    text: Mapped[str]
    tokens: Mapped[str]


class SearchStateRow(Base):
    """What the index holds for a date: a signature of the indexed document."""

    __tablename__ = "search_state"

    issue_date: Mapped[DateKey]
    signature: Mapped[Hash]
