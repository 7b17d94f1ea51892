"""edits, member mutes, breaks and account deletion

Revision ID: 9c034b0430ca
Revises: 3c8dd9b38662
Create Date: 2026-11-24 04:07:54.689273
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c034b0430ca"
down_revision: str | None = "3c8dd9b38662"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_mute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("muted_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["muted_user_id"],
            ["user_account.id"],
            name=op.f("fk_member_mute_muted_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_member_mute_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_mute")),
        sa.UniqueConstraint(
            "user_id", "muted_user_id", name=op.f("uq_member_mute_user_id_muted_user_id")
        ),
    )
    op.create_table(
        "post_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "applied",
                "discarded",
                name="edit_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_edit_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_edit")),
    )
    with op.batch_alter_table("post_edit", schema=None) as batch_op:
        batch_op.create_index("ix_post_edit_post_id_status", ["post_id", "status"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("break_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("break_until")

    with op.batch_alter_table("post_edit", schema=None) as batch_op:
        batch_op.drop_index("ix_post_edit_post_id_status")

    op.drop_table("post_edit")
    op.drop_table("member_mute")
