"""Initial schema: sources, items, stage outputs, stories, briefings, references."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import col, key, stamp

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "sources",
        key("id", sa.String(200)),
        col("data", sa.JSON()),
        col("known", sa.Boolean()),
    )
    op.create_table(
        "items",
        key("id"),
        col("url", sa.String(2000), unique=True),
        col("source_id", sa.String(200), sa.ForeignKey("sources.id")),
        col("title", sa.Text()),
        stamp("published"),
        col("language", sa.String(8)),
        col("text", sa.Text()),
        col("summary", sa.Text()),
        col("authors", sa.JSON()),
        stamp("ingested_at"),
    )
    op.create_index("ix_items_source_id", "items", ["source_id"])
    op.create_index("ix_items_published", "items", ["published"])
    op.create_table(
        "stage_outputs",
        key("issue_date", sa.Date()),
        key("stage", sa.String(40)),
        col("payload", sa.JSON()),
        stamp("created_at"),
    )
    op.create_table(
        "stories",
        key("issue_date", sa.Date()),
        key("id", sa.String(64)),
        col("topic", sa.String(40)),
        col("title", sa.Text()),
        col("score", sa.Float()),
        col("reasons", sa.JSON()),
        col("item_urls", sa.JSON()),
        col("outlets", sa.JSON()),
    )
    op.create_table(
        "briefings",
        key("issue_date", sa.Date()),
        col("status", sa.String(20)),
        col("writer", sa.String(40)),
        col("document", sa.JSON()),
        stamp("created_at"),
    )
    op.create_table(
        "briefing_references",
        key("issue_date", sa.Date(), sa.ForeignKey("briefings.issue_date", ondelete="CASCADE")),
        key("n"),
        col("item_url", sa.String(2000)),
        col("source", sa.Text()),
        col("published", sa.Date()),
        col("title", sa.Text()),
    )
    op.create_index("ix_briefing_references_item_url", "briefing_references", ["item_url"])


def downgrade() -> None:
    for table in ("briefing_references", "briefings", "stories", "stage_outputs", "items"):
        op.drop_table(table)
    op.drop_table("sources")
