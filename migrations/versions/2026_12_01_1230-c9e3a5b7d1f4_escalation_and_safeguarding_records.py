"""escalation to the safeguarding leads or clinical reviewers, and safeguarding records

Revision ID: c9e3a5b7d1f4
Revises: b8d2f4a6c0e3
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9e3a5b7d1f4"
down_revision: str | None = "b8d2f4a6c0e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safeguarding_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=True),
        sa.Column("queue", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_safeguarding_case_closed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_safeguarding_case_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["user_account.id"],
            name=op.f("fk_safeguarding_case_opened_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_item_id"],
            ["review_item.id"],
            name=op.f("fk_safeguarding_case_review_item_id_review_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_case")),
    )
    with op.batch_alter_table("safeguarding_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safeguarding_case_forum_id_closed_at", ["forum_id", "closed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_case_review_item_id"), ["review_item_id"], unique=False
        )

    op.create_table(
        "safeguarding_case_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_safeguarding_case_entry_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["safeguarding_case.id"],
            name=op.f("fk_safeguarding_case_entry_case_id_safeguarding_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_case_entry")),
    )
    with op.batch_alter_table("safeguarding_case_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safeguarding_case_entry_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_column("escalation")

    with op.batch_alter_table("safeguarding_case_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_case_entry_case_id"))

    op.drop_table("safeguarding_case_entry")
    with op.batch_alter_table("safeguarding_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_case_review_item_id"))
        batch_op.drop_index("ix_safeguarding_case_forum_id_closed_at")

    op.drop_table("safeguarding_case")
