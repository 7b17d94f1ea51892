"""Search published posts: SQLite FTS5 on the default database, PostgreSQL full-text search in
production, behind one interface. Only published posts are indexed, so held, rejected and withdrawn
words can never be found; results are also limited to forums the searcher may read.

Each indexed post carries its forum, thread, author and publication time, so a search filters to
the searcher's forums (and author, dates) while it finds matches, takes a bounded set of the most
recent matches (CANDIDATES), ranks only those, and builds snippets only for the rows shown. A
common word in a million posts then costs what it costs in ten thousand.

The member's words go through app/search/vocabulary.py first: known health words bring their
synonyms and other spellings; when whole words find nothing, they are tried as prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from markupsafe import Markup, escape
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from app.posts.models import Post, PostStatus
from app.search import vocabulary
from app.search.vocabulary import Term

# Markers the database puts around matches; the text is escaped before they become <mark>.
START, STOP = "\x02", "\x03"
# The most recent matches that are ranked: bounds the work for a word in half the posts.
CANDIDATES = 1000
# On PostgreSQL, prefixes are matched among this many of the newest indexed posts (see _postgres).
PREFIX_WINDOW = 50_000

# One post's row in the index (PostgreSQL; SQLite). The search migration fills the index with the
# same statements, without the WHERE (migrations never import the app).
POSTGRES_ROW = (
    "INSERT INTO post_search (post_id, forum_id, thread_id, author_id, published_at, title, body, document) "
    "SELECT p.id, t.forum_id, t.id, p.author_id, p.published_at, "
    "CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source, "
    "setweight(to_tsvector('english', CASE WHEN p.is_opening THEN t.title ELSE '' END), 'A') "
    "|| to_tsvector('english', p.body_source) "
    "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
)
SQLITE_ROW = (
    "INSERT INTO post_search (rowid, title, body, forum_id, thread_id, author_id, published_at) "
    "SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body_source, t.forum_id, t.id, "
    "p.author_id, p.published_at "
    "FROM post p JOIN thread t ON t.id = p.thread_id WHERE p.status = 'published'"
)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _key(session: Session) -> str:
    return "post_id" if _is_postgres(session) else "rowid"


def index_post(session: Session, post: Post, *, was_indexed: bool = True) -> None:
    """Put a published post in the index (again, after an edit); anything else leaves it.
    `was_indexed=False` (a post being published) skips removing the row it cannot have."""
    if was_indexed:
        unindex_post(session, post.id)
    if post.status is not PostStatus.PUBLISHED:
        return
    row = POSTGRES_ROW if _is_postgres(session) else SQLITE_ROW
    session.flush()  # the row is copied from the post and thread as they now are
    session.execute(text(row + " AND p.id = :post_id"), {"post_id": post.id})


def unindex_post(session: Session, post_id: int) -> None:
    session.execute(
        text(f"DELETE FROM post_search WHERE {_key(session)} = :post_id"), {"post_id": post_id}
    )


def rebuild(session: Session) -> None:
    """Index every published post afresh (after a bulk load)."""
    session.execute(text("DELETE FROM post_search"))
    session.execute(text(POSTGRES_ROW if _is_postgres(session) else SQLITE_ROW))


def fts5_query(terms: Sequence[Term]) -> str:
    """Terms as an FTS5 query: every term must match, any alternative of a term may."""
    parts = []
    for term in terms:
        alternatives = [
            '"' + " ".join(a.words) + '"' + ("*" if a.prefix else "") for a in term if a.words
        ]
        if alternatives:
            parts.append(
                alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
            )
    return " AND ".join(parts)


def tsquery(terms: Sequence[Term]) -> str:
    """Terms as PostgreSQL to_tsquery text. Words are letters and digits only (vocabulary.WORD),
    so quoting them is enough to keep the member's input from being read as operators."""
    parts = []
    for term in terms:
        alternatives = []
        for a in term:
            words = [f"'{w}'" for w in a.words]
            if a.prefix:
                words[-1] += ":*"
            alternatives.append(" <-> ".join(words))
        if alternatives:
            parts.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(parts)


@dataclass(frozen=True)
class Filters:
    """What the searcher narrowed the search to, beside their words."""

    forum_ids: Sequence[int]
    author_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Hit:
    post_id: int
    thread_id: int
    thread_title: str
    forum_slug: str
    forum_name: str
    snippet: Markup
    published_at: datetime | None = None


@dataclass(frozen=True)
class Results:
    hits: list[Hit] = field(default_factory=list)
    # "Did you mean": offered when nothing was found and a known word is close to what was typed.
    suggestion: str | None = None


def _marked(snippet: str) -> Markup:
    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(STOP, "</mark>"))


def _conditions(
    filters: Filters, prefix: str, *, dates_as_text: bool
) -> tuple[str, dict[str, object]]:
    """The filters as SQL. SQLite keeps times as ISO text, so its dates are compared as text."""
    sql = f" AND {prefix}forum_id IN :forum_ids"
    params: dict[str, object] = {"forum_ids": list(filters.forum_ids)}
    if filters.author_id is not None:
        sql += f" AND {prefix}author_id = :author_id"
        params["author_id"] = filters.author_id
    if filters.since is not None:
        sql += f" AND {prefix}published_at >= :since"
        params["since"] = filters.since.isoformat() if dates_as_text else filters.since
    if filters.until is not None:
        # Up to the end of that day: the next day's date, compared as text on SQLite too.
        sql += f" AND {prefix}published_at < :until"
        day_after = date.fromordinal(filters.until.toordinal() + 1)
        params["until"] = day_after.isoformat() if dates_as_text else day_after
    return sql, params


def _postgres(session: Session, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]:
    where, params = _conditions(filters, "s.", dates_as_text=False)
    # The planner knows from the index's statistics whether a whole word is common (walk the
    # posts newest first until enough match) or rare (the GIN index). It cannot tell for a
    # prefix, so prefixes are looked for among the newest PREFIX_WINDOW posts only: bounded.
    has_prefix = any(a.prefix for term in terms for a in term)
    source = (
        "(SELECT * FROM post_search ORDER BY post_id DESC LIMIT :window)"
        if has_prefix
        else "post_search"
    )
    sql = text(
        "WITH candidates AS MATERIALIZED ("
        f" SELECT s.post_id, s.thread_id, s.document FROM {source} s"
        f" WHERE s.document @@ to_tsquery('english', :q){where}"
        " ORDER BY s.post_id DESC LIMIT :candidates), "
        "best AS ("
        " SELECT c.post_id, c.thread_id, ts_rank(c.document, to_tsquery('english', :q)) AS score"
        " FROM candidates c ORDER BY score DESC, c.post_id DESC LIMIT :limit) "
        "SELECT b.post_id, t.id, t.title, f.slug, f.name, "
        "ts_headline('english', s.body, to_tsquery('english', :q), 'StartSel=' || chr(2) "
        "|| ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=10'), s.published_at "
        "FROM best b JOIN post_search s ON s.post_id = b.post_id "
        "JOIN thread t ON t.id = b.thread_id JOIN forum f ON f.id = t.forum_id "
        "WHERE t.published_at IS NOT NULL "
        "ORDER BY b.score DESC, b.post_id DESC"
    ).bindparams(bindparam("forum_ids", expanding=True))
    params.update(q=tsquery(terms), candidates=CANDIDATES, limit=limit, window=PREFIX_WINDOW)
    rows = session.execute(sql, params).all()
    return [Hit(r[0], r[1], r[2], r[3], r[4], _marked(r[5] or ""), r[6]) for r in rows]


def _sqlite(session: Session, terms: Sequence[Term], filters: Filters, limit: int) -> list[Hit]:
    match = fts5_query(terms)
    if not match:
        return []
    where, params = _conditions(filters, "", dates_as_text=True)
    # FTS5 walks its matches newest (highest rowid) first and stops after CANDIDATES; bm25 ranks
    # those (titles count five times the body); snippets are made for the rows shown only.
    sql = text(
        "SELECT s.rowid, t.id, t.title, f.slug, f.name, "
        "snippet(post_search, 1, char(2), char(3), '…', 24), s.published_at "
        "FROM post_search s JOIN thread t ON t.id = s.thread_id JOIN forum f ON f.id = t.forum_id "
        "WHERE post_search MATCH :q AND t.published_at IS NOT NULL AND s.rowid IN ("
        " SELECT rowid FROM ("
        "  SELECT rowid, bm25(post_search, 5.0, 1.0) AS score FROM post_search"
        f"  WHERE post_search MATCH :q{where} ORDER BY rowid DESC LIMIT :candidates)"
        " ORDER BY score, rowid DESC LIMIT :limit) "
        "ORDER BY bm25(post_search, 5.0, 1.0), s.rowid DESC"
    ).bindparams(bindparam("forum_ids", expanding=True))
    params.update(q=match, candidates=CANDIDATES, limit=limit)
    rows = session.execute(sql, params).all()
    published = [datetime.fromisoformat(r[6]).replace(tzinfo=UTC) if r[6] else None for r in rows]
    return [
        Hit(r[0], r[1], r[2], r[3], r[4], _marked(r[5] or ""), when)
        for r, when in zip(rows, published, strict=True)
    ]


def search(session: Session, query: str, filters: Filters, limit: int = 30) -> Results:
    """The searcher's best matches, most relevant first; when none, perhaps a suggestion."""
    terms = vocabulary.parse(query)
    if not terms or not filters.forum_ids:
        return Results()
    run = _postgres if _is_postgres(session) else _sqlite
    hits = run(session, terms, filters, limit)
    if not hits:
        # Whole words found nothing: try them as the beginnings of words before giving up.
        broader = vocabulary.all_prefixes(terms)
        if broader != terms:
            hits = run(session, broader, filters, limit)
    if hits:
        return Results(hits=hits)
    nearby = _words_near(session, query, filters) if _is_postgres(session) else []
    return Results(suggestion=vocabulary.suggest(query, nearby))


# Made by a migration where PostgreSQL has pg_trgm (it may not: then the curated words only).
TRIGRAM_INDEX = "ix_post_search_body_trgm"
# Posts whose text holds something close to a mistyped word, read for its words: a bounded look.
NEAR_POSTS = 20


def _has_trigrams(session: Session) -> bool:
    return (
        session.execute(
            text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": TRIGRAM_INDEX}
        ).scalar()
        is not None
    )


def _words_near(session: Session, query: str, filters: Filters) -> list[str]:
    """Words members have written, in posts this searcher may read, that are close to the words
    of a query that found nothing: found through pg_trgm's index, so "did you mean" can offer a
    brand, a place or a medicine the curated list does not know. Only published posts are in
    the index, so a suggestion never comes from held or withdrawn words."""
    unknown = [
        w
        for w in vocabulary.words(query)
        if len(w) >= 4 and not w.isdigit() and w not in vocabulary.known_words()
    ]
    if not unknown or not _has_trigrams(session):
        return []
    sql = text(
        "SELECT DISTINCT w FROM ("
        " SELECT unnest(regexp_split_to_array(lower(s.body), '[^[:alnum:]]+')) AS w"
        " FROM (SELECT body FROM post_search"
        "  WHERE forum_id IN :forum_ids AND :word <% body LIMIT :near) s) words"
        " WHERE length(w) >= 4 AND similarity(w, :word) >= 0.3"
    ).bindparams(bindparam("forum_ids", expanding=True))
    # Close enough to be worth reading the post for (pg_trgm's default is 0.6).
    session.execute(text("SET LOCAL pg_trgm.word_similarity_threshold = 0.5"))
    found: list[str] = []
    for word in unknown[:5]:
        rows = session.execute(
            sql, {"forum_ids": list(filters.forum_ids), "word": word, "near": NEAR_POSTS}
        )
        found.extend(r[0] for r in rows)
    return found
