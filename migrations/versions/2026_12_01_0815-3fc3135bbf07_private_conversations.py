"""private conversations: a member and their forum's moderation team (later peers), messages
assessed like posts, reach-out templates; review items can name a conversation instead of a post

Revision ID: 3fc3135bbf07
Revises: 5d3e8b1c9f42
Create Date: 2026-12-01 08:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3fc3135bbf07"
down_revision: str | None = "5d3e8b1c9f42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "moderation",
                "peer",
                name="conversation_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("awaiting_team", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_conversation_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_conversation_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_forum_id_last_message_at",
            ["forum_id", "last_message_at"],
            unique=False,
        )

    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forum.id"],
            name=op.f("fk_message_template_forum_id_forum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
    )
    with op.batch_alter_table("message_template", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_template_forum_id_position", ["forum_id", "position"], unique=False
        )

    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("from_team", sa.Boolean(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_assessment",
                "delivered",
                "held",
                "rejected",
                name="message_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("scorer_name", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_conversation_message_author_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_message_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
    )
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_message_conversation_id_created_at",
            ["conversation_id", "created_at"],
            unique=False,
        )
        batch_op.create_index("ix_conversation_message_status", ["status"], unique=False)

    op.create_table(
        "conversation_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "moderation_team",
                "moderator",
                "peer",
                name="participant_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_participant_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_conversation_participant_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_participant")),
        sa.UniqueConstraint(
            "conversation_id",
            "user_id",
            name=op.f("uq_conversation_participant_conversation_id_user_id"),
        ),
    )
    with op.batch_alter_table("conversation_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_participant_user_id_role", ["user_id", "role"], unique=False
        )

    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.alter_column("post_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.alter_column("post_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            "uq_review_item_conversation_id_pending",
            ["conversation_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_item_conversation_id_conversation"),
            "conversation",
            ["conversation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_item_message_id_conversation_message"),
            "conversation_message",
            ["message_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_review_item_names_its_subject"),
            "post_id IS NOT NULL OR conversation_id IS NOT NULL",
        )


def downgrade() -> None:
    # Items and decisions about private messages have nothing to point at without conversations.
    op.execute("DELETE FROM moderation_decision WHERE post_id IS NULL")
    op.execute("DELETE FROM review_item WHERE post_id IS NULL")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_review_item_names_its_subject"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_review_item_message_id_conversation_message"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_review_item_conversation_id_conversation"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_review_item_conversation_id_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.alter_column("post_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("message_id")
        batch_op.drop_column("conversation_id")

    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.alter_column("post_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("conversation_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_participant_user_id_role")

    op.drop_table("conversation_participant")
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_message_status")
        batch_op.drop_index("ix_conversation_message_conversation_id_created_at")

    op.drop_table("conversation_message")
    with op.batch_alter_table("message_template", schema=None) as batch_op:
        batch_op.drop_index("ix_message_template_forum_id_position")

    op.drop_table("message_template")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_forum_id_last_message_at")

    op.drop_table("conversation")
