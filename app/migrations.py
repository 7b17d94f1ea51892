"""Run Alembic from code (CLI, tests, the container entrypoint).

Every run holds a database lock for its whole length (PostgreSQL: an advisory lock; SQLite: an
exclusive transaction), so any number of processes can start together: one migrates, the others
wait, then find nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app.config import PROJECT_ROOT
from app.db import make_engine

# Any fixed number: the advisory lock that says "migrating" (the letters of "harbour" in ASCII).
MIGRATION_LOCK = 0x68_61_72_62_6F_75_72
# How long a process waits for another's migration to finish before giving up.
MIGRATION_WAIT_SECONDS = 300


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def _locked(database_url: str, run: Callable[[Config], None]) -> None:
    engine = make_engine(database_url, write_wait_seconds=MIGRATION_WAIT_SECONDS)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # A batch migration rebuilds a table (copy, drop, rename): with foreign keys on,
                # the drop would cascade-delete every row pointing at it. Off for the run (it
                # only takes effect outside a transaction), checked once at the end.
                raw = connection.connection.dbapi_connection
                assert raw is not None
                raw.execute("PRAGMA foreign_keys=OFF")
                locked = connection.execution_options(sqlite_begin="EXCLUSIVE")
                locked.begin()
            else:
                locked = connection
                locked.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config = alembic_config(database_url)
            config.attributes["connection"] = locked
            run(config)
            if engine.dialect.name == "sqlite":
                broken = locked.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
            locked.commit()
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    _locked(database_url, lambda config: command.upgrade(config, revision))


def downgrade(database_url: str, revision: str) -> None:
    _locked(database_url, lambda config: command.downgrade(config, revision))
