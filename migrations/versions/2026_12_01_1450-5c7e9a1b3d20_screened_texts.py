"""screened texts: goals, buddy requests and group prompts that need a person reach the queue

Revision ID: 5c7e9a1b3d20
Revises: 1b2c3d4e5f60
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c7e9a1b3d20"
down_revision: str | None = "1b2c3d4e5f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SUBJECT = "post_id IS NOT NULL OR conversation_id IS NOT NULL"
NEW_SUBJECT = "post_id IS NOT NULL OR conversation_id IS NOT NULL OR screened_text_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "screened_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "goal",
                "buddy_request",
                "cohort_prompt",
                name="text_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("scorer_name", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_screened_text_author_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_screened_text_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screened_text")),
    )
    with op.batch_alter_table("screened_text", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_screened_text_author_id"), ["author_id"], unique=False)
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screened_text_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_review_item_screened_text_id"), ["screened_text_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_item_screened_text_id_screened_text"),
            "screened_text",
            ["screened_text_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(op.f("ck_review_item_names_its_subject"), type_="check")
        batch_op.create_check_constraint(op.f("ck_review_item_names_its_subject"), NEW_SUBJECT)


def downgrade() -> None:
    # Items and decisions about screened texts have nothing to point at once the table is gone.
    op.execute(
        "DELETE FROM moderation_decision WHERE review_item_id IN "
        "(SELECT id FROM review_item WHERE screened_text_id IS NOT NULL)"
    )
    op.execute("DELETE FROM review_item WHERE screened_text_id IS NOT NULL")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_review_item_names_its_subject"), type_="check")
        batch_op.create_check_constraint(op.f("ck_review_item_names_its_subject"), OLD_SUBJECT)
        batch_op.drop_constraint(
            batch_op.f("fk_review_item_screened_text_id_screened_text"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_review_item_screened_text_id"))
        batch_op.drop_column("screened_text_id")
    with op.batch_alter_table("screened_text", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_screened_text_author_id"))
    op.drop_table("screened_text")
