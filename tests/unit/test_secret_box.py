"""Sealed secrets (TOTP seeds) open only with their key and for the row they were sealed for."""

from __future__ import annotations

import os

import pytest

from crypto import SecretBox, SecretUnreadable


def test_a_sealed_secret_opens_with_its_key_and_holds_no_plaintext() -> None:
    box = SecretBox(os.urandom(32))
    sealed = box.seal(b"JBSWY3DPEHPK3PXP", bound_to="user-1")
    assert b"JBSWY3DPEHPK3PXP" not in sealed.encode()
    assert box.seal(b"JBSWY3DPEHPK3PXP", bound_to="user-1") != sealed  # a new nonce each time
    assert box.open(sealed, bound_to="user-1") == b"JBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("how", ["other key", "other row", "changed", "garbled", "old version"])
def test_a_sealed_secret_does_not_open_otherwise(how: str) -> None:
    key = os.urandom(32)
    sealed = SecretBox(key).seal(b"seed", bound_to="user-1")
    box, bound_to = SecretBox(key), "user-1"
    if how == "other key":
        box = SecretBox(os.urandom(32))
    elif how == "other row":
        bound_to = "user-2"
    elif how == "changed":
        sealed = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB")
    elif how == "garbled":
        sealed = "v1.!!!"
    else:
        sealed = "v0." + sealed[3:]
    with pytest.raises(SecretUnreadable):
        box.open(sealed, bound_to=bound_to)


def test_a_secret_box_needs_a_256_bit_key_and_never_shows_it() -> None:
    with pytest.raises(ValueError, match="256-bit"):
        SecretBox(b"short")
    assert repr(SecretBox(b"k" * 32)) == "SecretBox(<redacted>)"
