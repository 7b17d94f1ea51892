"""email outbox and preferences

Revision ID: da09400d7b02
Revises: 5e1a7c3d9b20
Create Date: 2026-11-24 04:44:48.323756
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "da09400d7b02"
down_revision: str | None = "5e1a7c3d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_preference", sa.String(length=16), nullable=False, server_default="daily"
            )
        )
        batch_op.add_column(sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("last_digest_at")
        batch_op.drop_column("email_preference")

    op.drop_table("outbox_email")
