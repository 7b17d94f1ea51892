"""profiles

Revision ID: 265598e05f9d
Revises: da09400d7b02
Create Date: 2026-11-24 04:49:11.530366
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "265598e05f9d"
down_revision: str | None = "da09400d7b02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bio", sa.String(length=280), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("avatar", sa.String(length=16), nullable=False, server_default="wave")
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("avatar")
        batch_op.drop_column("bio")
