"""Fetch runs record which way of reading the outlet was used (feed, sitemap, listing,
RSSHub route); the fetch state keeps the last one (conditional GET applies to it only).
"""

from alembic import op

from dongtai.store.ddl import add

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    add("fetch_runs", "way text default=''")
    add("fetch_state", "last_way text default=''")


def downgrade() -> None:
    with op.batch_alter_table("fetch_state") as batch:
        batch.drop_column("last_way")
    with op.batch_alter_table("fetch_runs") as batch:
        batch.drop_column("way")
