"""Serve Harbour in a child process on a seeded SQLite database, for load benchmarks."""

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(database_url: str, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `harbour serve` (one uvicorn worker) and yield its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "HARBOUR_DATABASE_URL": database_url,
        "HARBOUR_ENVIRONMENT": "development",
        # Benchmarks measure throughput, not the abuse limits.
        "HARBOUR_POST_LIMIT_PER_USER": "1000000/minute",
        "HARBOUR_LOGIN_LIMIT_PER_IP": "1000000/minute",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the benchmark server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
