"""staffed hours

Revision ID: bf3132f3bee4
Revises: 110f7e841088
Create Date: 2026-11-24 04:33:31.351536
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bf3132f3bee4"
down_revision: str | None = "110f7e841088"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("staffed_days", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("staffed_from", sa.String(length=5), nullable=False, server_default="09:00")
        )
        batch_op.add_column(
            sa.Column("staffed_until", sa.String(length=5), nullable=False, server_default="17:00")
        )
        batch_op.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="Europe/London"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("staffed_until")
        batch_op.drop_column("staffed_from")
        batch_op.drop_column("staffed_days")
