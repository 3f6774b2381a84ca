"""Fetch state: per-source validators and health, run history, raw pages (compressed)."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import col, key, stamp

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "fetch_state",
        key("source_id", sa.String(200)),
        col("etag", sa.Text()),
        col("last_modified", sa.Text()),
        stamp("last_attempt"),
        stamp("last_success", nullable=True),
        col("consecutive_failures", sa.Integer()),
        col("last_status", sa.String(20)),
        col("last_error", sa.Text()),
    )
    op.create_table(
        "fetch_runs",
        key("id"),
        col("source_id", sa.String(200)),
        stamp("started_at"),
        stamp("finished_at"),
        col("status", sa.String(20)),
        col("new", sa.Integer()),
        col("unchanged", sa.Integer()),
        col("failed", sa.Integer()),
        col("error", sa.Text()),
    )
    op.create_index("ix_fetch_runs_source_id", "fetch_runs", ["source_id"])
    op.create_table(
        "raw_pages",
        key("url", sa.String(2000)),
        col("source_id", sa.String(200)),
        col("final_url", sa.String(2000)),
        col("content_type", sa.String(200)),
        stamp("fetched_at"),
        col("body", sa.LargeBinary()),
    )


def downgrade() -> None:
    for table in ("raw_pages", "fetch_runs", "fetch_state"):
        op.drop_table(table)
