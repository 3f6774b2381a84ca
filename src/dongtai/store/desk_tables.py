"""Tables of the newsroom (created by the migration ``0004_web``): users and their
sessions, issue revisions and publications, the desk's change log, story labels, and
the search index with its state. The queries on them are :class:`dongtai.store.desk.Desk`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dongtai.store.schema import Base


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
