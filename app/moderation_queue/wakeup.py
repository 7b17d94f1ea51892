"""Waking the assessment worker in another process (`harbour worker` beside gunicorn workers).

On PostgreSQL a saved post sends `NOTIFY` inside its own transaction, so the message leaves only
when the post is committed (and never for a rolled-back one); every worker process LISTENs on a
connection of its own and wakes at once instead of at its next poll. On SQLite there is one
process with an in-process worker, woken directly after the commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

CHANNEL = "harbour_assessment"


def is_postgres_url(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def announce(session: Session) -> None:
    """Tell every listening worker, once this transaction commits, that work is waiting."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


def listen(
    database_url: str,
    wake: Callable[[], None],
    stop: threading.Event,
    poll_seconds: float,
    listening: threading.Event | None = None,
) -> threading.Thread:
    """A thread that calls `wake` for each announcement until `stop` is set; it reconnects after
    the database goes away (the worker's own poll covers the gap). `listening` is set once the
    first LISTEN is in place."""
    conninfo = (
        make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )

    def run() -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if listening is not None:
                        listening.set()
                    while not stop.is_set():
                        woken = False
                        for _notice in conn.notifies(timeout=1.0):
                            woken = True
                            break
                        if woken:
                            wake()
            except psycopg.Error:
                logger.warning("assessment wake-up connection lost; reconnecting")
                stop.wait(poll_seconds)

    thread = threading.Thread(target=run, name="assessment-wakeup", daemon=True)
    thread.start()
    return thread
