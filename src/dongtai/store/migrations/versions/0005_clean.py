"""Items keep what the outlet published beside the cleaned title and text."""

from alembic import op

from dongtai.store.ddl import add

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    add("items", """
        raw_title  text default=''
        raw_text   text default=''
    """)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("raw_text")
        batch.drop_column("raw_title")
