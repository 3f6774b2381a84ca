"""The newsroom (web app): users, sessions, issue revisions and publications, the desk's
change log, story labels, and the full-text search index (FTS5 on SQLite, a GIN index on
``to_tsvector('simple', tokens)`` on PostgreSQL).
"""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    table("web_users", """
        id             key
        name           s200 unique
        role           s20
        password_hash  text
        created_at     time
    """)  # fmt: skip
    table("web_sessions", """
        token_hash     s64 key
        user_id        int ref=web_users.id cascade
        csrf           s64
        created_at     time
        expires_at     time
    """)  # fmt: skip
    table("issue_revisions", """
        id             key
        issue_date     date index
        number         int
        document       json
        status         s20
        author         s200
        note           text
        created_at     time
    """, sa.UniqueConstraint("issue_date", "number"))  # fmt: skip
    table("issue_publications", """
        id             key
        issue_date     date index
        version        int
        revision_id    int ref=issue_revisions.id
        published_by   s200
        published_at   time
        correction     text
        override_reason text
    """, sa.UniqueConstraint("issue_date", "version"))  # fmt: skip
    table("desk_changes", """
        id             key
        issue_date     date index
        at             time
        user           s200
        action         s40
        target         text
        before         text
        after          text
    """)  # fmt: skip
    table("story_labels", """
        id             key
        issue_date     date index
        item_a         s2000
        item_b         s2000
        label          s20
        user           s200
        at             time
    """)  # fmt: skip
    table("search_docs", """
        id             key
        issue_date     date index
        anchor         s40
        topic          s40 index
        orgs           text
        title          text
        text           text
        tokens         text
    """)  # fmt: skip
    table("search_state", """
        issue_date     date key
        signature      s64
    """)  # fmt: skip
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
    for name in (
        "search_state",
        "search_docs",
        "story_labels",
        "desk_changes",
        "issue_publications",
        "issue_revisions",
        "web_sessions",
        "web_users",
    ):
        op.drop_table(name)
