"""Enrichment: per item, what it says whatever the day (embeddings, signals, signature)."""

from alembic import op

from dongtai.store.ddl import table

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    table("enrichment", """
        url           s2000 key
        digest        s40
        lead          bytes
        relevance     bytes null
        signature     bytes
        figures       json
        organisations json
    """)  # fmt: skip


def downgrade() -> None:
    op.drop_table("enrichment")
