"""What production relies on: the container entrypoint, settings checks, HTTPS cookies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import inspect

from app.config import Settings
from app.db import make_engine
from app.main import ScorerUnavailable, create_app
from bench.server import ROOT, serving
from tests.factories import PASSWORD, UserFactory


def test_the_entrypoint_migrates_then_serves_with_gunicorn(tmp_path: Path) -> None:
    """The Docker image's entrypoint, run as it is outside Docker (no engine runs here)."""
    scripts = str(Path(sys.executable).parent)  # where pip put `harbour` and `gunicorn`
    url = f"sqlite:///{tmp_path}/prod.db"
    env = {
        "PATH": f"{scripts}:{os.environ['PATH']}",
        "HARBOUR_WORKERS": "1",
        "HARBOUR_ENVIRONMENT": "production",
        "HARBOUR_SECRET_KEY": "a-production-secret-of-at-least-32-characters!",
    }
    with serving(
        url, env, tmp_path / "gunicorn.log", [str(ROOT / "docker" / "entrypoint.sh")]
    ) as base:
        assert httpx.get(f"{base}/").status_code == 200
    assert "user_account" in inspect(make_engine(url)).get_table_names()
    assert "uvicorn" in (tmp_path / "gunicorn.log").read_text().lower()


def test_the_image_holds_every_folder_the_app_reads_at_run_time() -> None:
    copied = {
        source.rstrip("/")
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    }
    needed = {"app", "moderation", "migrations", "templates", "static", "translations"}
    assert needed <= copied, needed - copied


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="HARBOUR_SECRET_KEY"):
        Settings(environment="production")


def test_an_unknown_scorer_stops_start_up_naming_the_setting(settings: Settings) -> None:
    with pytest.raises(ScorerUnavailable, match="HARBOUR_SCORER"):
        create_app(settings.model_copy(update={"scorer": "no-such-model"}))


def test_an_unloadable_embedding_model_stops_start_up_naming_the_setting(
    settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(ScorerUnavailable, match="HARBOUR_EMBEDDING_MODEL"):
        create_app(settings.model_copy(update={"embedding_model": str(tmp_path / "missing")}))
    with pytest.raises(ScorerUnavailable, match="HARBOUR_MODEL_CACHE_DIR"):
        create_app(settings.model_copy(update={"model_cache_dir": str(tmp_path)}))


def test_cookies_are_secure_when_served_over_https(app: object, db: object) -> None:
    UserFactory(email="kai@example.org")
    with TestClient(app, base_url="https://harbour.example") as client:  # type: ignore[arg-type]
        page = client.get("/login")
        assert "Secure" in page.headers["set-cookie"]
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        signed_in = client.post(
            "/login",
            data={"email": "kai@example.org", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert "Secure" in signed_in.headers["set-cookie"]


REDIS_URL = os.environ.get("HARBOUR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_is_up(), reason=f"no Redis at {REDIS_URL}")
def test_the_documented_redis_setting_starts_and_limits_hold_across_workers(
    settings: Settings,
) -> None:
    """Two web workers configured with the README's Redis setting count one member's posts
    together, so running more workers does not multiply a limit."""
    import secrets

    from app.ratelimit import RateLimited

    shared = settings.model_copy(update={"rate_limit_storage": REDIS_URL})
    first, second = create_app(shared), create_app(shared)
    member = f"test-{secrets.token_hex(8)}"  # a key no other run shares
    first.state.limiter.hit("3/minute", "post", member, message="slow down")
    second.state.limiter.hit("3/minute", "post", member, message="slow down")
    first.state.limiter.hit("3/minute", "post", member, message="slow down")
    with pytest.raises(RateLimited):
        second.state.limiter.hit("3/minute", "post", member, message="slow down")
    for application in (first, second):
        application.state.engine.dispose()


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        found = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if found.returncode == 0:
            return ["docker", "compose"]
    return None


def test_the_compose_file_runs_web_workers_a_separate_worker_and_names_only_real_settings() -> None:
    """compose.yaml (the multi-process topology the README documents), read as compose reads it
    where Docker Compose is installed, else as YAML."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "db", "redis", "caddy"} <= set(services)
    assert services["worker"]["entrypoint"] == ["harbour", "worker"]
    settings = {f"HARBOUR_{name.upper()}" for name in Settings.model_fields}
    not_settings = {"HARBOUR_WORKERS"}  # read by docker/entrypoint.sh (gunicorn's workers)
    for name in ("web", "worker"):
        environment = {
            **compose["x-harbour"]["environment"],
            **services[name].get("environment", {}),
        }
        assert set(environment) - not_settings <= settings, name
        assert environment["HARBOUR_IN_PROCESS_WORKER"] == "false"
        assert environment["HARBOUR_RATE_LIMIT_STORAGE"].startswith("redis://redis:")
    caddy_address = services["caddy"]["networks"]["harbour"]["ipv4_address"]
    assert compose["x-harbour"]["environment"]["HARBOUR_TRUSTED_PROXIES"] == caddy_address
    command = _compose_command()
    if command is None:
        return
    env = {
        **os.environ,
        "HARBOUR_DOMAIN": "forum.example.org",
        "HARBOUR_SECRET_KEY": "a-production-secret-of-at-least-32-characters!",
        "POSTGRES_PASSWORD": "secret",
    }
    checked = subprocess.run(
        [*command, "-f", str(ROOT / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "postgresql+psycopg://harbour:secret@db:5432/harbour" in checked.stdout
