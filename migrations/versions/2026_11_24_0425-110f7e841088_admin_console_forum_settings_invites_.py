"""admin console: forum settings, invites, joining answers

Revision ID: 110f7e841088
Revises: 9c034b0430ca
Create Date: 2026-11-24 04:25:35.146609
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "110f7e841088"
down_revision: str | None = "9c034b0430ca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_invite_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forum.id"], name=op.f("fk_invite_forum_id_forum"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite")),
        sa.UniqueConstraint("code", name=op.f("uq_invite_code")),
    )
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_forum_id"), ["forum_id"], unique=False)

    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guidelines", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("eligibility", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("welcome_message", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("joining_questions", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_posts_held", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("answers")

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("first_posts_held")

    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("joining_questions")
        batch_op.drop_column("welcome_message")
        batch_op.drop_column("eligibility")
        batch_op.drop_column("guidelines")

    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_forum_id"))

    op.drop_table("invite")
