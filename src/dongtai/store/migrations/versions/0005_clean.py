"""Items keep what the outlet published beside the cleaned title and text."""

import sqlalchemy as sa
from alembic import op

from dongtai.store.ddl import added

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(added("raw_title", sa.Text(), ""))
        batch.add_column(added("raw_text", sa.Text(), ""))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("raw_text")
        batch.drop_column("raw_title")
