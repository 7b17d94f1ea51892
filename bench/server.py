"""Serve Harbour in a child process over real HTTP (benchmarks and the live-server tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "live-server-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    database_url: str,
    extra_env: dict[str, str] | None = None,
    log_path: Path | None = None,
    command: list[str] | None = None,
) -> Iterator[str]:
    """Run `harbour serve` (one uvicorn worker) or `command` on a free port; yield its URL."""
    port = free_port()
    env = {
        **os.environ,
        "HARBOUR_DATABASE_URL": database_url,
        "HARBOUR_ENVIRONMENT": "development",
        "HARBOUR_SECRET_KEY": SECRET_KEY,
        "HARBOUR_BIND": f"127.0.0.1:{port}",
        **(extra_env or {}),
    }
    log = log_path.open("w") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        command or [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                detail = log_path.read_text() if log_path else ""
                raise RuntimeError(f"the server did not start\n{detail}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_path:
            log.close()  # type: ignore[union-attr]
