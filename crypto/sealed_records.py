"""Sealed records: what a resumable upload keeps at rest until it is finished.

A resumable upload arrives over many requests, possibly days apart, and must be kept
somewhere between them; gpg needs the whole stream at once, so the parts are sealed on
their own with AES-256-GCM under a key of the upload's own (the *data key*), and only
once the last byte is in are they opened in order and fed to gpg.

- Each record is ``nonce (12 bytes) || ciphertext || tag (16 bytes)`` with a random
  nonce. Its associated data binds it to its upload and its offset in the file, so a
  record moved to another upload or another place in the file does not open.
- The data key is kept wrapped (AES-256-GCM again) under a key the caller derives from
  the master key, bound to the upload id. Forgetting the wrapped key makes every record
  of that upload unreadable, wherever copies of them are.

This module imports nothing from ``portal``. Failures to open raise
:class:`~crypto.errors.DecryptionFailed` and never say more than which upload and offset.
"""

from __future__ import annotations

import secrets
import struct
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import DecryptionFailed

DATA_KEY_LENGTH: Final = 32
NONCE_LENGTH: Final = 12
TAG_LENGTH: Final = 16
RECORD_OVERHEAD: Final = NONCE_LENGTH + TAG_LENGTH

# Domain separation: a wrapped key can never be taken for a record, nor one upload's
# record for another's, whatever the bytes.
_RECORD_LABEL: Final = b"rto-portal:upload-record:v1\x00"
_WRAP_LABEL: Final = b"rto-portal:upload-data-key:v1\x00"


def _check_key(key: bytes, what: str) -> None:
    if len(key) != DATA_KEY_LENGTH:
        raise ValueError(f"{what} must be {DATA_KEY_LENGTH} bytes, got {len(key)}")


def _record_label(upload_id: str, offset: int) -> bytes:
    if offset < 0:
        raise ValueError("a record's offset cannot be negative")
    return _RECORD_LABEL + upload_id.encode("ascii") + b"\x00" + struct.pack(">Q", offset)


def new_data_key() -> bytes:
    """A fresh random data key for one upload."""
    return secrets.token_bytes(DATA_KEY_LENGTH)


def wrap_data_key(wrapping_key: bytes, *, upload_id: str, data_key: bytes) -> bytes:
    """``data_key`` encrypted under ``wrapping_key``, bound to ``upload_id``: safe to store."""
    _check_key(wrapping_key, "the wrapping key")
    _check_key(data_key, "the data key")
    nonce = secrets.token_bytes(NONCE_LENGTH)
    return nonce + AESGCM(wrapping_key).encrypt(
        nonce, data_key, _WRAP_LABEL + upload_id.encode("ascii")
    )


def unwrap_data_key(wrapping_key: bytes, *, upload_id: str, wrapped: bytes) -> bytes:
    """The data key of ``upload_id``; ``DecryptionFailed`` for a wrong key or another upload."""
    _check_key(wrapping_key, "the wrapping key")
    nonce, body = wrapped[:NONCE_LENGTH], wrapped[NONCE_LENGTH:]
    try:
        return AESGCM(wrapping_key).decrypt(nonce, body, _WRAP_LABEL + upload_id.encode("ascii"))
    except InvalidTag:
        raise DecryptionFailed(f"the data key of upload {upload_id} does not open") from None


def seal_record(data_key: bytes, *, upload_id: str, offset: int, plaintext: bytes) -> bytes:
    """``plaintext``, the bytes of the file from ``offset`` on, sealed for storage."""
    _check_key(data_key, "the data key")
    nonce = secrets.token_bytes(NONCE_LENGTH)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, _record_label(upload_id, offset))


def open_record(data_key: bytes, *, upload_id: str, offset: int, sealed: bytes) -> bytes:
    """The plaintext of a record sealed for ``upload_id`` at ``offset``, or ``DecryptionFailed``
    (tampered, truncated, another upload's, or from another place in the file)."""
    _check_key(data_key, "the data key")
    if len(sealed) < RECORD_OVERHEAD:
        raise DecryptionFailed(f"the record of upload {upload_id} at {offset} is truncated")
    nonce, body = sealed[:NONCE_LENGTH], sealed[NONCE_LENGTH:]
    try:
        return AESGCM(data_key).decrypt(nonce, body, _record_label(upload_id, offset))
    except InvalidTag:
        raise DecryptionFailed(
            f"the record of upload {upload_id} at offset {offset} does not open"
        ) from None
