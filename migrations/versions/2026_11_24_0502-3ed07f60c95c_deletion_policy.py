"""deletion policy

Revision ID: 3ed07f60c95c
Revises: 265598e05f9d
Create Date: 2026-11-24 05:02:31.272570
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3ed07f60c95c"
down_revision: str | None = "265598e05f9d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "keep_posts_of_deleted_accounts",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("keep_posts_of_deleted_accounts")
