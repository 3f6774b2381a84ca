"""Fetch state: per-source validators and health, run history, raw pages (compressed)."""

from alembic import op

from dongtai.store.ddl import table

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    table("fetch_state", """
        source_id            s200 key
        etag                 text
        last_modified        text
        last_attempt         time
        last_success         time null
        consecutive_failures int
        last_status          s20
        last_error           text
    """)  # fmt: skip
    table("fetch_runs", """
        id                   key
        source_id            s200 index
        started_at           time
        finished_at          time
        status               s20
        new                  int
        unchanged            int
        failed               int
        error                text
    """)  # fmt: skip
    table("raw_pages", """
        url                  s2000 key
        source_id            s200
        final_url            s2000
        content_type         s200
        fetched_at           time
        body                 bytes
    """)  # fmt: skip


def downgrade() -> None:
    for name in ("raw_pages", "fetch_runs", "fetch_state"):
        op.drop_table(name)
