"""post pictures: up to four re-encoded pictures per post, and the moderator's blur setting

Revision ID: 8e4f2a3b5c61
Revises: 7d3e1f2a9b40
Create Date: 2026-12-01 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e4f2a3b5c61"
down_revision: str | None = "7d3e1f2a9b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "post_picture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_picture_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_picture")),
    )
    op.create_index(
        "ix_post_picture_post_id_position", "post_picture", ["post_id", "position"], unique=False
    )
    op.create_index("ix_post_picture_storage_key", "post_picture", ["storage_key"], unique=False)
    # Plain ADD COLUMN (no batch rebuild of user_account on SQLite, see c27f9d4e1a02).
    op.add_column(
        "user_account",
        sa.Column("blur_pictures", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("blur_pictures")
    op.drop_index("ix_post_picture_storage_key", table_name="post_picture")
    op.drop_index("ix_post_picture_post_id_position", table_name="post_picture")
    op.drop_table("post_picture")
