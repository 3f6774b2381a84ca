"""Publishing: daily runs and their steps, approvals, the delivery log, operator notices."""

from alembic import op

from dongtai.store.ddl import table

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    table("publish_runs", """
        issue_date   date key
        status       s24
        steps        json
        message      text
        started_at   time
        updated_at   time
    """)  # fmt: skip
    table("approvals", """
        id           key
        issue_date   date index
        version      s64
        approved_by  s200
        approved_at  time
        override     bool
        status       s20
    """)  # fmt: skip
    table("deliveries", """
        id           key
        key          s600 unique
        delivery_id  s64
        issue_date   date index
        version      s64
        channel      s100
        recipient    s400
        status       s12
        attempts     int
        parts_sent   int
        parts_total  int
        permanent    bool
        response     text
        created_at   time
        updated_at   time
        delivered_at time null
    """)  # fmt: skip
    table("notices", """
        key          s400 key
        message      text
        first_at     time
        sent_at      time null
        attempts     int
        error        text
    """)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_deliveries_issue_date", "deliveries")
    op.drop_index("ix_approvals_issue_date", "approvals")
    for name in ("notices", "deliveries", "approvals", "publish_runs"):
        op.drop_table(name)
