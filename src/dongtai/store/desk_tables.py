"""Tables of the newsroom (created by the migration ``0004_web``): users and their
sessions, issue revisions and publications, the desk's change log, story labels, and
the search index with its state. The queries on them are :class:`dongtai.store.desk.Desk`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dongtai.store.schema import Base, Dated


class UserRow(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str]
    created_at: Mapped[datetime]


class SessionRow(Base):
    """A login: the SHA-256 of the cookie's token (never the token itself)."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RevisionRow(Dated, Base):
    __tablename__ = "issue_revisions"

    number: Mapped[int]
    document: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str]
    created_at: Mapped[datetime]


class PublicationRow(Dated, Base):
    __tablename__ = "issue_publications"

    version: Mapped[int]
    revision_id: Mapped[int] = mapped_column(ForeignKey("issue_revisions.id"))
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime]
    correction: Mapped[str]
    override_reason: Mapped[str]


class ChangeRow(Dated, Base):
    __tablename__ = "desk_changes"

    at: Mapped[datetime]
    user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str]
    before: Mapped[str]
    after: Mapped[str]


class StoryLabelRow(Dated, Base):
    """An editor's judgement on two stories' items: the ``same`` event or ``different``."""

    __tablename__ = "story_labels"

    item_a: Mapped[str] = mapped_column(String(2000))
    item_b: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(20))
    user: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]


class SearchDocRow(Dated, Base):
    __tablename__ = "search_docs"

    anchor: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(40), index=True)
    orgs: Mapped[str]  # " id1 id2 " organisations the section names
    title: Mapped[str]
    text: Mapped[str]
    tokens: Mapped[str]


class SearchStateRow(Base):
    """What the index holds for a date: a signature of the indexed document."""

    __tablename__ = "search_state"

    issue_date: Mapped[date] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64))
