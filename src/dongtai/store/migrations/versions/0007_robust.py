"""Summary-only items: marked, with why their page failed and when to try it again."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import added, stamp

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(added("summary_only", sa.Boolean(), sa.false()))
        batch.add_column(added("page_error", sa.Text(), ""))
        batch.add_column(added("page_attempts", sa.Integer(), "0"))
        batch.add_column(stamp("page_retry_at", nullable=True))
    op.create_index("ix_items_page_retry_at", "items", ["page_retry_at"])


def downgrade() -> None:
    op.drop_index("ix_items_page_retry_at", "items")
    with op.batch_alter_table("items") as batch:
        for column in ("page_retry_at", "page_attempts", "page_error", "summary_only"):
            batch.drop_column(column)
