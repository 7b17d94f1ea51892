"""Engine, declarative base and the unit of work that a request owns.

The request owns the transaction: `request_session` commits when the endpoint returns and rolls back
when it raises. Services only flush. Work that must follow a commit (assessing a post, notifying) is
registered with `after_commit` and runs once the commit has succeeded, in its own session, never
on rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
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


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, pool_pre_ping=True, **kwargs)

    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        database_url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A request that will write takes the write lock at BEGIN: a deferred transaction that
        # upgrades from read to write after another writer committed fails at once with
        # "database is locked", whatever the busy timeout. Readers stay concurrent.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_sessionmaker(engine: Engine, settings: Any = None) -> sessionmaker[Session]:
    """Sessions that know the settings (email needs the base URL and secret) and their maker."""
    maker = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    maker.configure(info={"settings": settings, "sessions": maker})
    return maker


AfterCommit = Callable[[], None]


def after_commit(session: Session, work: AfterCommit) -> None:
    """Run `work` once this session's transaction has committed; dropped on rollback."""
    session.info.setdefault("after_commit", []).append(work)


def begin_write(session: Session) -> None:
    """Mark the session as a writer before its first query (BEGIN IMMEDIATE on SQLite)."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


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
    for work in pending:
        try:
            work()
        except Exception:
            # The committed data is safe; a failed follow-up is logged and retried by the worker.
            logger.exception("after-commit work failed: %s", getattr(work, "__name__", work))


@contextmanager
def write_transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for background work that writes: committed on success, rolled back on error."""
    with sessions() as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
