"""no forum without cover: a forum is opened to members (opened_at) only while it has a moderator

Forums that exist already stay open (opened_at = created_at); new ones made in the admin console
start closed until an admin opens them.

Revision ID: 9d45fb53481e
Revises: 1a2eedba8727
Create Date: 2026-12-01 12:09:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d45fb53481e"
down_revision: str | None = "1a2eedba8727"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
    forum = sa.table(
        "forum",
        sa.column("opened_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.execute(forum.update().values(opened_at=forum.c.created_at))


def downgrade() -> None:
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.drop_column("opened_at")
