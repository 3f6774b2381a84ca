"""Publishing: daily runs and their steps, approvals, the delivery log, operator notices."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import col, key, stamp

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "publish_runs",
        key("issue_date", sa.Date()),
        col("status", sa.String(24)),
        col("steps", sa.JSON()),
        col("message", sa.Text()),
        stamp("started_at"),
        stamp("updated_at"),
    )
    op.create_table(
        "approvals",
        key("id"),
        col("issue_date", sa.Date()),
        col("version", sa.String(64)),
        col("approved_by", sa.String(200)),
        stamp("approved_at"),
        col("override", sa.Boolean()),
        col("status", sa.String(20)),
    )
    op.create_index("ix_approvals_issue_date", "approvals", ["issue_date"])
    op.create_table(
        "deliveries",
        key("id"),
        col("key", sa.String(600), unique=True),
        col("delivery_id", sa.String(64)),
        col("issue_date", sa.Date()),
        col("version", sa.String(64)),
        col("channel", sa.String(100)),
        col("recipient", sa.String(400)),
        col("status", sa.String(12)),
        col("attempts", sa.Integer()),
        col("parts_sent", sa.Integer()),
        col("parts_total", sa.Integer()),
        col("permanent", sa.Boolean()),
        col("response", sa.Text()),
        stamp("created_at"),
        stamp("updated_at"),
        stamp("delivered_at", nullable=True),
    )
    op.create_index("ix_deliveries_issue_date", "deliveries", ["issue_date"])
    op.create_table(
        "notices",
        key("key", sa.String(400)),
        col("message", sa.Text()),
        stamp("first_at"),
        stamp("sent_at", nullable=True),
        col("attempts", sa.Integer()),
        col("error", sa.Text()),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_issue_date", "deliveries")
    op.drop_index("ix_approvals_issue_date", "approvals")
    for table in ("notices", "deliveries", "approvals", "publish_runs"):
        op.drop_table(table)
