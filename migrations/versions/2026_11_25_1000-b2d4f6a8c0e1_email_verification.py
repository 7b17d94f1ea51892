"""email verification: confirmed addresses, and posts that wait for their author's confirmation

Existing accounts are treated as confirmed (they signed up before confirmation existed and have
been receiving Harbour's emails): their posts and emails carry on as before.

Revision ID: b2d4f6a8c0e1
Revises: a1c3e5f7b9d2
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2d4f6a8c0e1"
down_revision: str | None = "a1c3e5f7b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_post_post_status"
STATUSES = ("awaiting_assessment", "held", "published", "rejected", "withdrawn", "removed")


def _allow(statuses: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(op.f(CONSTRAINT), f"status IN ({allowed})")


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE user_account SET email_verified_at = created_at")
    _allow((*STATUSES, "awaiting_verification"))


def downgrade() -> None:
    # Back to the gate: the worker assesses them again and publishes or holds them.
    op.execute(
        "UPDATE post SET status = 'awaiting_assessment' WHERE status = 'awaiting_verification'"
    )
    _allow(STATUSES)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
