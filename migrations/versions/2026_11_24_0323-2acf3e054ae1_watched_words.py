"""watched words

Revision ID: 2acf3e054ae1
Revises: 7e2c0f9d5e81
Create Date: 2026-11-24 03:23:40.171783
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2acf3e054ae1"
down_revision: str | None = "7e2c0f9d5e81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watched_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=100), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "block",
                "hold",
                "flag",
                name="watched_word_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_watched_word_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watched_word")),
        sa.UniqueConstraint("forum_id", "phrase", name=op.f("uq_watched_word_forum_id_phrase")),
    )


def downgrade() -> None:
    op.drop_table("watched_word")
