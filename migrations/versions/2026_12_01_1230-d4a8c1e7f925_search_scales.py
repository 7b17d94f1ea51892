"""Search that scales: the forum, thread, author and publication time stored with each indexed
post, so a search filters to the member's forums (and by author or date) before it ranks, and
the index is keyed by the post (SQLite FTS5's rowid is the post's id: removing one is a lookup,
not a scan).

Revision ID: d4a8c1e7f925
Revises: b7d2e9a4c310
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4a8c1e7f925"
down_revision: str | None = "b7d2e9a4c310"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with app/search/service.py (REBUILD), which the app uses after bulk loads.
POSTGRES_ROWS = (
    "INSERT INTO post_search (post_id, forum_id, thread_id, author_id, published_at, title, body, document) "
    "SELECT p.id, t.forum_id, t.id, p.author_id, p.published_at, "
    "CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source, "
    "setweight(to_tsvector('english', CASE WHEN p.is_opening THEN t.title ELSE '' END), 'A') "
    "|| to_tsvector('english', p.body_source) "
    "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
)
SQLITE_ROWS = (
    "INSERT INTO post_search (rowid, title, body, forum_id, thread_id, author_id, published_at) "
    "SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source, t.forum_id, t.id, "
    "p.author_id, p.published_at "
    "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
)


def upgrade() -> None:
    op.execute("DROP TABLE post_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE post_search ("
            "post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE, "
            "forum_id INTEGER NOT NULL, thread_id INTEGER NOT NULL, author_id INTEGER NOT NULL, "
            "published_at TIMESTAMP WITH TIME ZONE, "
            "title TEXT NOT NULL, body TEXT NOT NULL, document TSVECTOR NOT NULL)"
        )
        op.execute(POSTGRES_ROWS)
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING GIN (document)")
        op.execute("CREATE INDEX ix_post_search_author_id ON post_search (author_id)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE post_search USING fts5("
            "title, body, forum_id UNINDEXED, thread_id UNINDEXED, author_id UNINDEXED, "
            "published_at UNINDEXED, tokenize = 'porter unicode61', prefix = '3')"
        )
        op.execute(SQLITE_ROWS)


def downgrade() -> None:
    op.execute("DROP TABLE post_search")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE post_search (post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE, "
            "title TEXT NOT NULL, body TEXT NOT NULL, document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING GIN (document)")
        op.execute(
            "INSERT INTO post_search (post_id, title, body, document) "
            "SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source, "
            "setweight(to_tsvector('english', CASE WHEN p.is_opening THEN t.title ELSE '' END), 'A') "
            "|| to_tsvector('english', p.body_source) "
            "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE post_search USING fts5("
            "post_id UNINDEXED, title, body, tokenize = 'porter unicode61')"
        )
        op.execute(
            "INSERT INTO post_search (post_id, title, body) "
            "SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source "
            "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
        )
