"""outcome measures: optional wellbeing (ONS4) and confidence check-ins; a forum says how often

Revision ID: 71741874f6e4
Revises: 282cff276c6e
Create Date: 2026-12-01 12:47:03.676800
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "71741874f6e4"
down_revision: str | None = "282cff276c6e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("life_satisfaction", sa.Integer(), nullable=True),
        sa.Column("worthwhile", sa.Integer(), nullable=True),
        sa.Column("happy", sa.Integer(), nullable=True),
        sa.Column("anxious", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_outcome_response_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_outcome_response_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_response")),
    )
    with op.batch_alter_table("outcome_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outcome_response_forum_id_user_id_created_at",
            ["forum_id", "user_id", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome_every_weeks", sa.Integer(), nullable=False, server_default="6")
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("outcome_every_weeks")

    with op.batch_alter_table("outcome_response", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_response_forum_id_user_id_created_at")

    op.drop_table("outcome_response")
