"""Initial schema: sources, items, stage outputs, stories, briefings, references."""

from alembic import op

from dongtai.store.ddl import table

revision = "0001"
down_revision = None


def upgrade() -> None:
    table("sources", """
        id          s200 key
        data        json
        known       bool
    """)  # fmt: skip
    table("items", """
        id          key
        url         s2000 unique
        source_id   s200 ref=sources.id index
        title       text
        published   time index
        language    s8
        text        text
        summary     text
        authors     json
        ingested_at time
    """)  # fmt: skip
    table("stage_outputs", """
        issue_date  date key
        stage       s40 key
        payload     json
        created_at  time
    """)  # fmt: skip
    table("stories", """
        issue_date  date key
        id          s64 key
        topic       s40
        title       text
        score       float
        reasons     json
        item_urls   json
        outlets     json
    """)  # fmt: skip
    table("briefings", """
        issue_date  date key
        status      s20
        writer      s40
        document    json
        created_at  time
    """)  # fmt: skip
    table("briefing_references", """
        issue_date  date key ref=briefings.issue_date cascade
        n           key
        item_url    s2000 index
        source      text
        published   date
        title       text
    """)  # fmt: skip


def downgrade() -> None:
    for name in ("briefing_references", "briefings", "stories", "stage_outputs", "items"):
        op.drop_table(name)
    op.drop_table("sources")
