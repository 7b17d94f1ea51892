"""claims since: others see who holds a claim and for how long

Revision ID: 80fca02303a1
Revises: 3fc3135bbf07
Create Date: 2026-12-01 08:52:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "80fca02303a1"
down_revision: str | None = "3fc3135bbf07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
