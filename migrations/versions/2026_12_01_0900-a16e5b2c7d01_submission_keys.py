"""submission keys: a form sent twice (double click, retry) makes one thing

Revision ID: a16e5b2c7d01
Revises: 5d3e8b1c9f42
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a16e5b2c7d01"
down_revision: str | None = "5d3e8b1c9f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("result_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_submission_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_submission_user_id_key")),
    )
    op.create_index("ix_submission_created_at", "submission", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_submission_created_at", table_name="submission")
    op.drop_table("submission")
