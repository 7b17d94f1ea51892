"""Password hashing (argon2id through the passlib API of the maintained `libpass` fork)."""

from __future__ import annotations

import os
from functools import lru_cache

from passlib.context import CryptContext
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128

# argon2id at libpass's defaults (64 MiB, 3 passes). The test suite (HARBOUR_ENVIRONMENT=test, set before
# anything imports this) uses argon2's smallest cost instead, so its hundreds of sign-ins stay quick;
# tests/accounts/test_passwords.py checks that every other environment keeps the defaults.
_TEST_COST = {"argon2__memory_cost": 8, "argon2__time_cost": 1, "argon2__parallelism": 1}
password_context = CryptContext(
    schemes=["argon2"],
    deprecated="auto",
    argon2__type="ID",
    **(_TEST_COST if os.environ.get("HARBOUR_ENVIRONMENT") == "test" else {}),
)

# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = password_context.hash("harbour-timing-equaliser")


def hash_password(password: str) -> str:
    return password_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        password_context.verify(password, _DUMMY_HASH)
        return False
    return password_context.verify(password, password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, handle: str = "", email: str = "") -> str | None:
    """Why this password is refused, in words a member understands, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least {limit} characters.").format(limit=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most {limit} characters.").format(limit=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords():
        return _("That password is one of the most common ones; choose something less guessable.")
    personal = {handle.lower(), email.lower(), email.split("@", 1)[0].lower()} - {""}
    if lowered in personal:
        return _("Don't use your handle or email address as your password.")
    return None
