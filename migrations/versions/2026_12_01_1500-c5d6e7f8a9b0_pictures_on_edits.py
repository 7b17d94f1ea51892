"""pictures on edits: an edit of a published post carries its own set of pictures until applied

Revision ID: c5d6e7f8a9b0
Revises: 1b2c3d4e5f60
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d6e7f8a9b0"
down_revision: str | None = "1b2c3d4e5f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "post_edit",
        sa.Column("replaces_pictures", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with op.batch_alter_table("post_picture", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_post_picture_edit_id_post_edit"),
            "post_edit",
            ["edit_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_post_picture_edit_id"), ["edit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_picture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_picture_edit_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_post_picture_edit_id_post_edit"), type_="foreignkey"
        )
        batch_op.drop_column("edit_id")
    with op.batch_alter_table("post_edit", schema=None) as batch_op:
        batch_op.drop_column("replaces_pictures")
