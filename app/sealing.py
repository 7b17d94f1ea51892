"""Secrets Harbour must read back later (a member's TOTP key), encrypted at rest.

A copy of the database alone then gives no one a working authenticator: the key lives in the
environment (HARBOUR_SECRET_KEY), not beside the data. Each purpose gets its own key, derived
from the site's secret with HKDF, and the sealing is Fernet (AES-128-CBC with an HMAC-SHA256
tag, from the `cryptography` package): a tampered or misplaced value fails to open rather than
yielding something wrong.

Changing HARBOUR_SECRET_KEY makes sealed values unreadable (as it ends every emailed link and
recovery code): staff then set up two-factor sign-in again after an admin resets it.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOTP_SECRET = "totp-secret"  # what a key is for: one key per purpose


class Unreadable(Exception):
    """A sealed value that does not open with this site's key (tampered, or the key changed)."""


@lru_cache(maxsize=16)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"harbour sealing: {purpose}".encode(),
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, purpose: str, value: str) -> str:
    return _fernet(secret_key, purpose).encrypt(value.encode()).decode("ascii")


def unseal(secret_key: str, purpose: str, sealed: str) -> str:
    try:
        return _fernet(secret_key, purpose).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise Unreadable(purpose) from error
