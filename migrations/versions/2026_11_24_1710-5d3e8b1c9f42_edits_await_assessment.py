"""edits await assessment: an edit of a published post is assessed by the worker, like a new post

Revision ID: 5d3e8b1c9f42
Revises: 8c1f4a7e2b55
Create Date: 2026-11-24 17:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d3e8b1c9f42"
down_revision: str | None = "8c1f4a7e2b55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_post_edit_edit_status"


def _allow(statuses: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("post_edit", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch_op.create_check_constraint(op.f(CONSTRAINT), f"status IN ({allowed})")


def upgrade() -> None:
    _allow(("awaiting_assessment", "pending", "applied", "discarded"))


def downgrade() -> None:
    # Edits not yet assessed go to a moderator, the safe side of the gate.
    op.execute("UPDATE post_edit SET status = 'pending' WHERE status = 'awaiting_assessment'")
    _allow(("pending", "applied", "discarded"))
