"""Fetch runs record which way of reading the outlet was used (feed, sitemap, listing,
RSSHub route); the fetch state keeps the last one (conditional GET applies to it only).
"""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import added

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    with op.batch_alter_table("fetch_runs") as batch:
        batch.add_column(added("way", sa.Text(), ""))
    with op.batch_alter_table("fetch_state") as batch:
        batch.add_column(added("last_way", sa.Text(), ""))


def downgrade() -> None:
    with op.batch_alter_table("fetch_state") as batch:
        batch.drop_column("last_way")
    with op.batch_alter_table("fetch_runs") as batch:
        batch.drop_column("way")
