"""site-wide moderators, one blur setting, the webhook's language, undo of every decision

A site-wide moderator (a flag on the account) moderates every forum and counts as its cover.
The two blur settings become one: the moderator's wellbeing setting (`moderator_wellbeing.
blur_distressing`) now also blurs pictures, and `user_account.blur_pictures` goes. Both settings
were on by default, so an "off" in either was a moderator's own choice: it is kept (they can turn
blurring back on from the wellbeing page). A forum's webhook text gets a language of its own.
A decision keeps the words it replaced and the author's edit it decided, so it can be undone.

Revision ID: c4e8a2d6f1b3
Revises: 1b2c3d4e5f60
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a2d6f1b3"
down_revision: str | None = "1b2c3d4e5f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("site_moderator", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("forum_alerting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_language", sa.String(length=8), server_default="en", nullable=False)
        )
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_before", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("edit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_decision_edit_id_post_edit"),
            "post_edit",
            ["edit_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE moderator_wellbeing SET blur_distressing = false WHERE user_id IN "
        "(SELECT id FROM user_account WHERE blur_pictures = false)"
    )
    op.execute(
        "INSERT INTO moderator_wellbeing "
        "(user_id, blur_distressing, break_after_crisis_items, break_after_minutes) "
        "SELECT id, false, 5, 90 FROM user_account WHERE blur_pictures = false "
        "AND id NOT IN (SELECT user_id FROM moderator_wellbeing)"
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("blur_pictures")


def downgrade() -> None:
    with op.batch_alter_table("moderation_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_moderation_decision_edit_id_post_edit"), type_="foreignkey"
        )
        batch_op.drop_column("edit_id")
        batch_op.drop_column("body_before")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("blur_pictures", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute(
        "UPDATE user_account SET blur_pictures = false WHERE id IN "
        "(SELECT user_id FROM moderator_wellbeing WHERE blur_distressing = false)"
    )
    with op.batch_alter_table("forum_alerting", schema=None) as batch_op:
        batch_op.drop_column("webhook_language")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("site_moderator")
