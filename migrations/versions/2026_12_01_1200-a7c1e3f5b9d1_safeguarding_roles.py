"""safeguarding roles: on call, safeguarding lead and out-of-hours contact per forum moderator

Revision ID: a7c1e3f5b9d1
Revises: f2b3c4d5e6a7
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c1e3f5b9d1"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("on_call", "safeguarding_lead", "out_of_hours_contact")


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        for role in ROLES:
            batch_op.add_column(
                sa.Column(role, sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        for role in reversed(ROLES):
            batch_op.drop_column(role)
