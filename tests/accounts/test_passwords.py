"""Passwords are hashed with argon2id; outside the test suite at full cost."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.accounts.passwords import hash_password, verify_password
from app.config import PROJECT_ROOT


@pytest.mark.parametrize("environment", ["production", "development"])
def test_real_environments_hash_at_argon2ids_full_cost(environment: str) -> None:
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app.accounts.passwords import hash_password; print(hash_password('x'))",
        ],
        env={**os.environ, "HARBOUR_ENVIRONMENT": environment},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_suite_still_uses_argon2id_and_checks_the_password() -> None:
    stored = hash_password("tidal harbour lantern")
    assert stored.startswith("$argon2id$")
    assert verify_password("tidal harbour lantern", stored)
    assert not verify_password("tidal harbour lanterns", stored)
    assert not verify_password("anything", None)  # unknown email: same work, always refused
