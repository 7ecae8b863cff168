"""The portal's master key: the root from which every case-key passphrase is derived."""

from __future__ import annotations

import binascii
import hashlib
import hmac
import os
import re
import secrets
import stat
from typing import TYPE_CHECKING, Final

from crypto.errors import InvalidMasterKey

if TYPE_CHECKING:
    from pathlib import Path

MASTER_KEY_LENGTH: Final = 32

# Domain separation: the same master key may one day derive other secrets (signing keys,
# tokens); a versioned label keeps those derivations independent of this one.
_CASE_SECRET_LABEL: Final = b"rto-portal:case-key-passphrase:v1\x00"
# Secrets of the portal itself (its signing key's passphrase, the pseudonym key): another
# label prefix, so no purpose name can ever collide with a case id's derivation.
_PORTAL_SECRET_LABEL: Final = b"rto-portal:portal-secret:v1\x00"
_PURPOSE: Final = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")

# gpg reads the passphrase as one line from a pipe, and the uid is a batch-file line:
# a newline or NUL in a case id could smuggle extra parameters into either.
_MAX_CASE_ID_LENGTH: Final = 128


def validate_case_id(case_id: str) -> str:
    """Return ``case_id`` if it is safe inside a gpg uid and a derivation label, else raise."""
    if not case_id or len(case_id) > _MAX_CASE_ID_LENGTH:
        raise ValueError(f"case id must be 1..{_MAX_CASE_ID_LENGTH} characters")
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in case_id):
        raise ValueError(f"case id {case_id!r} may hold only ASCII letters, digits, '-', '_', '.'")
    return case_id


class MasterKey:
    """32 random bytes that protect every case key, held only in memory and in one file.

    The file holds the key as 64 hex digits and a newline, mode 0600. ``load`` refuses a
    file that the group or others may read or write (``InvalidMasterKey``), as sshd does
    for private keys: a key that others could have read must be treated as leaked, and a
    loud refusal at start-up is cheaper than a silent compromise.

    ``repr`` never shows the key, so it cannot leak through logs or tracebacks.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_LENGTH:
            raise InvalidMasterKey(
                f"master key must be {MASTER_KEY_LENGTH} bytes, got {len(key)} bytes"
            )
        self._key = bytes(key)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(MASTER_KEY_LENGTH))

    @classmethod
    def from_bytes(cls, key: bytes) -> MasterKey:
        return cls(key)

    @classmethod
    def load(cls, path: Path) -> MasterKey:
        """Read a key written by ``write``; raise ``InvalidMasterKey`` if it is unusable."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise InvalidMasterKey(f"cannot open master key file {path}: {exc.strerror}") from exc
        with os.fdopen(fd, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise InvalidMasterKey(
                    f"master key file {path} has mode {stat.S_IMODE(mode):04o}; "
                    "it must be readable by its owner only (chmod 600)"
                )
            text = file.read(4 * MASTER_KEY_LENGTH).strip()
        try:
            key = binascii.unhexlify(text)
        except (binascii.Error, ValueError) as exc:
            raise InvalidMasterKey(f"master key file {path} does not hold hex digits") from exc
        return cls(key)

    def write(self, path: Path) -> None:
        """Create ``path`` (mode 0600) holding this key; never overwrite an existing file.

        Overwriting a master key would make every case key unrecoverable, so an existing
        file is an error (``FileExistsError``), not something to replace.
        """
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as file:
            # The umask cannot widen 0600, but an inherited ACL default could: pin it.
            os.fchmod(file.fileno(), 0o600)
            file.write(self._key.hex().encode("ascii") + b"\n")
            file.flush()
            os.fsync(file.fileno())

    def secret_for_case(self, case_id: str) -> str:
        """The passphrase that protects the secret key of case ``case_id``.

        HMAC-SHA256 over a versioned label and the case id: 256 bits, as 64 hex digits.
        It is high-entropy, so gpg's cheap S2K setting (``s2k-count 65536``) costs an
        attacker nothing worth having; and it is a pure function of (master key, case),
        so no per-case secret needs storing. Rotating the master key means re-protecting
        each case key with the new secret, never re-encrypting documents.
        """
        label = _CASE_SECRET_LABEL + validate_case_id(case_id).encode("ascii")
        return hmac.new(self._key, label, hashlib.sha256).hexdigest()

    def key_for(self, purpose: str) -> bytes:
        """32 bytes for one named use of the portal's own (``audit-pseudonyms``, ...).

        HMAC-SHA256 over a versioned label distinct from the case-secret label and the
        purpose name: each use gets an independent key, and none equals a case secret.
        """
        if not _PURPOSE.fullmatch(purpose):
            raise ValueError(f"purpose {purpose!r} must be 1..64 of a-z, 0-9, '.', '-'")
        label = _PORTAL_SECRET_LABEL + purpose.encode("ascii")
        return hmac.new(self._key, label, hashlib.sha256).digest()

    def secret_for(self, purpose: str) -> str:
        """:meth:`key_for` as 64 hex digits: a passphrase gpg can read as one line."""
        return self.key_for(purpose).hex()

    def __repr__(self) -> str:
        return "MasterKey(<redacted>)"
