"""Small secrets the portal must read back (TOTP seeds), sealed with AES-256-GCM.

A TOTP seed cannot be hashed like a password: the portal needs it to compute the expected
code. Sealed with a key derived from the master key (``MasterKey.key_for``), a dump of the
database without the master key holds no usable seed. The associated data binds a sealed
value to what it belongs to (a user id), so a sealed seed copied onto another user's row
does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import SecretUnreadable

_VERSION = "v1"
_NONCE_BYTES = 12
_KEY_BYTES = 32


class SecretBox:
    """Seal and open short secrets with one 256-bit key; never holds or prints plaintext."""

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_BYTES:
            raise ValueError("a secret box needs a 256-bit key")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, *, bound_to: str) -> str:
        """``v1.<base64 nonce + ciphertext + tag>``; a new random nonce every time."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, bound_to.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def open(self, sealed: str, *, bound_to: str) -> bytes:
        """The plaintext, or ``SecretUnreadable`` for a changed, foreign or garbled value."""
        version, _, body = sealed.partition(".")
        if version != _VERSION:
            raise SecretUnreadable(f"sealed secret of unknown version {version[:8]!r}")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode())
        except (InvalidTag, ValueError) as exc:
            raise SecretUnreadable("sealed secret does not open with this key") from exc

    def __repr__(self) -> str:
        return "SecretBox(<redacted>)"
