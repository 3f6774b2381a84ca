"""Items keep what the outlet published beside the cleaned title and text.

Revision ID: 0005
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("raw_title", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("raw_text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("raw_text")
        batch.drop_column("raw_title")
