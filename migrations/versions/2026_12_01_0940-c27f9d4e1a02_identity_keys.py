"""identity keys: emails and handles compared as people see them (NFKC, casefold), clashes reported

Existing accounts whose keys become the same are not merged or changed: the oldest keeps the key,
each other one gets a marked key (so the unique constraint holds) and an identity_clash row that
admins see on /admin/people.

Revision ID: c27f9d4e1a02
Revises: 6b1f0e2d9a77
Create Date: 2026-12-01 09:30:00
"""

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "c27f9d4e1a02"
down_revision: str | None = "6b1f0e2d9a77"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def key(value: str) -> str:
    # The same as app/accounts/service.py handle_key/email_key, frozen here as of this revision.
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def marked(value: str, user_id: int, length: int) -> str:
    suffix = f"~{user_id}"
    return value[: length - len(suffix)] + suffix


def upgrade() -> None:
    op.create_table(
        "identity_clash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kept_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_by_id"],
            ["user_account.id"],
            name=op.f("fk_identity_clash_kept_by_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_identity_clash_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_clash")),
    )
    # A plain ADD COLUMN and a unique index: on SQLite, rebuilding user_account (batch mode)
    # would drop the old table, and with foreign keys on that cascades to every row pointing at
    # an account. So the column stays nullable in the schema; the app always sets it.
    op.add_column("user_account", sa.Column("email_key", sa.String(length=254), nullable=True))

    users = sa.table(
        "user_account",
        sa.column("id", sa.Integer),
        sa.column("email", sa.String),
        sa.column("handle", sa.String),
        sa.column("handle_key", sa.String),
        sa.column("email_key", sa.String),
    )
    clashes = sa.table(
        "identity_clash",
        sa.column("kind", sa.String),
        sa.column("user_id", sa.Integer),
        sa.column("kept_by_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(users.c.id, users.c.email, users.c.handle).order_by(users.c.id)
    ).all()
    # Out of the way first, so no update meets another row's old key on the unique index.
    bind.execute(users.update().values(handle_key=sa.literal("~") + sa.cast(users.c.id, sa.String)))
    owners: dict[tuple[str, str], int] = {}
    found = []
    for user_id, email, handle in rows:
        new = {}
        for kind, column, value, length in (
            ("email", "email_key", email, 254),
            ("handle", "handle_key", handle, 30),
        ):
            wanted = key(value)
            kept_by = owners.setdefault((kind, wanted), user_id)
            if kept_by != user_id:
                wanted = marked(wanted, user_id, length)
                found.append({"kind": kind, "user_id": user_id, "kept_by_id": kept_by})
            new[column] = wanted
        bind.execute(users.update().where(users.c.id == user_id).values(**new))
    op.create_index(op.f("ix_user_account_email_key"), "user_account", ["email_key"], unique=True)
    if found:
        now = datetime.now(UTC)
        bind.execute(clashes.insert(), [{**clash, "created_at": now} for clash in found])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_account_email_key"), table_name="user_account")
    op.drop_column("user_account", "email_key")
    op.drop_table("identity_clash")
