"""watching and reading

Revision ID: 44922708e734
Revises: f22edbf88b08
Create Date: 2026-11-24 04:35:53.679336
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "44922708e734"
down_revision: str | None = "f22edbf88b08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unanswered_hours", sa.Integer(), nullable=False, server_default="24")
        )
    op.create_table(
        "thread_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["thread.id"],
            name=op.f("fk_thread_read_thread_id_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_thread_read_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_read")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_thread_read_user_id_thread_id")),
    )
    op.create_table(
        "watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("forum_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forum.id"], name=op.f("fk_watch_forum_id_forum"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["thread.id"], name=op.f("fk_watch_thread_id_thread"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_watch_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch")),
        sa.UniqueConstraint("user_id", "forum_id", name=op.f("uq_watch_user_id_forum_id")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_watch_user_id_thread_id")),
    )
    with op.batch_alter_table("watch", schema=None) as batch_op:
        batch_op.create_index("ix_watch_forum_id", ["forum_id"], unique=False)
        batch_op.create_index("ix_watch_thread_id", ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("unanswered_hours")
    with op.batch_alter_table("watch", schema=None) as batch_op:
        batch_op.drop_index("ix_watch_thread_id")
        batch_op.drop_index("ix_watch_forum_id")

    op.drop_table("watch")
    op.drop_table("thread_read")
