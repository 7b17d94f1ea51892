"""decisions people can trust: undo, appeals of rejected posts, follow-ups

A decision remembers the post's status before it and the notice its author was sent (so undo
can put both right); an author appeals a rejected post once; an urgent item's decision schedules
a follow-up after the forum's follow_up_hours.

Revision ID: 1a2eedba8727
Revises: f2b3c4d5e6a7
Create Date: 2026-12-01 11:46:40.179972
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1a2eedba8727"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_decision.id"],
            name=op.f("fk_follow_up_decision_id_moderation_decision"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user_account.id"], name=op.f("fk_follow_up_done_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forum.id"], name=op.f("fk_follow_up_forum_id_forum"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_member_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_moderator_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["review_item_id"],
            ["review_item.id"],
            name=op.f("fk_follow_up_review_item_id_review_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_forum_id_done_at_due_at", ["forum_id", "done_at", "due_at"], unique=False
        )

    op.create_table(
        "post_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "upheld",
                "overturned",
                name="appeal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_decision.id"],
            name=op.f("fk_post_appeal_decision_id_moderation_decision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_post_appeal_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_appeal_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user_account.id"],
            name=op.f("fk_post_appeal_reviewer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_appeal")),
        sa.UniqueConstraint("post_id", name=op.f("uq_post_appeal_post_id")),
    )
    with op.batch_alter_table("post_appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_appeal_forum_id"), ["forum_id"], unique=False)

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("follow_up_hours", sa.Integer(), server_default="24", nullable=False)
        )

    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_notification_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("post_status_before", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.drop_column("post_status_before")
        batch_op.drop_column("undone_at")
        batch_op.drop_column("author_notification_id")

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("follow_up_hours")

    with op.batch_alter_table("post_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_appeal_forum_id"))

    op.drop_table("post_appeal")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_forum_id_done_at_due_at")

    op.drop_table("follow_up")
