"""Sealed fields: short personal text kept in a record that must outlive it, under a key that
need not.

The audit log keeps every record for good (its hash chain must verify after a case is
destroyed), yet a record's free text (a reason, a justification) and the data subject's
pseudonym are personal data of the case and must go with it (art. 11.2c). So such a field
is stored sealed, with AES-256-GCM under a key of its *owner* (the case) alone, the
*field key*; destroying the owner's key is what shreds the field, in the database and in
every copy or export of its stored form.

- A sealed value is text, ``sealed:v1:<owner>:<base64 nonce || ciphertext || tag>``, with
  a random nonce: it fits a text column, and the owner it names tells a reader which key
  opens it without any other column. The value is fixed when it is sealed, so a hash
  over the stored record (the audit chain) covers exactly these characters.
- The associated data binds the value to its owner and its field name: copied onto
  another case's record, or from a reason into a justification, it does not open. It
  cannot bind to a record's sequence number, which is assigned after sealing, under the
  chain lock; moving a value between records of one case is what the chain detects.
- The field key is kept wrapped (AES-256-GCM again) under a key the caller derives from
  the master key, bound to the owner: a database dump without the master key opens no
  field, and a wrapped key copied onto another owner's row does not open.
- :func:`blind_index` is a keyed hash (HMAC-SHA256) of a value under the owner's field
  key, for finding records by a value (a pseudonym) without storing it in clear. Without
  the field key the index says nothing, not even that two owners' records hold the same
  value; once the key is destroyed nobody can compute it again.

This module imports nothing from ``portal``. Failures to open raise
:class:`~crypto.errors.DecryptionFailed` and name the owner and field, never the text.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
import secrets
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import DecryptionFailed

FIELD_KEY_LENGTH: Final = 32
SEALED_PREFIX: Final = "sealed:v1:"
_NONCE_LENGTH: Final = 12
_TAG_LENGTH: Final = 16
_MAX_OWNER_LENGTH: Final = 64
_NAME: Final = re.compile(rf"[A-Za-z0-9_.-]{{1,{_MAX_OWNER_LENGTH}}}")

# Domain separation: a wrapped key is never taken for a field, nor an index for either.
_FIELD_LABEL: Final = b"rto-portal:sealed-field:v1\x00"
_WRAP_LABEL: Final = b"rto-portal:field-key:v1\x00"
_INDEX_LABEL: Final = b"rto-portal:field-index:v1\x00"


def _check_key(key: bytes, what: str) -> None:
    if len(key) != FIELD_KEY_LENGTH:
        raise ValueError(f"{what} must be {FIELD_KEY_LENGTH} bytes, got {len(key)}")


def _check_name(name: str, what: str) -> bytes:
    # The owner is part of the stored text and the labels: no separator may hide in it.
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"{what} {name!r} must be 1..{_MAX_OWNER_LENGTH} characters and may hold only "
            "ASCII letters, digits, '-', '_', '.'"
        )
    return name.encode("ascii")


@functools.lru_cache(maxsize=4096)
def _field_label(owner: str, name: str) -> bytes:
    # Cached: every record of a case seals under the same few labels, on every download.
    return _FIELD_LABEL + _check_name(owner, "owner") + b"\x00" + _check_name(name, "field name")


def new_field_key() -> bytes:
    """A fresh random field key for one owner."""
    return secrets.token_bytes(FIELD_KEY_LENGTH)


def wrap_field_key(wrapping_key: bytes, *, owner: str, field_key: bytes) -> str:
    """``field_key`` encrypted under ``wrapping_key``, bound to ``owner``: text safe to store."""
    _check_key(wrapping_key, "the wrapping key")
    _check_key(field_key, "the field key")
    nonce = secrets.token_bytes(_NONCE_LENGTH)
    label = _WRAP_LABEL + _check_name(owner, "owner")
    wrapped = nonce + AESGCM(wrapping_key).encrypt(nonce, field_key, label)
    return base64.b64encode(wrapped).decode("ascii")


def unwrap_field_key(wrapping_key: bytes, *, owner: str, wrapped: str) -> bytes:
    """The field key of ``owner``; ``DecryptionFailed`` for a wrong key or another owner's."""
    _check_key(wrapping_key, "the wrapping key")
    label = _WRAP_LABEL + _check_name(owner, "owner")
    try:
        raw = base64.b64decode(wrapped.encode("ascii"), validate=True)
        return AESGCM(wrapping_key).decrypt(raw[:_NONCE_LENGTH], raw[_NONCE_LENGTH:], label)
    except (InvalidTag, ValueError, binascii.Error):
        raise DecryptionFailed(f"the field key of {owner} does not open") from None


def seal_field(field_key: bytes, *, owner: str, name: str, text: str) -> str:
    """``text`` sealed as field ``name`` of ``owner``: ``sealed:v1:<owner>:<base64>``."""
    _check_key(field_key, "the field key")
    nonce = secrets.token_bytes(_NONCE_LENGTH)
    body = nonce + AESGCM(field_key).encrypt(nonce, text.encode(), _field_label(owner, name))
    return f"{SEALED_PREFIX}{owner}:{base64.b64encode(body).decode('ascii')}"


def sealed_owner(value: str) -> str | None:
    """The owner whose key opens ``value``, or None if ``value`` is not a sealed field."""
    if not value.startswith(SEALED_PREFIX):
        return None
    owner, separator, _ = value[len(SEALED_PREFIX) :].partition(":")
    return owner if separator and owner else None


def open_field(field_key: bytes, *, owner: str, name: str, sealed: str) -> str:
    """The text of field ``name`` sealed for ``owner``, or ``DecryptionFailed`` (changed,
    truncated, another owner's or another field's, or sealed under another key)."""
    _check_key(field_key, "the field key")
    if sealed_owner(sealed) != owner:
        raise DecryptionFailed(f"field {name} is not sealed for {owner}")
    encoded = sealed[len(SEALED_PREFIX) + len(owner) + 1 :]
    try:
        raw = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (ValueError, binascii.Error):
        raise DecryptionFailed(f"field {name} of {owner} is not base64") from None
    if len(raw) < _NONCE_LENGTH + _TAG_LENGTH:
        raise DecryptionFailed(f"field {name} of {owner} is truncated")
    try:
        plain = AESGCM(field_key).decrypt(
            raw[:_NONCE_LENGTH], raw[_NONCE_LENGTH:], _field_label(owner, name)
        )
    except InvalidTag:
        raise DecryptionFailed(f"field {name} of {owner} does not open") from None
    return plain.decode()


def blind_index(field_key: bytes, *, name: str, text: str) -> str:
    """A keyed hash of ``text`` as field ``name``, 64 hex digits: equal texts of one owner
    give equal indexes; without the owner's key nothing can be learnt or recomputed."""
    _check_key(field_key, "the field key")
    message = _INDEX_LABEL + _check_name(name, "field name") + b"\x00" + text.encode()
    return hmac.new(field_key, message, hashlib.sha256).hexdigest()
