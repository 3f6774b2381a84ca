"""The newsroom (web app): users, sessions, issue revisions and publications, the desk's
change log, story labels, and the full-text search index (FTS5 on SQLite, a GIN index on
``to_tsvector('simple', tokens)`` on PostgreSQL).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _stamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        _stamp("created_at"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("web_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        _stamp("created_at"),
        _stamp("expires_at"),
    )
    op.create_table(
        "issue_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issue_date", sa.Date(), nullable=False, index=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _stamp("created_at"),
        sa.UniqueConstraint("issue_date", "number"),
    )
    op.create_table(
        "issue_publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issue_date", sa.Date(), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("issue_revisions.id"), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        _stamp("published_at"),
        sa.Column("correction", sa.Text(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("issue_date", "version"),
    )
    op.create_table(
        "desk_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issue_date", sa.Date(), nullable=False, index=True),
        _stamp("at"),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
    )
    op.create_table(
        "story_labels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issue_date", sa.Date(), nullable=False, index=True),
        sa.Column("item_a", sa.String(2000), nullable=False),
        sa.Column("item_b", sa.String(2000), nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        _stamp("at"),
    )
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issue_date", sa.Date(), nullable=False, index=True),
        sa.Column("anchor", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False, index=True),
        sa.Column("orgs", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
    )
    op.create_table(
        "search_state",
        sa.Column("issue_date", sa.Date(), primary_key=True),
        sa.Column("signature", sa.String(64), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(tokens)")
    else:
        op.execute(
            "CREATE INDEX ix_search_docs_tsv ON search_docs "
            "USING gin (to_tsvector('simple', tokens))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    for table in (
        "search_state",
        "search_docs",
        "story_labels",
        "desk_changes",
        "issue_publications",
        "issue_revisions",
        "web_sessions",
        "web_users",
    ):
        op.drop_table(table)
