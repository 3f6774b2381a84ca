"""Enrichment: per item, what it says whatever the day (embeddings, signals, signature).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrichment",
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("digest", sa.String(40), nullable=False),
        sa.Column("lead", sa.LargeBinary(), nullable=False),
        sa.Column("relevance", sa.LargeBinary(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("enrichment")
