"""review queue, reports, notes, sanctions, appeals

Revision ID: 3c8dd9b38662
Revises: 8236b040184a
Create Date: 2026-11-24 03:43:38.042812
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8dd9b38662"
down_revision: str | None = "8236b040184a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderator_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_moderator_note_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_moderator_note_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["user_account.id"],
            name=op.f("fk_moderator_note_subject_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_note")),
    )
    with op.batch_alter_table("moderator_note", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderator_note_forum_id_subject_id", ["forum_id", "subject_id"], unique=False
        )

    op.create_table(
        "sanction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "warning",
                "mute",
                "suspension",
                "ban",
                name="sanction_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_sanction_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forum.id"], name=op.f("fk_sanction_forum_id_forum"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sanction_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanction")),
    )
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.create_index("ix_sanction_user_id_forum_id", ["user_id", "forum_id"], unique=False)

    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "upheld",
                "overturned",
                name="appeal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user_account.id"], name=op.f("fk_appeal_reviewer_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["sanction_id"],
            ["sanction.id"],
            name=op.f("fk_appeal_sanction_id_sanction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("sanction_id", name=op.f("uq_appeal_sanction_id")),
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column(
            "queue",
            sa.Enum(
                "urgent",
                "held",
                "reported",
                "unreviewed",
                name="review_queue",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "dismissed",
                "removed",
                name="review_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("distressing", sa.Boolean(), nullable=False),
        sa.Column("needs_clinical_review", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_to_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"],
            ["user_account.id"],
            name=op.f("fk_review_item_claimed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_review_item_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["escalated_to_id"],
            ["user_account.id"],
            name=op.f("fk_review_item_escalated_to_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_review_item_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_review_item_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
    )
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_item_forum_id_status_queue", ["forum_id", "status", "queue"], unique=False
        )
        batch_op.create_index(
            "ix_review_item_status_priority", ["status", "priority"], unique=False
        )
        batch_op.create_index(
            "uq_review_item_post_id_pending",
            ["post_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_report_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["user_account.id"],
            name=op.f("fk_report_reporter_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_item_id"],
            ["review_item.id"],
            name=op.f("fk_report_review_item_id_review_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("post_id", "reporter_id", name=op.f("uq_report_post_id_reporter_id")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_review_item_id"), ["review_item_id"], unique=False
        )

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rejection_reasons", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("strike_ladder", sa.JSON(), nullable=False, server_default="[]")
        )

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_senior", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("clinically_trained", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_item_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seconds_spent", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_decision_review_item_id_review_item"),
            "review_item",
            ["review_item_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_moderation_decision_review_item_id_review_item"), type_="foreignkey"
        )
        batch_op.drop_column("seconds_spent")
        batch_op.drop_column("review_item_id")

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("clinically_trained")
        batch_op.drop_column("is_senior")

    with op.batch_alter_table("forum_policy", schema=None) as batch_op:
        batch_op.drop_column("strike_ladder")
        batch_op.drop_column("rejection_reasons")

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_review_item_id"))

    op.drop_table("report")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_review_item_post_id_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_review_item_status_priority")
        batch_op.drop_index("ix_review_item_forum_id_status_queue")

    op.drop_table("review_item")
    op.drop_table("appeal")
    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_index("ix_sanction_user_id_forum_id")

    op.drop_table("sanction")
    with op.batch_alter_table("moderator_note", schema=None) as batch_op:
        batch_op.drop_index("ix_moderator_note_forum_id_subject_id")

    op.drop_table("moderator_note")
