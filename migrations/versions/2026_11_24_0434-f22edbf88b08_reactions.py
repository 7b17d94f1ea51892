"""reactions

Revision ID: f22edbf88b08
Revises: bf3132f3bee4
Create Date: 2026-11-24 04:34:51.384975
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f22edbf88b08"
down_revision: str | None = "bf3132f3bee4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "thanks",
                "support",
                "me_too",
                name="reaction_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_reaction_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_reaction_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reaction")),
        sa.UniqueConstraint(
            "post_id", "user_id", "kind", name=op.f("uq_reaction_post_id_user_id_kind")
        ),
    )
    with op.batch_alter_table("reaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reaction_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reaction_post_id"))

    op.drop_table("reaction")
