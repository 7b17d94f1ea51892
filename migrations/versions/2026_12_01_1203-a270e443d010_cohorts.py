"""cohorts: private groups inside a forum with a weekly check-in; a conversation can be a
cohort's thread (a new conversation kind, with a title)

Revision ID: a270e443d010
Revises: bfdbf6ac30f2
Create Date: 2026-12-01 12:03:58.180557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a270e443d010"
down_revision: str | None = "bfdbf6ac30f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "ck_conversation_conversation_kind"


def _allow_kinds(kinds: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{k}'" for k in kinds)
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(KIND), type_="check")
        batch_op.create_check_constraint(op.f(KIND), f"kind IN ({allowed})")


def upgrade() -> None:
    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("invite_code", sa.String(length=32), nullable=False),
        sa.Column("check_in_day", sa.Integer(), nullable=True),
        sa.Column("check_in_prompt", sa.Text(), nullable=False),
        sa.Column("check_in_prompt_by_id", sa.Integer(), nullable=True),
        sa.Column("last_check_in_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_prompt_by_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_check_in_prompt_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forum.id"], name=op.f("fk_cohort_forum_id_forum"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_cohort_invite_code")),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_forum_id"), ["forum_id"], unique=False)

    op.create_table(
        "cohort_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "facilitator",
                "peer_leader",
                "participant",
                "stepped_back",
                name="cohort_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_cohort_member_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_cohort_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_member")),
        sa.UniqueConstraint(
            "cohort_id", "user_id", name=op.f("uq_cohort_member_cohort_id_user_id")
        ),
    )
    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.create_index("ix_cohort_member_user_id", ["user_id"], unique=False)

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversation_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_conversation_cohort_id_cohort"),
            "cohort",
            ["cohort_id"],
            ["id"],
            ondelete="CASCADE",
        )

    _allow_kinds(("moderation", "peer", "cohort"))


def downgrade() -> None:
    op.execute("DELETE FROM conversation WHERE kind = 'cohort'")
    _allow_kinds(("moderation", "peer"))
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_conversation_cohort_id_cohort"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_conversation_cohort_id"))
        batch_op.drop_column("title")
        batch_op.drop_column("cohort_id")

    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_member_user_id")

    op.drop_table("cohort_member")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_forum_id"))

    op.drop_table("cohort")
