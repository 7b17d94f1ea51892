"""Test fixtures: every test gets its own database built from the migrations.

The suite runs once on SQLite and again on PostgreSQL when HARBOUR_TEST_DATABASE_URL is set
(otherwise those runs are skipped, with the reason shown in the summary). Browser tests drive the
same code through Chromium, and tests marked `once` (the authorisation matrix, the fuzzers) test
what no database changes, so they run once: on PostgreSQL, the production database, when it is
set, else on SQLite.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ["HARBOUR_ENVIRONMENT"] = "test"

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.orm import Session

from app import clock as app_clock
from app import migrations
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from bench.server import serving
from tests import factories

PG_SKIP_REASON = (
    "PostgreSQL run skipped: set HARBOUR_TEST_DATABASE_URL "
    "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the suite on PostgreSQL too"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_database = "postgresql" if os.environ.get("HARBOUR_TEST_DATABASE_URL") else "sqlite"
    keep: list[pytest.Item] = []
    once: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("template_database") if callspec else None
        is_repeat = database is not None and database != browser_database
        run_once = item.get_closest_marker("browser") or item.get_closest_marker("once")
        (once if run_once and is_repeat else keep).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = keep


@dataclass(frozen=True)
class TemplateDatabase:
    backend: str
    url: str
    sqlite_file: Path | None = None
    tables: tuple[str, ...] = ()


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker empties and refills its own database (`test_gw0`…), made
    beside the one named in HARBOUR_TEST_DATABASE_URL; a single process uses that one."""
    if worker == "master":
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def template_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> TemplateDatabase:
    """The schema, built once per backend by running every migration."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{path}"
        migrations.upgrade(url)
        # Fold the WAL into the file so a plain copy carries the whole schema.
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        return TemplateDatabase("sqlite", url, path)
    url = os.environ.get("HARBOUR_TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    url = _worker_database(url, os.environ.get("PYTEST_XDIST_WORKER", "master"))
    _reset_postgres_schema(url)
    migrations.upgrade(url)
    engine = create_engine(url)
    tables = tuple(sorted(set(inspect(engine).get_table_names()) - {"alembic_version"}))
    engine.dispose()
    return TemplateDatabase("postgresql", url, tables=tables)


@pytest.fixture
def database_url(template_database: TemplateDatabase, tmp_path: Path) -> str:
    """A clean database for one test: a copy of the SQLite template, or emptied PostgreSQL tables."""
    if template_database.sqlite_file is not None:
        target = tmp_path / "harbour.db"
        shutil.copyfile(template_database.sqlite_file, target)
        return f"sqlite:///{target}"
    # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE of every table costs ~2 s on
    # PostgreSQL (new files for each) where DELETE costs ~50 ms. The replica role skips the
    # triggers (the audit log refuses deletes) and foreign-key checks for this one transaction.
    engine = create_engine(template_database.url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(";".join(f'DELETE FROM "{t}"' for t in template_database.tables)))
        conn.execute(
            text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
            )
        )
    engine.dispose()
    return template_database.url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key=factories.SECRET_KEY,
        rate_limit_storage="memory://",
        picture_dir=str(tmp_path / "pictures"),
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    """A session for arranging and checking data; factories commit so the app sees their rows.

    Autocommit: each query sees what the app has committed since, instead of a snapshot taken at
    the test's first read (SQLite WAL keeps a read transaction's snapshot).
    """
    engine = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    session = Session(engine, expire_on_commit=True)
    factories.bind(session)
    yield session
    session.close()
    engine.dispose()


class Browser:
    """A TestClient that behaves like a member's browser: keeps cookies, sends CSRF tokens."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """Submit a form the way the page would, with this visitor's CSRF token."""
        form = dict(data or {})
        form.setdefault("csrf_token", csrf_token_in(self.client.get("/")))
        return self.client.post(url, data=form, **kwargs)

    def sign_in(self, email: str, password: str = factories.PASSWORD) -> None:
        response = self.post(
            "/login", {"email": email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 303, response.text


def csrf_token_in(response: httpx.Response) -> str:
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', response.text)
    assert match, "page carries no CSRF token"
    return match.group(1)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app, base_url="http://testserver") as client:
        yield Browser(client)


@pytest.fixture
def make_browser(app: FastAPI) -> Iterator[Callable[[], Browser]]:
    """Another independent visitor (own cookies), for tests with several people."""
    clients: list[TestClient] = []

    def _make() -> Browser:
        client = TestClient(app, base_url="http://testserver")
        clients.append(client)
        return Browser(client)

    yield _make
    for client in clients:
        client.close()


@pytest.fixture
def clock() -> Iterator[app_clock.ManualClock]:
    """A clock the test moves by hand (claims lapsing, escalations, undo windows, follow-ups)."""
    with app_clock.using(app_clock.ManualClock(datetime.now(UTC).replace(microsecond=0))) as c:
        assert isinstance(c, app_clock.ManualClock)
        yield c


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """`harbour serve` in its own process on this test's database, spoken to over real HTTP."""
    environment = {"HARBOUR_ENVIRONMENT": "test", "HARBOUR_PICTURE_DIR": str(tmp_path / "pictures")}
    with serving(database_url, environment, tmp_path / "server.log") as url:
        yield LiveServer(url)
