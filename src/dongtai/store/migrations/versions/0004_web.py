"""The newsroom (web app): users, sessions, issue revisions and publications, the desk's
change log, story labels, and the full-text search index (FTS5 on SQLite, a GIN index on
``to_tsvector('simple', tokens)`` on PostgreSQL).
"""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import col, key, stamp

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "web_users",
        key("id"),
        col("name", sa.String(200), unique=True),
        col("role", sa.String(20)),
        col("password_hash", sa.Text()),
        stamp("created_at"),
    )
    op.create_table(
        "web_sessions",
        key("token_hash", sa.String(64)),
        col("user_id", sa.Integer(), sa.ForeignKey("web_users.id", ondelete="CASCADE")),
        col("csrf", sa.String(64)),
        stamp("created_at"),
        stamp("expires_at"),
    )
    op.create_table(
        "issue_revisions",
        key("id"),
        col("issue_date", sa.Date(), index=True),
        col("number", sa.Integer()),
        col("document", sa.JSON()),
        col("status", sa.String(20)),
        col("author", sa.String(200)),
        col("note", sa.Text()),
        stamp("created_at"),
        sa.UniqueConstraint("issue_date", "number"),
    )
    op.create_table(
        "issue_publications",
        key("id"),
        col("issue_date", sa.Date(), index=True),
        col("version", sa.Integer()),
        col("revision_id", sa.Integer(), sa.ForeignKey("issue_revisions.id")),
        col("published_by", sa.String(200)),
        stamp("published_at"),
        col("correction", sa.Text()),
        col("override_reason", sa.Text()),
        sa.UniqueConstraint("issue_date", "version"),
    )
    op.create_table(
        "desk_changes",
        key("id"),
        col("issue_date", sa.Date(), index=True),
        stamp("at"),
        col("user", sa.String(200)),
        col("action", sa.String(40)),
        col("target", sa.Text()),
        col("before", sa.Text()),
        col("after", sa.Text()),
    )
    op.create_table(
        "story_labels",
        key("id"),
        col("issue_date", sa.Date(), index=True),
        col("item_a", sa.String(2000)),
        col("item_b", sa.String(2000)),
        col("label", sa.String(20)),
        col("user", sa.String(200)),
        stamp("at"),
    )
    op.create_table(
        "search_docs",
        key("id"),
        col("issue_date", sa.Date(), index=True),
        col("anchor", sa.String(40)),
        col("topic", sa.String(40), index=True),
        col("orgs", sa.Text()),
        col("title", sa.Text()),
        col("text", sa.Text()),
        col("tokens", sa.Text()),
    )
    op.create_table(
        "search_state",
        key("issue_date", sa.Date()),
        col("signature", sa.String(64)),
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
