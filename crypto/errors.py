"""The one error tree of the crypto package (drawn in ``crypto/__init__.py``).

gpg reports failures as status lines and exit codes; ``crypto`` translates them into these
types at the boundary, so callers never parse gpg output. Messages name fingerprints,
case ids and gpg status keywords, never plaintext and never a secret.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error this package raises on purpose."""


class GnuPGUnavailable(CryptoError):
    """The gpg binary is missing or unusable, or the GnuPG home cannot be used."""


class InvalidMasterKey(CryptoError):
    """The master key is malformed or its file is readable by others than its owner."""


class KeyGenerationFailed(CryptoError):
    """gpg did not create (or would not export) a case key."""


class KeyNotAvailable(CryptoError):
    """Key material is missing, inconsistent with its fingerprint, or was destroyed."""


class EncryptionFailed(CryptoError):
    """gpg did not finish encrypting; whatever reached the sink must be discarded."""


class EncryptionInterrupted(EncryptionFailed):
    """gpg was stopped by a signal mid-way (killed, out of memory), not refused: nothing
    is wrong with the input or the key, and the same request may succeed again."""


class DecryptionFailed(CryptoError):
    """Wrong or missing secret, missing key, or a ciphertext that failed its integrity check."""


class SigningFailed(CryptoError):
    """gpg did not make a signature with the portal's signing key."""


class SecretUnreadable(CryptoError):
    """A sealed secret (``SecretBox``) was changed, belongs elsewhere, or needs another key."""
