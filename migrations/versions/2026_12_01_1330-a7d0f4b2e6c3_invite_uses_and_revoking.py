"""invite uses and revoking: who joined with which invite and when; an invite can be withdrawn

Revision ID: a7d0f4b2e6c3
Revises: f6c9e3a1d5b2
Create Date: 2026-12-01 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d0f4b2e6c3"
down_revision: str | None = "f6c9e3a1d5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "invite_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invite.id"],
            name=op.f("fk_invite_use_invite_id_invite"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_invite_use_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_use")),
        sa.UniqueConstraint("invite_id", "user_id", name=op.f("uq_invite_use_invite_id_user_id")),
    )
    with op.batch_alter_table("invite_use", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_invite_use_invite_id"), ["invite_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invite_use", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_invite_use_invite_id"))
    op.drop_table("invite_use")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
