"""The `harbour` command line: one run as a real process, the rest in-process with typer's runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import make_engine, make_sessionmaker
from app.models import Forum, Post, PostStatus, User

HARBOUR = [sys.executable, "-m", "app"]


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_process(url: str, *args: str) -> Result:
    env = {**os.environ, "HARBOUR_DATABASE_URL": url, "HARBOUR_ENVIRONMENT": "development"}
    done = subprocess.run(
        [*HARBOUR, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def harbour(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Result]]:
    """Run `harbour ARGS` in this process against a fresh SQLite file."""
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("HARBOUR_DATABASE_URL", url)
    monkeypatch.setenv("HARBOUR_ENVIRONMENT", "development")
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(cli, list(args))
        return Result(result.exit_code, result.stdout, result.stderr)

    yield invoke
    get_settings.cache_clear()


def test_db_upgrade_create_admin_and_demo_as_real_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run = run_process
    upgraded = run(url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    admin = run(
        url,
        "create-admin",
        "--email",
        "chair@charity.example",
        "--handle",
        "chair",
        "--password",
        "lighthouse-keeper-77",
    )
    assert admin.returncode == 0, admin.stderr
    assert "Created admin chair" in admin.stdout
    demo = run(url, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "moderator@harbour.example" in demo.stdout and "harbour-demo-tide" in demo.stdout

    sessions = make_sessionmaker(make_engine(url))
    with sessions() as session:
        names = set(session.scalars(select(Forum.name)))
        assert names == {
            "Young adults with kidney disease (18–30)",
            "Living with type 1 diabetes",
            "After a heart attack",
        }
        assert session.scalar(select(func.count()).select_from(User)) >= 7
        held = session.scalar(
            select(func.count()).select_from(Post).where(Post.status == PostStatus.HELD)
        )
        assert held and held >= 3


def test_create_admin_refuses_a_weak_password(harbour: Callable[..., Result]) -> None:
    harbour("db", "upgrade")
    result = harbour(
        "create-admin", "--email", "a@b.example", "--handle", "chair", "--password", "password"
    )
    assert result.returncode == 1
    assert "password:" in result.stderr


def test_db_downgrade_to_base(harbour: Callable[..., Result]) -> None:
    harbour("db", "upgrade")
    result = harbour("db", "downgrade", "base")
    assert result.returncode == 0 and "downgraded to base" in result.stdout


def test_moderation_evaluate_prints_roc_auc_for_a_labelled_csv(
    harbour: Callable[..., Result], tmp_path: Path
) -> None:
    harbour("db", "upgrade")
    labelled = tmp_path / "labelled.csv"
    labelled.write_text(
        "comment,isHate\nfuck you,1\nsending love,0\nyou stupid piece of shit,1\nthank you all,0\n"
    )
    result = harbour(
        "moderation",
        "evaluate",
        str(labelled),
        "--text-column",
        "comment",
        "--label-column",
        "isHate",
    )
    assert result.returncode == 0, result.stderr
    assert "4 examples, 2 labelled positive" in result.stdout and "ROC-AUC" in result.stdout


def test_moderation_calibrate_reports_before_applying_and_rescore_and_worker_run(
    harbour: Callable[..., Result],
) -> None:
    harbour("db", "upgrade")
    harbour("demo")
    assert "already seeded" in harbour("demo").stdout
    report = harbour("moderation", "calibrate", "type-1-diabetes")
    assert report.returncode == 0, report.stderr
    assert "no moderator decisions" in report.stdout or "Nothing was changed" in report.stdout
    rescored = harbour("moderation", "rescore", "--all")
    assert rescored.returncode == 0 and "Rescored" in rescored.stdout
    # The first run may have time-driven work from the demo (a cohort's weekly check-in opening
    # today); after it, nothing is left.
    assert harbour("worker", "--once").returncode == 0
    worker = harbour("worker", "--once")
    assert worker.returncode == 0 and "Assessed 0 post(s)." in worker.stdout
    unknown = harbour("moderation", "calibrate", "no-such-forum")
    assert unknown.returncode != 0 and "no forum" in unknown.stderr


def test_digest_and_outbox_commands(harbour: Callable[..., Result]) -> None:
    harbour("db", "upgrade")
    harbour("demo")
    sent = harbour("digest", "daily")
    assert sent.returncode == 0 and "daily digest(s)." in sent.stdout
    listing = harbour("outbox")
    assert listing.returncode == 0
    assert "The outbox is empty." in listing.stdout or "Your Harbour daily digest" in listing.stdout
    assert harbour("digest", "hourly").returncode != 0
