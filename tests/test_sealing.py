"""Secrets Harbour reads back later are kept encrypted under a key derived from the site's secret."""

from __future__ import annotations

import pytest

from app import sealing

KEY = "a-site-secret-of-at-least-thirty-two-characters"
TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_sealed_value_opens_with_the_same_site_secret_only() -> None:
    sealed = sealing.seal(KEY, sealing.TOTP_SECRET, TOTP_KEY)
    assert TOTP_KEY not in sealed and len(sealed) <= 255  # fits the column
    assert sealing.unseal(KEY, sealing.TOTP_SECRET, sealed) == TOTP_KEY
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(KEY + "x", sealing.TOTP_SECRET, sealed)


def test_each_purpose_has_its_own_key_and_tampering_is_detected() -> None:
    sealed = sealing.seal(KEY, sealing.TOTP_SECRET, TOTP_KEY)
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(KEY, "webhook-secret", sealed)
    flipped = sealed[:40] + ("A" if sealed[40] != "A" else "B") + sealed[41:]
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(KEY, sealing.TOTP_SECRET, flipped)


def test_sealing_the_same_value_twice_gives_different_texts() -> None:
    # A random IV each time: equal keys in two accounts do not show as equal rows.
    assert sealing.seal(KEY, sealing.TOTP_SECRET, TOTP_KEY) != sealing.seal(
        KEY, sealing.TOTP_SECRET, TOTP_KEY
    )
