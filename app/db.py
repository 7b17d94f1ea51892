"""Engine, declarative base and the unit of work that a request owns.

The request owns the transaction: `request_session` commits when the endpoint returns and rolls back
when it raises. Services only flush. Work that must follow a commit (assessing a post, notifying) is
registered with `after_commit` and runs once the commit has succeeded, in its own session, never
on rollback.

On SQLite every transaction begins deferred (readers never wait) and takes the write lock at its
first write, in a fresh BEGIN IMMEDIATE; writers queue for that lock for a bounded time and
otherwise get DatabaseBusy (503 with Retry-After), never a long hang or "database is locked".
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeDecorator

from app import clock

logger = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return clock.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class DatabaseBusy(Exception):
    """The database could not take this write in time (SQLite's one write lock, a full pool).

    Nothing was written; the web layer answers 503 with Retry-After and gives the text back."""

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__("the database is busy")
        self.retry_after = retry_after


# Statements that need SQLite's write lock. SAVEPOINT counts: a nested transaction cannot be
# moved to a fresh write transaction, so it starts inside one.
_WRITE_STATEMENT = re.compile(
    r"^\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b", re.IGNORECASE
)
_WRITE_IN_CTE = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_HOLDS_WRITE_LOCK = "harbour_holds_write_lock"


def is_write_statement(statement: str) -> bool:
    if _WRITE_STATEMENT.match(statement):
        return True
    return statement.lstrip()[:4].upper() == "WITH" and bool(_WRITE_IN_CTE.search(statement))


@dataclass
class SQLiteWriteLock:
    """SQLite has one write lock per database. Writers of this process queue for it here, in
    order and for a bounded time, instead of in SQLite's busy handler (which polls with growing
    sleeps, so under load some writers starve until they time out). The busy timeout still
    bounds the wait for writers in other processes (the worker, the CLI, other web workers)."""

    wait_seconds: float
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, record_info: dict[str, Any]) -> None:
        if record_info.get(_HOLDS_WRITE_LOCK):
            return
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise DatabaseBusy(retry_after=max(1, round(self.wait_seconds)))
        record_info[_HOLDS_WRITE_LOCK] = True

    def release(self, record_info: dict[str, Any]) -> None:
        if record_info.pop(_HOLDS_WRITE_LOCK, False):
            self._lock.release()


def make_engine(database_url: str, *, write_wait_seconds: float = 5.0, **kwargs: Any) -> Engine:
    """An engine whose writers never fail for a lock they could have waited for, and never wait
    longer than `write_wait_seconds` (DatabaseBusy, shown as 503 with Retry-After)."""
    if not database_url.startswith("sqlite"):
        # Pre-ping: a pooled connection the server dropped (restart, failover) is replaced
        # before use instead of failing the request.
        kwargs.setdefault("pool_timeout", write_wait_seconds)
        return create_engine(database_url, pool_pre_ping=True, **kwargs)

    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("pool_timeout", write_wait_seconds)
    engine = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": write_wait_seconds},
        **kwargs,
    )
    write_lock = SQLiteWriteLock(write_wait_seconds)

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(write_wait_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Readers begin deferred and stay concurrent. A transaction that is known to write from
        # its first statement (begin_write) takes the write lock at BEGIN.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode != "DEFERRED":
            write_lock.acquire(conn.connection.info)
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            write_lock.release(conn.connection.info)
            raise

    @event.listens_for(engine, "before_cursor_execute")
    def _write_begins(
        conn: Connection, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        # The first write of a deferred transaction: a deferred transaction that upgrades from
        # read to write after another writer committed fails at once with "database is locked",
        # whatever the busy timeout. So the reads so far end (they wrote nothing) and the writes
        # go on in a fresh BEGIN IMMEDIATE, holding the lock only from the first write to the
        # commit; slow work done before it (hashing a password, checking a post) holds nothing.
        info = conn.connection.info
        if info.get(_HOLDS_WRITE_LOCK) or not is_write_statement(statement):
            return
        raw = conn.connection.dbapi_connection
        if raw is None or not conn.in_transaction():
            return
        write_lock.acquire(info)
        try:
            if raw.in_transaction:
                raw.execute("COMMIT")
            raw.execute("BEGIN IMMEDIATE")
        except BaseException:
            write_lock.release(info)
            raise

    def _end(conn: Connection, statement: str) -> None:
        # End the transaction here, then hand the lock on: the next writer never finds it held.
        raw = conn.connection.dbapi_connection
        try:
            if raw is not None and raw.in_transaction:
                raw.execute(statement)
        finally:
            write_lock.release(conn.connection.info)

    event.listen(engine, "commit", lambda conn: _end(conn, "COMMIT"))
    event.listen(engine, "rollback", lambda conn: _end(conn, "ROLLBACK"))

    # A connection that leaves use never keeps the lock.
    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        write_lock.release(record.info)

    @event.listens_for(engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        write_lock.release(record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        write_lock.release(record.info)

    @event.listens_for(engine, "handle_error")
    def _busy(context: Any) -> Exception | None:
        # Another process kept the lock past the busy timeout.
        message = str(context.original_exception).lower()
        if "database is locked" in message or "database is busy" in message:
            return DatabaseBusy(retry_after=max(1, round(write_wait_seconds)))
        return None

    return engine


def make_sessionmaker(engine: Engine, settings: Any = None) -> sessionmaker[Session]:
    """Sessions that know the settings (email needs the base URL and secret) and their maker."""
    maker = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    maker.configure(info={"settings": settings, "sessions": maker})
    return maker


READ_ONLY = "read_only"
WRITE_IN_READ = "write inside a read request: %s"


def mark_read_only(session: Session, label: str) -> None:
    """A read request's session (GET, HEAD): it must not write. What a page view records (last
    seen, read up to here) goes after the response, in its own short transaction; a write that
    slips in is logged as the bug it is (the tests fail on the log line)."""
    session.info[READ_ONLY] = label


@event.listens_for(Session, "before_flush")
def _flush_in_read(session: Session, _context: Any, _instances: Any) -> None:
    label = session.info.get(READ_ONLY)
    if label and (session.new or session.deleted or any(map(session.is_modified, session.dirty))):
        logger.warning(WRITE_IN_READ, label)


@event.listens_for(Session, "do_orm_execute")
def _execute_in_read(state: ORMExecuteState) -> None:
    label = state.session.info.get(READ_ONLY)
    if label and (
        state.is_insert
        or state.is_update
        or state.is_delete
        or (isinstance(state.statement, TextClause) and is_write_statement(state.statement.text))
    ):
        logger.warning(WRITE_IN_READ, label)


AfterCommit = Callable[[], object]


def after_commit(session: Session, work: AfterCommit) -> None:
    """Run `work` once this session's transaction has committed; dropped on rollback."""
    session.info.setdefault("after_commit", []).append(work)


def begin_write(session: Session, *, exclusive: bool = False) -> None:
    """Take SQLite's write lock at BEGIN, before the first read, for work that must read and
    write atomically (the assessment worker's batch, migrations). Requests do not need this:
    their first write takes the lock, and their reads before it hold nothing."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(
            execution_options={"sqlite_begin": "EXCLUSIVE" if exclusive else "IMMEDIATE"}
        )


def upsert(
    session: Session,
    model: type[Base],
    values: dict[str, Any],
    *,
    conflict: Sequence[str],
    update: dict[str, Any],
    where: ColumnElement[bool] | None = None,
) -> int:
    """INSERT … ON CONFLICT DO UPDATE: one statement, so two requests recording the same row at
    once never collide on the unique key (read-then-insert does). Returns the rows written: 0
    when the row existed and `where` kept it as it was."""
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_update(index_elements=list(conflict), set_=update, where=where)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount or 0


def run_unit_of_work(session: Session) -> Iterator[Session]:
    """Yield a session, commit on success, roll back on error, then release after-commit work."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        session.info.pop("after_commit", None)
        raise
    finally:
        pending: list[AfterCommit] = session.info.pop("after_commit", [])
        session.close()
    release_after_commit(pending)


def release_after_commit(pending: Sequence[AfterCommit]) -> None:
    for work in pending:
        try:
            work()
        except Exception:
            # The committed data is safe; a failed follow-up is logged and retried by the worker.
            logger.exception("after-commit work failed: %s", getattr(work, "__name__", work))


@contextmanager
def write_transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for background work that writes: committed on success, rolled back on error.
    Work registered with `after_commit` runs once the commit has succeeded (as for a request)."""
    with sessions() as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            session.info.pop("after_commit", None)
            raise
        pending: list[AfterCommit] = session.info.pop("after_commit", [])
    release_after_commit(pending)
