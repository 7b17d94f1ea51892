"""The `harbour` command line, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.db import make_engine, make_sessionmaker
from app.models import Forum, Post, PostStatus, User

HARBOUR = [sys.executable, "-m", "app"]


def run(url: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HARBOUR_DATABASE_URL": url, "HARBOUR_ENVIRONMENT": "development"}
    return subprocess.run(
        [*HARBOUR, *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_db_upgrade_create_admin_and_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
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
    again = run(url, "demo")
    assert "already seeded" in again.stdout

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


def test_create_admin_refuses_a_weak_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "db", "upgrade")
    result = run(
        url, "create-admin", "--email", "a@b.example", "--handle", "chair", "--password", "password"
    )
    assert result.returncode == 1
    assert "password:" in result.stderr


def test_db_downgrade_to_base(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "db", "upgrade")
    result = run(url, "db", "downgrade", "base")
    assert result.returncode == 0 and "downgraded to base" in result.stdout
