"""The portal's own OpenPGP signing key: generate it once, sign with it, check signatures.

The key signs checkpoints of the audit log, so anyone can check them with the ``gpg``
command line and the exported public key. Like a case key, its secret lives in the
database, locked with a passphrase derived from the master key
(``MasterKey.secret_for("audit-signing-key")``); the GnuPG home only caches it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crypto.case_keys import (
    CaseKeyMaterial,
    CaseKeys,
    _check_fingerprint,
    _check_secret,
    _Outcome,
    generate_key,
)
from crypto.errors import KeyNotAvailable, SigningFailed

if TYPE_CHECKING:
    from crypto.gnupg_home import GnuPGHome


@dataclass(frozen=True, kw_only=True, slots=True)
class SigningKeyMaterial:
    """What the database stores of the portal's signing key: the truth the cache follows."""

    fingerprint: str
    public_key: str = field(repr=False)
    protected_secret_key: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_fingerprint(self.fingerprint)


class SigningKeys:
    """Signing with the portal's key over one ``GnuPGHome`` cache (shared with case keys)."""

    def __init__(self, home: GnuPGHome) -> None:
        self._home = home
        # The import and listing helpers of case keys serve any key held this way.
        self._keys = CaseKeys(home)

    def generate_signing_key(self, name: str, *, secret: str) -> SigningKeyMaterial:
        """Create an ed25519 signing key (no expiry) locked with ``secret``."""
        if not name.isascii() or not name.replace(" ", "").replace("-", "").isalnum():
            raise ValueError("a signing key name is ASCII letters, digits, spaces and '-'")
        if not _check_secret(secret):
            raise ValueError("secret must be a non-empty single line")
        material = generate_key(
            self._home,
            secret=secret,
            name_real=name,
            name_email="audit-signing@rto-portal.invalid",
        )
        return SigningKeyMaterial(
            fingerprint=material.fingerprint,
            public_key=material.public_key,
            protected_secret_key=material.protected_secret_key,
        )

    def sign_detached(self, material: SigningKeyMaterial, secret: str, data: bytes) -> str:
        """An armored detached signature over ``data``, for ``gpg --verify sig data``."""
        if not _check_secret(secret):
            raise ValueError("secret must be a non-empty single line")
        with self._home.operation():
            self._keys._ensure_secret_key(_as_case_material(material))
            result = self._home.new_gpg().sign(
                data,
                keyid=material.fingerprint,
                passphrase=secret,
                detach=True,
                clearsign=False,
                binary=False,
                extra_args=["--digest-algo", "SHA512"],
            )
        signature = str(result)
        outcome = _Outcome.of(result)
        if outcome.returncode != 0 or "BEGIN PGP SIGNATURE" not in signature:
            raise SigningFailed(
                f"gpg did not sign with key {material.fingerprint}: {outcome.describe()}"
            )
        return signature

    def sign_clear(self, material: SigningKeyMaterial, secret: str, text: str) -> str:
        """``text`` clear-signed: one armored text a reader checks with ``gpg --verify``.

        For statements people read as well as check (the destruction report). The text
        should be ASCII without trailing blanks: OpenPGP's clear-signing canonicalises
        line ends and trailing whitespace, and escapes lines starting with a dash.
        """
        if not _check_secret(secret):
            raise ValueError("secret must be a non-empty single line")
        with self._home.operation():
            self._keys._ensure_secret_key(_as_case_material(material))
            result = self._home.new_gpg().sign(
                text.encode(),
                keyid=material.fingerprint,
                passphrase=secret,
                detach=False,
                clearsign=True,
                binary=False,
                extra_args=["--digest-algo", "SHA512"],
            )
        signed = str(result)
        outcome = _Outcome.of(result)
        if outcome.returncode != 0 or "BEGIN PGP SIGNED MESSAGE" not in signed:
            raise SigningFailed(
                f"gpg did not sign with key {material.fingerprint}: {outcome.describe()}"
            )
        return signed

    def verify_detached(
        self, public_key: str, fingerprint: str, data: bytes, signature: str
    ) -> bool:
        """True only if ``signature`` is a good signature over ``data`` by that very key.

        The cache also holds case keys, which can sign too: a good signature by any
        other key is not good enough.
        """
        _check_fingerprint(fingerprint)
        with self._home.operation():
            self._keys._ensure_public_keys(
                [
                    _as_case_material(
                        SigningKeyMaterial(
                            fingerprint=fingerprint, public_key=public_key, protected_secret_key=""
                        )
                    )
                ]
            )
            with tempfile.TemporaryDirectory(prefix="portal-sig-") as directory:
                signature_file = Path(directory) / "statement.asc"
                signature_file.write_text(signature, encoding="ascii", errors="replace")
                result = self._home.new_gpg().verify_data(str(signature_file), data)
        return bool(result.valid) and str(result.fingerprint or "") == fingerprint

    def check_public_key(self, armored: str) -> str:
        """The fingerprint of the one public key in ``armored``; ``KeyNotAvailable`` else."""
        with self._home.operation():
            keys = list(self._home.new_gpg().scan_keys_mem(armored))
        if len(keys) != 1 or keys[0].get("type") != "pub":
            raise KeyNotAvailable(f"expected exactly one public key, found {len(keys)} key(s)")
        return str(keys[0]["fingerprint"])


def _as_case_material(material: SigningKeyMaterial) -> CaseKeyMaterial:
    return CaseKeyMaterial(
        fingerprint=material.fingerprint,
        public_key=material.public_key,
        protected_secret_key=material.protected_secret_key,
    )
