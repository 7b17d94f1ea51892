"""search trigrams: on PostgreSQL, pg_trgm and a trigram index on the indexed post text, so "did
you mean" can offer the words members actually use; skipped cleanly where the extension is not
available or may not be created (SQLite keeps its own path)

Revision ID: e6f7a8b9c0d1
Revises: c5d6e7f8a9b0
Create Date: 2026-12-01 15:10:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "e6f7a8b9c0d1"
down_revision: str | None = "c5d6e7f8a9b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with app/search/service.py (TRIGRAM_INDEX), which looks for it by name.
INDEX = "ix_post_search_body_trgm"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).scalar()
    if not available:
        return  # the search works without it; "did you mean" uses the curated words only
    try:
        with bind.begin_nested():  # a refusal (no privilege) must not abort the migration
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError:
        return
    # The operator class by its schema: the extension may already live in a schema that is not
    # on this connection's search path (one database, Harbour in its own schema).
    schema = bind.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    op.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON post_search USING GIN (body "{schema}".gin_trgm_ops)'
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: dropping it needs the rights that made it, and others may use it.
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
