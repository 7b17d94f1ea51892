"""When the database goes away and comes back, or several processes start at once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Settings
from bench.server import ROOT
from tests.conftest import LiveServer, TemplateDatabase
from tests.factories import ForumFactory, member_of, thread_with_opening_post


def test_the_app_serves_again_at_once_after_postgresql_drops_its_connections(
    live_server: LiveServer, settings: Settings, db: object
) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL connections")
    forum = ForumFactory()
    thread = thread_with_opening_post(forum, member_of(forum))
    path = f"/f/{forum.slug}/t/{thread.id}"
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        for _ in range(5):  # the server's pool now holds connections
            assert client.get(path).status_code in (200, 403)
        killer = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
        with killer.connect() as conn:
            dropped = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        killer.dispose()
        assert dropped
        started = time.monotonic()
        statuses = [client.get(path).status_code for _ in range(10)]
        assert all(s < 500 for s in statuses), statuses
        assert time.monotonic() - started < 10  # not a stale connection per request


def test_several_processes_migrating_at_once_all_succeed(
    template_database: TemplateDatabase, tmp_path: Path
) -> None:
    if template_database.backend == "sqlite":
        url = f"sqlite:///{tmp_path}/fresh.db"
        cleanup = None
    else:
        # A schema of its own in the test database, so the suite's schema is left alone.
        schema = "migration_race"
        admin = create_engine(template_database.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = (
            make_url(template_database.url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()

    try:
        env = {"HARBOUR_DATABASE_URL": url, "HARBOUR_ENVIRONMENT": "test", "PATH": ""}
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "app", "db", "upgrade"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)  # (two are enough to race; each migrates from scratch)
        ]
        results = [(p.wait(timeout=300), p.stdout.read().decode()) for p in processes]  # type: ignore[union-attr]
        assert [code for code, _out in results] == [0, 0], results
        engine = create_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
        engine.dispose()
        assert versions == 1
    finally:
        if cleanup:
            cleanup()
