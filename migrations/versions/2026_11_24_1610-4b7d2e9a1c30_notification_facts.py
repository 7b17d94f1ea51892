"""notification facts: notifications are shown in the reader's language

Revision ID: 4b7d2e9a1c30
Revises: 3ed07f60c95c
Create Date: 2026-11-24 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7d2e9a1c30"
down_revision: str | None = "3ed07f60c95c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Older notifications keep their English sentence (facts stay null).
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("facts")
