"""consent and guidelines: the privacy notice (versioned), consents given and withdrawn, when a
member consented; the version of a forum's guidelines and the one each member accepted

Existing members have not consented (consented_at stays empty), so they are asked at their next
sign-in; existing memberships have accepted no version of the guidelines, so members are asked
before their next post in a forum that has guidelines. Version 1 of the privacy notice is the
default text, for the admin to edit.

Revision ID: e5b8d2f0c4a1
Revises: d4a7c1e9b3f0
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "e5b8d2f0c4a1"
down_revision: str | None = "d4a7c1e9b3f0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration must not change when the app's default text does.
DEFAULT_NOTICE = """\
## Who we are

Harbour is an online peer-support community run by a charity for people living with long-term
health conditions, and the people close to them.

## What we hold about you

- Your email address and password (stored scrambled), used only to sign you in and to send you
  the emails you choose.
- Your handle, avatar and short bio, which other members see.
- What you write, and which forums you join. Because our forums are about health conditions,
  **joining one tells us something about your health**. The law (UK GDPR Article 9) treats this
  as special-category data, so we only hold it with your explicit consent.
- Moderation records: decisions about your posts, warnings or other sanctions, and appeals.

## What we do with it

We use it to run the community and keep it safe. We never sell it, never use it for
advertising, and never put what you wrote or which forums you are in into emails or logs.

## Your rights

You can download everything we hold about you at any time from your account page, correct it,
or delete your account. You can withdraw your consent at any time: we then delete your account,
offering you a copy of your data first. You can complain to the Information Commissioner's
Office (ico.org.uk).
"""


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True))
    notice = op.create_table(
        "privacy_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_privacy_notice_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notice")),
        sa.UniqueConstraint("version", name=op.f("uq_privacy_notice_version")),
    )
    op.bulk_insert(
        notice, [{"id": 1, "version": 1, "body": DEFAULT_NOTICE, "published_at": datetime.now(UTC)}]
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notice_version", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_consent_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_consent_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guidelines_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guidelines_accepted_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("guidelines_accepted_version")
    with op.batch_alter_table("forum", schema=None) as batch_op:
        batch_op.drop_column("guidelines_version")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_consent_user_id"))
    op.drop_table("consent")
    op.drop_table("privacy_notice")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("consented_at")
