"""Initial schema: sources, items, stage outputs, stories, briefings, references.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("known", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False, unique=True),
        sa.Column("source_id", sa.String(200), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_items_source_id", "items", ["source_id"])
    op.create_index("ix_items_published", "items", ["published"])
    op.create_table(
        "stage_outputs",
        sa.Column("issue_date", sa.Date(), primary_key=True),
        sa.Column("stage", sa.String(40), primary_key=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("issue_date", sa.Date(), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("item_urls", sa.JSON(), nullable=False),
        sa.Column("outlets", sa.JSON(), nullable=False),
    )
    op.create_table(
        "briefings",
        sa.Column("issue_date", sa.Date(), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("writer", sa.String(40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "briefing_references",
        sa.Column(
            "issue_date",
            sa.Date(),
            sa.ForeignKey("briefings.issue_date", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("n", sa.Integer(), primary_key=True),
        sa.Column("item_url", sa.String(2000), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
    )
    op.create_index("ix_briefing_references_item_url", "briefing_references", ["item_url"])


def downgrade() -> None:
    for table in ("briefing_references", "briefings", "stories", "stage_outputs", "items"):
        op.drop_table(table)
    op.drop_table("sources")
