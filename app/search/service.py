"""Search published posts: SQLite FTS5 on the default database, PostgreSQL full-text search in
production, behind one interface. Only published posts are indexed, so held, rejected and withdrawn
words can never be found; results are also limited to forums the searcher may read."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.posts.models import Post, PostStatus

# Markers the database puts around matches; the text is escaped before they become <mark>.
START, STOP = "\x02", "\x03"
TERMS = re.compile(r'"([^"]+)"|(\w+)', re.UNICODE)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def index_post(session: Session, post: Post, title: str) -> None:
    unindex_post(session, post.id)
    if post.status is not PostStatus.PUBLISHED:
        return
    params = {
        "post_id": post.id,
        "title": title if post.is_opening else "",
        "body": post.body_source,
    }
    if _is_postgres(session):
        session.execute(
            text(
                "INSERT INTO post_search (post_id, title, body, document) VALUES (:post_id, :title, :body, "
                "setweight(to_tsvector('english', :title), 'A') || to_tsvector('english', :body))"
            ),
            params,
        )
    else:
        session.execute(
            text("INSERT INTO post_search (post_id, title, body) VALUES (:post_id, :title, :body)"),
            params,
        )


def unindex_post(session: Session, post_id: int) -> None:
    session.execute(text("DELETE FROM post_search WHERE post_id = :post_id"), {"post_id": post_id})


def fts5_query(query: str) -> str:
    """The member's words as a safe FTS5 query: every word (or "quoted phrase") must match."""
    parts = []
    for phrase, word in TERMS.findall(query):
        term = (phrase or word).replace('"', "")
        if term.strip():
            parts.append(f'"{term}"')
    return " ".join(parts)


@dataclass(frozen=True)
class Hit:
    post_id: int
    thread_id: int
    thread_title: str
    forum_slug: str
    forum_name: str
    snippet: Markup


def _marked(snippet: str) -> Markup:
    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(STOP, "</mark>"))


def search(session: Session, query: str, forum_ids: Sequence[int], limit: int = 30) -> list[Hit]:
    if not query.strip() or not forum_ids:
        return []
    visible = (
        "p.status = 'published' AND t.published_at IS NOT NULL AND t.forum_id IN ("
        + ", ".join(str(int(i)) for i in forum_ids)
        + ")"
    )
    if _is_postgres(session):
        sql = text(
            "SELECT s.post_id, t.id, t.title, f.slug, f.name, "
            "ts_headline('english', s.body, q, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=10') "
            "FROM post_search s, websearch_to_tsquery('english', :q) q, post p, thread t, forum f "
            f"WHERE s.document @@ q AND p.id = s.post_id AND t.id = p.thread_id AND f.id = t.forum_id AND {visible} "
            "ORDER BY ts_rank(s.document, q) DESC, s.post_id DESC LIMIT :limit"
        )
        params = {"q": query, "limit": limit}
    else:
        match = fts5_query(query)
        if not match:
            return []
        sql = text(
            "SELECT s.post_id, t.id, t.title, f.slug, f.name, "
            "snippet(post_search, 2, char(2), char(3), '…', 24) "
            "FROM post_search s JOIN post p ON p.id = s.post_id JOIN thread t ON t.id = p.thread_id "
            f"JOIN forum f ON f.id = t.forum_id WHERE post_search MATCH :q AND {visible} "
            "ORDER BY bm25(post_search, 0.0, 5.0, 1.0), s.post_id DESC LIMIT :limit"
        )
        params = {"q": match, "limit": limit}
    rows = session.execute(sql, params).all()
    return [Hit(r[0], r[1], r[2], r[3], r[4], _marked(r[5] or "")) for r in rows]
