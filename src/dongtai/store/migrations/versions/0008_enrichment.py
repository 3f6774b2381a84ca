"""Enrichment: per item, what it says whatever the day (embeddings, signals, signature)."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import col, key

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "enrichment",
        key("url", sa.String(2000)),
        col("digest", sa.String(40)),
        col("lead", sa.LargeBinary()),
        sa.Column("relevance", sa.LargeBinary(), nullable=True),
        col("signature", sa.LargeBinary()),
        col("figures", sa.JSON()),
        col("organisations", sa.JSON()),
    )


def downgrade() -> None:
    op.drop_table("enrichment")
