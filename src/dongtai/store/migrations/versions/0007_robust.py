"""Summary-only items: marked, with why their page failed and when to try it again.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(
            sa.Column("summary_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("page_error", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("page_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("page_retry_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_items_page_retry_at", "items", ["page_retry_at"])


def downgrade() -> None:
    op.drop_index("ix_items_page_retry_at", "items")
    with op.batch_alter_table("items") as batch:
        for column in ("page_retry_at", "page_attempts", "page_error", "summary_only"):
            batch.drop_column(column)
