"""notification email: one-click unsubscribe header, thread titles by opt-in, authors watch their threads

`outbox_email.list_unsubscribe` keeps the RFC 8058 one-click address sent with a notification email;
`user_account.email_titles` is the member's opt-in to thread titles in digests (off: neutral);
every existing thread's author now watches it (a watch they can stop), as new threads' authors do.

Revision ID: 7d3e1f2a9b40
Revises: f2b3c4d5e6a7
Create Date: 2026-12-01 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d3e1f2a9b40"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild of user_account on SQLite, see c27f9d4e1a02).
    op.add_column("outbox_email", sa.Column("list_unsubscribe", sa.String(300), nullable=True))
    op.add_column(
        "user_account",
        sa.Column("email_titles", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "INSERT INTO watch (user_id, thread_id, created_at) "
        "SELECT t.author_id, t.id, t.created_at FROM thread t "
        "WHERE NOT EXISTS (SELECT 1 FROM watch w WHERE w.user_id = t.author_id "
        "AND w.thread_id = t.id)"
    )


def downgrade() -> None:
    # The authors' watches stay: they are indistinguishable from ones they chose.
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("email_titles")
    with op.batch_alter_table("outbox_email") as batch_op:
        batch_op.drop_column("list_unsubscribe")
