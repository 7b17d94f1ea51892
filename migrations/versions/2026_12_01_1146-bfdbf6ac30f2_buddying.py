"""buddying: buddy profiles, requests, pairings with an agreed length and end-of-pairing
feedback; conversations can close and link to the page they belong to; a membership can
coordinate buddying

Revision ID: bfdbf6ac30f2
Revises: f2b3c4d5e6a7
Create Date: 2026-12-01 11:46:28.276593
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bfdbf6ac30f2"
down_revision: str | None = "f2b3c4d5e6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "buddy_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("experiences", sa.JSON(), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_buddy_profile_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_profile_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_profile")),
        sa.UniqueConstraint("forum_id", "user_id", name=op.f("uq_buddy_profile_forum_id_user_id")),
    )
    op.create_table(
        "buddy_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("hopes", sa.Text(), nullable=False),
        sa.Column("experiences", sa.JSON(), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("via_clinician", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "paired",
                "withdrawn",
                name="buddy_request_status",
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
            name=op.f("fk_buddy_request_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_request_member_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_request")),
    )
    with op.batch_alter_table("buddy_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buddy_request_forum_id_status", ["forum_id", "status"], unique=False
        )

    op.create_table(
        "buddy_pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("buddy_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("paired_by_id", sa.Integer(), nullable=True),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_check_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_ins_sent", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "ended",
                name="buddy_pairing_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["buddy_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_pairing_buddy_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_buddy_pairing_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_pairing_ended_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_buddy_pairing_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_pairing_member_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paired_by_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_pairing_paired_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["buddy_request.id"],
            name=op.f("fk_buddy_pairing_request_id_buddy_request"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_pairing")),
    )
    with op.batch_alter_table("buddy_pairing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buddy_pairing_buddy_id_status", ["buddy_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_buddy_pairing_status_next_check_in_at", ["status", "next_check_in_at"], unique=False
        )

    op.create_table(
        "buddy_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("recommend", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["buddy_pairing.id"],
            name=op.f("fk_buddy_feedback_pairing_id_buddy_pairing"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_buddy_feedback_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buddy_feedback")),
        sa.UniqueConstraint(
            "pairing_id", "user_id", name=op.f("uq_buddy_feedback_pairing_id_user_id")
        ),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_url", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "coordinates_buddies", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("coordinates_buddies")

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("about_url")

    op.drop_table("buddy_feedback")
    with op.batch_alter_table("buddy_pairing", schema=None) as batch_op:
        batch_op.drop_index("ix_buddy_pairing_status_next_check_in_at")
        batch_op.drop_index("ix_buddy_pairing_buddy_id_status")

    op.drop_table("buddy_pairing")
    with op.batch_alter_table("buddy_request", schema=None) as batch_op:
        batch_op.drop_index("ix_buddy_request_forum_id_status")

    op.drop_table("buddy_request")
    op.drop_table("buddy_profile")
