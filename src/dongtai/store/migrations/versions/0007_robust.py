"""Summary-only items: marked, with why their page failed and when to try it again."""

from alembic import op

from dongtai.store.ddl import add

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    add("items", """
        summary_only   bool default=false
        page_error     text default=''
        page_attempts  int default=0
        page_retry_at  time null
    """)  # fmt: skip
    op.create_index("ix_items_page_retry_at", "items", ["page_retry_at"])


def downgrade() -> None:
    op.drop_index("ix_items_page_retry_at", "items")
    with op.batch_alter_table("items") as batch:
        for column in ("page_retry_at", "page_attempts", "page_error", "summary_only"):
            batch.drop_column(column)
