"""moderator wellbeing: blur setting, break thresholds, shifts

Each moderator's own settings (blur distressing posts, suggest a break after N crisis items or
M minutes), and their shifts, which the dashboard's shift timer counts from.

Revision ID: 256d459e2d78
Revises: 9d45fb53481e
Create Date: 2026-12-01 12:21:53.055728
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "256d459e2d78"
down_revision: str | None = "9d45fb53481e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderator_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_moderator_shift_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_shift")),
    )
    with op.batch_alter_table("moderator_shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderator_shift_user_id_ended_at", ["user_id", "ended_at"], unique=False
        )

    op.create_table(
        "moderator_wellbeing",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("blur_distressing", sa.Boolean(), nullable=False),
        sa.Column("break_after_crisis_items", sa.Integer(), nullable=False),
        sa.Column("break_after_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_moderator_wellbeing_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_moderator_wellbeing")),
    )


def downgrade() -> None:
    op.drop_table("moderator_wellbeing")
    with op.batch_alter_table("moderator_shift", schema=None) as batch_op:
        batch_op.drop_index("ix_moderator_shift_user_id_ended_at")

    op.drop_table("moderator_shift")
