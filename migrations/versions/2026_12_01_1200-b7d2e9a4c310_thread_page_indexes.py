"""Indexes for pages that must stay flat at a million posts: a thread's posts in reading order,
and a member's own threads still waiting for a moderator.

Revision ID: b7d2e9a4c310
Revises: f2b3c4d5e6a7
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e9a4c310"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_post_thread_id_created_at_id", "post", ["thread_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_thread_author_id_unpublished",
        "thread",
        ["author_id", "forum_id"],
        unique=False,
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_thread_author_id_unpublished", table_name="thread")
    op.drop_index("ix_post_thread_id_created_at_id", table_name="post")
