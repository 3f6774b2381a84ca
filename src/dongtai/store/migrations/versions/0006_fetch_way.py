"""Fetch runs record which way of reading the outlet was used (feed, sitemap, listing,
RSSHub route); the fetch state keeps the last one (conditional GET applies to it only).

Revision ID: 0006
Revises: 0004 (to be chained after 0005 when the editorial migration is merged)
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fetch_runs") as batch:
        batch.add_column(sa.Column("way", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("fetch_state") as batch:
        batch.add_column(sa.Column("last_way", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("fetch_state") as batch:
        batch.drop_column("last_way")
    with op.batch_alter_table("fetch_runs") as batch:
        batch.drop_column("way")
