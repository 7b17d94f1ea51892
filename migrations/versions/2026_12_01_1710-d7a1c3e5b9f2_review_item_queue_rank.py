"""review item queue rank: the dashboard's order, computed by the database, with a partial index
on pending items so the held queue reads the same few rows however many items are open (it
replaces the status-and-priority index, which served the old sorted order); an author's posts
indexed newest first for the item card's history

Revision ID: d7a1c3e5b9f2
Revises: 2c3d4e5f6071
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7a1c3e5b9f2"
down_revision: str | None = (
    "2c3d4e5f6071"  # last: a later batch copy of review_item would write its generated column
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in app/moderation_queue/models.py when this was written (migrations are static).
QUEUE_RANK_SQL = (
    "CASE queue WHEN 'urgent' THEN 0 WHEN 'held' THEN 1000 WHEN 'reported' THEN 2000 ELSE 3000 END"
    " + 100 - priority"
)


def upgrade() -> None:
    # A plain ADD COLUMN (not a batch copy): SQLite adds a virtual generated column in place (it
    # cannot add a stored one), PostgreSQL a stored one (an index needs it stored, even on 18+).
    stored = True if op.get_bind().dialect.name == "postgresql" else None
    op.add_column(
        "review_item",
        sa.Column(
            "queue_rank",
            sa.Integer(),
            sa.Computed(QUEUE_RANK_SQL, persisted=stored),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_review_item_pending_rank",
        "review_item",
        ["queue_rank", "created_at", "id", "forum_id"],
        unique=False,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    # It served the old order (sorted on the fly); the new index serves the queue.
    op.drop_index("ix_review_item_status_priority", table_name="review_item")
    # An author's posts newest first (the item card's history), not all of them sorted.
    op.create_index("ix_post_author_id_created_at", "post", ["author_id", "created_at"])
    op.drop_index("ix_post_author_id", table_name="post")


def downgrade() -> None:
    op.create_index("ix_post_author_id", "post", ["author_id"], unique=False)
    op.drop_index("ix_post_author_id_created_at", table_name="post")
    op.create_index(
        "ix_review_item_status_priority", "review_item", ["status", "priority"], unique=False
    )
    op.drop_index(
        "ix_review_item_pending_rank",
        table_name="review_item",
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_column("review_item", "queue_rank")
