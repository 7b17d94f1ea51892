"""search index: FTS5 on SQLite, tsvector with a GIN index on PostgreSQL

Revision ID: 5e1a7c3d9b20
Revises: 44922708e734
Create Date: 2026-11-24 04:41:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5e1a7c3d9b20"
down_revision: str | None = "44922708e734"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not a model: each database's own full-text machinery (see app/search/service.py).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE post_search (post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE, "
            "title TEXT NOT NULL, body TEXT NOT NULL, document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING GIN (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE post_search USING fts5("
            "post_id UNINDEXED, title, body, tokenize = 'porter unicode61')"
        )
    # Index what is already published.
    op.execute(
        "INSERT INTO post_search (post_id, title, body"
        + (", document" if op.get_bind().dialect.name == "postgresql" else "")
        + ") SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source"
        + (
            ", setweight(to_tsvector('english', CASE WHEN p.is_opening THEN t.title ELSE '' END), 'A')"
            " || to_tsvector('english', p.body_source)"
            if op.get_bind().dialect.name == "postgresql"
            else ""
        )
        + " FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
    )


def downgrade() -> None:
    op.execute("DROP TABLE post_search")
