"""staff two-factor as a site setting; TOTP keys encrypted at rest

A one-row `site_setting` table holds what an admin chooses in the console (no row: the
environment's default, HARBOUR_STAFF_TWO_FACTOR, on in production). Each member's TOTP key moves
from plain text to `totp_secret_sealed`, encrypted under a key derived from HARBOUR_SECRET_KEY
(app/sealing.py), so run this with the same secret the app uses. Downgrading opens them again.

Revision ID: c4f1a9e7b2d3
Revises: 1b2c3d4e5f60
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from app import sealing
from app.config import get_settings

revision: str = "c4f1a9e7b2d3"
down_revision: str | None = "1b2c3d4e5f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

user_account = sa.table(
    "user_account",
    sa.column("id", sa.Integer()),
    sa.column("totp_secret", sa.String()),
    sa.column("totp_secret_sealed", sa.String()),
)


def _move(source: str, target: str, convert: Callable[[str], str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(user_account.c.id, user_account.c[source]).where(
            user_account.c[source].is_not(None)
        )
    ).all()
    for user_id, value in rows:
        bind.execute(
            sa.update(user_account)
            .where(user_account.c.id == user_id)
            .values({target: convert(value)})
        )


def upgrade() -> None:
    op.create_table(
        "site_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_two_factor", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_site_setting_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_setting")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_sealed", sa.String(length=255), nullable=True))
    key = get_settings().secret_key
    _move("totp_secret", "totp_secret_sealed", lambda v: sealing.seal(key, sealing.TOTP_SECRET, v))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("totp_secret")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    key = get_settings().secret_key
    _move(
        "totp_secret_sealed",
        "totp_secret",
        lambda v: sealing.unseal(key, sealing.TOTP_SECRET, v),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("totp_secret_sealed")
    op.drop_table("site_setting")
