"""forum eligibility: an age band and statements to confirm, the kind words for those outside
it, and the band a member said they are in (never their age or birth year)

Revision ID: f6c9e3a1d5b2
Revises: e5b8d2f0c4a1
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6c9e3a1d5b2"
down_revision: str | None = "e5b8d2f0c4a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.add_column(sa.Column("age_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("age_max", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("eligibility_questions", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("ineligible_message", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("age_band", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("age_band")
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.drop_column("ineligible_message")
        batch_op.drop_column("eligibility_questions")
        batch_op.drop_column("age_max")
        batch_op.drop_column("age_min")
