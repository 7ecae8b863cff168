"""Case keys: generate, encrypt to, decrypt with, and forget the OpenPGP key of one case."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from crypto.errors import (
    DecryptionFailed,
    EncryptionFailed,
    EncryptionInterrupted,
    KeyGenerationFailed,
    KeyNotAvailable,
)
from crypto.master_key import validate_case_id

if TYPE_CHECKING:
    from crypto.gnupg_home import GnuPGHome, KeyringRead

_log = logging.getLogger(__name__)

Sink = Callable[[bytes], object]
"""Receives output in chunks (256 KiB at most) as gpg produces it; ``file.write`` will do."""


class Source(Protocol):
    """Anything to read bytes from: a file opened "rb", an HTTP response, a pipe."""

    def read(self, size: int = -1, /) -> bytes: ...


_FINGERPRINT: Final = re.compile(r"[0-9A-F]{40}")
# The user id every case key carries (``generate_case_key``): how a cached key is known
# as a case key, and not the portal's signing key or someone's public key.
_CASE_KEY_USER_ID: Final = re.compile(r"<case-([0-9A-Za-z._-]+)@rto-portal\.invalid>")
_GPG_ERR_BAD_PASSPHRASE: Final = 11
_GPG_ERR_CODE_MASK: Final = 0xFFFF
_ERROR_STATUS_FIELDS: Final = 2  # "ERROR <location> <gpg error code>"
# gpg's status once it has every key it needs for the data that follows.
_KEYS_LOOKED_UP: Final = frozenset({"BEGIN_ENCRYPTION", "BEGIN_DECRYPTION"})
# Under load gpg-agent now and then fails a fresh key's self-signature ("Corrupted
# protection", seen once in ~2,500 tests); a new attempt has always succeeded.
_KEY_GENERATION_ATTEMPTS: Final = 3


def _check_fingerprint(fingerprint: str) -> str:
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ValueError(
            f"not a v4 OpenPGP fingerprint (40 upper-case hex digits): {fingerprint!r}"
        )
    return fingerprint


def _check_secret(secret: str) -> bool:
    # python-gnupg writes the passphrase as one line ahead of the data on gpg's stdin; an
    # empty one makes gpg take the first line of the ciphertext as the passphrase.
    return bool(secret) and not any(ch in secret for ch in "\r\n\x00")


@dataclass(frozen=True, kw_only=True, slots=True)
class PublicKey:
    """Someone's OpenPGP public key (a partij, a participant) that documents may be encrypted to."""

    fingerprint: str
    public_key: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_fingerprint(self.fingerprint)


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseKeyMaterial:
    """What the portal's database stores for one case key: the truth the cache is rebuilt from.

    ``protected_secret_key`` is an armored secret key locked with the case secret
    (``MasterKey.secret_for_case``): a database dump without the master key reveals nothing.
    """

    fingerprint: str
    public_key: str = field(repr=False)
    protected_secret_key: str = field(repr=False)

    def __post_init__(self) -> None:
        _check_fingerprint(self.fingerprint)


Recipient = CaseKeyMaterial | PublicKey


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one gpg run reported: its exit code and its status lines (keyword, value)."""

    returncode: int | None
    statuses: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, result: Any) -> _Outcome:
        statuses = []
        for line in (getattr(result, "stderr", "") or "").splitlines():
            if line.startswith("[GNUPG:] "):
                keyword, _, value = line[9:].strip().partition(" ")
                statuses.append((keyword, value))
        return cls(getattr(result, "returncode", None), tuple(statuses))

    def has(self, keyword: str) -> bool:
        return any(key == keyword for key, _ in self.statuses)

    def values(self, keyword: str) -> list[str]:
        return [value for key, value in self.statuses if key == keyword]

    def error_codes(self) -> list[int]:
        codes = []
        for value in self.values("ERROR"):
            parts = value.split()
            if len(parts) >= _ERROR_STATUS_FIELDS and parts[1].isdigit():
                codes.append(int(parts[1]) & _GPG_ERR_CODE_MASK)
        return codes

    def describe(self) -> str:
        # Keywords only: values can carry user ids and file names, never wanted in logs.
        notable = {"NO_SECKEY", "BADMDC", "DECRYPTION_FAILED", "INV_RECP", "FAILURE", "ERROR"}
        seen = [key for key, _ in self.statuses if key in notable]
        return f"exit {self.returncode}; status {', '.join(dict.fromkeys(seen)) or 'none'}"


class _Pump:
    """Feeds gpg from ``source`` and gpg's output to ``sink``, and stops both on failure.

    python-gnupg reads the source in a writer thread that may outlive the call by a few
    milliseconds (it joins it for 0.01 s only); after ``stop`` that thread sees end of input
    and never touches the caller's source again, so the caller may close it at once.
    """

    def __init__(self, source: Source, sink: Sink, keyring: KeyringRead) -> None:
        self._source = source
        self._sink = sink
        # Output means gpg is past its key lookups (the status line may come later).
        self._keyring = keyring
        self._lock = threading.Lock()
        self._stopped = False
        self.source_error: Exception | None = None
        self.sink_error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        with self._lock:
            if self._stopped:
                return b""
            try:
                return self._source.read(size)
            except Exception as exc:  # noqa: BLE001 -- any source failure must end the run and be re-raised by the caller's thread, not logged by python-gnupg's
                self.source_error = exc
                self._stopped = True
                return b""

    def on_data(self, chunk: bytes) -> Literal[False]:
        self._keyring.done()
        if chunk and self.sink_error is None:
            try:
                self._sink(chunk)
            except Exception as exc:  # noqa: BLE001 -- re-raised in the caller's thread once gpg has exited
                self.sink_error = exc
                # End gpg's input so it exits soon instead of processing the rest for nobody.
                self._stopped = True
        # False tells python-gnupg not to keep the chunk: the output is never accumulated.
        return False

    def stop(self) -> None:
        with self._lock:
            self._stopped = True


def _capture_results(gpg: Any, *, keys_found: KeyringRead | None = None) -> list[Any]:
    """Keep every result object the GPG instance creates.

    python-gnupg raises (e.g. BrokenPipeError) when gpg exits before reading all its input,
    which is how gpg reacts to a wrong passphrase on a large ciphertext; the result object
    with the status lines that say why is then lost unless captured here.

    With ``keys_found``, the keyring hold ends at gpg's BEGIN_ENCRYPTION or
    BEGIN_DECRYPTION status: by then it has looked up every key it needs.
    """
    captured: list[Any] = []

    def capturing(factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def make(owner: Any) -> Any:
            result = factory(owner)
            captured.append(result)
            if keys_found is not None:
                handle_status = result.handle_status

                def watch(key: str, value: str) -> None:
                    if key in _KEYS_LOOKED_UP:
                        keys_found.done()
                    handle_status(key, value)

                result.handle_status = watch
            return result

        return make

    gpg.result_map = {kind: capturing(factory) for kind, factory in gpg.result_map.items()}
    return captured


class CaseKeys:
    """The case-key service over one ``GnuPGHome`` cache.

    The database holds each case's ``CaseKeyMaterial``; the cache holds copies, imported
    on demand, so any app instance can serve any case. The secret key is protected by the
    case secret; the agent never caches it (ttl 0), so every decryption needs the secret.

    Destruction: ``forget_case_key`` removes the key from *this* cache only. Crypto-
    shredding needs the database row gone and the key forgotten by every instance's cache
    (or caches that are wiped at start, e.g. on tmpfs): a cached copy is still protected
    by a secret derivable from the master key. ``cached_case_keys`` lists what this cache
    holds, so each instance can forget the keys whose row is gone.
    """

    def __init__(self, home: GnuPGHome) -> None:
        self._home = home
        # Keys this object has seen in its cache, (fingerprint, secret): asking gpg costs a
        # process per operation (~15 ms, a third of a 1 MiB decryption). Only this object
        # forgets case keys it holds (the sweep of destroyed ones included); should a key
        # go behind its back all the same (another process on a shared home, a wiped
        # home), the operation that finds it missing fails once and clears the note, and
        # the next one imports it again.
        self._present: set[tuple[str, bool]] = set()
        self._present_lock = threading.Lock()

    @property
    def home(self) -> GnuPGHome:
        return self._home

    def generate_case_key(self, case_id: str, *, secret: str) -> CaseKeyMaterial:
        """Create a Curve25519 key for ``case_id`` locked with ``secret``; leave it in the cache.

        Primary ed25519 (certify, sign), subkey cv25519 (encrypt), no expiry: a case key
        lives exactly as long as its case and is destroyed with it, never left to expire.
        """
        validate_case_id(case_id)
        if not _check_secret(secret):
            raise ValueError("secret must be a non-empty single line")
        return generate_key(
            self._home,
            secret=secret,
            name_real=f"case {case_id}",
            name_email=f"case-{case_id}@rto-portal.invalid",
            key_parameters={
                "subkey_type": "ECDH",
                "subkey_curve": "cv25519",
                "subkey_usage": "encrypt",
            },
        )

    def read_public_key(self, armored: str) -> PublicKey:
        """Check a public key someone registers: exactly one key, able to encrypt.

        Raises ``KeyNotAvailable`` otherwise. Nothing is imported.
        """
        if not armored.isascii():
            # ASCII armor is ASCII by definition; python-gnupg would fail to encode the rest.
            raise KeyNotAvailable("an armored OpenPGP key is ASCII text")
        with self._home.operation():
            keys = list(self._home.new_gpg().scan_keys_mem(armored))
        if len(keys) != 1 or keys[0].get("type") != "pub":
            raise KeyNotAvailable(f"expected exactly one public key, found {len(keys)} key(s)")
        key = keys[0]
        if "E" not in str(key.get("cap", "")):
            raise KeyNotAvailable(f"key {key.get('fingerprint')} has no usable encryption key")
        return PublicKey(fingerprint=str(key["fingerprint"]), public_key=armored)

    def encrypt_for_case(self, recipients: Sequence[Recipient], source: Source, sink: Sink) -> None:
        """Encrypt ``source`` to every recipient, streaming the ciphertext into ``sink``.

        Binary OpenPGP, AES-256, no compression (documents are mostly compressed already,
        and zlib cuts throughput sevenfold), and an empty file name in the literal packet.
        Recipients are trusted because the caller names them, not through a web of trust;
        only their public keys enter the cache. Any recipient can decrypt the result.

        Raises ``EncryptionFailed`` (also when reading ``source`` fails); an exception from
        ``sink`` propagates unchanged. After any exception, discard what reached the sink:
        gpg may have finished a well-formed ciphertext of a truncated input.
        """
        if not recipients:
            raise ValueError("encrypt_for_case needs at least one recipient")
        fingerprints = [_check_fingerprint(recipient.fingerprint) for recipient in recipients]
        with self._home.operation() as keyring:
            self._ensure_public_keys(recipients)
            gpg = self._home.new_gpg()
            captured = _capture_results(gpg, keys_found=keyring)
            pump = _Pump(source, sink, keyring)
            gpg.on_data = pump.on_data
            failure: OSError | None = None
            try:
                gpg.encrypt_file(
                    pump,
                    fingerprints,
                    always_trust=True,
                    armor=False,
                    extra_args=["--compress-algo", "none", "--set-filename", ""],
                )
            except OSError as exc:
                failure = exc
            finally:
                pump.stop()
        outcome = _Outcome.of(captured[-1]) if captured else _Outcome(None, ())
        if outcome.returncode != 0:
            for fingerprint in fingerprints:
                self._note(fingerprint, secret=False, present=False)
        if outcome.returncode is not None and outcome.returncode < 0:
            # Before the pump's errors: a killed gpg breaks its pipes, which they only echo.
            raise EncryptionInterrupted(
                f"gpg was stopped by signal {-outcome.returncode} while encrypting to "
                f"{', '.join(fingerprints)}"
            )
        if pump.sink_error is not None:
            raise pump.sink_error
        if pump.source_error is not None:
            raise EncryptionFailed("reading the plaintext failed") from pump.source_error
        if failure is not None or outcome.returncode != 0 or not outcome.has("END_ENCRYPTION"):
            raise EncryptionFailed(
                f"gpg did not encrypt to {', '.join(fingerprints)}: {outcome.describe()}"
            ) from failure

    def decrypt_for_case(
        self, material: CaseKeyMaterial, secret: str, source: Source, sink: Sink
    ) -> None:
        """Decrypt ``source`` with the case key, streaming the plaintext into ``sink``.

        Imports the key from ``material`` if this cache lacks it. Raises ``DecryptionFailed``
        for a wrong or empty secret, a ciphertext not encrypted to this case key, or a
        failed integrity check; ``KeyNotAvailable`` if ``material`` is unusable. An exception
        from ``sink`` propagates unchanged.

        gpg checks integrity (the MDC) only at the end: for a tampered ciphertext, all of
        its corrupted plaintext has already reached ``sink`` when ``DecryptionFailed`` is
        raised. A streaming download must then abort the connection, never end the
        response normally, so the client cannot take the body for the document.
        """
        if not _check_secret(secret):
            raise DecryptionFailed(f"no usable secret given for case key {material.fingerprint}")
        with self._home.operation() as keyring:
            self._ensure_secret_key(material)
            gpg = self._home.new_gpg()
            captured = _capture_results(gpg, keys_found=keyring)
            pump = _Pump(source, sink, keyring)
            gpg.on_data = pump.on_data
            failure: OSError | None = None
            try:
                gpg.decrypt_file(pump, passphrase=secret)
            except OSError as exc:
                failure = exc
            finally:
                pump.stop()
        if pump.sink_error is not None:
            raise pump.sink_error
        outcome = _Outcome.of(captured[-1]) if captured else _Outcome(None, ())
        if outcome.returncode != 0:
            self._note(material.fingerprint, secret=True, present=False)
        _raise_unless_decrypted(outcome, material.fingerprint, failure or pump.source_error)

    def forget_case_key(self, fingerprint: str) -> None:
        """Remove the key (secret and public) from this cache; a no-op if it is not there.

        Raises ``KeyNotAvailable`` naming the fingerprint if gpg still lists it afterwards.
        """
        _check_fingerprint(fingerprint)
        self._note(fingerprint, secret=True, present=False)
        self._note(fingerprint, secret=False, present=False)
        with self._home.operation(), self._home.keyring_write():
            if self._has_key(fingerprint, secret=True):
                self._home.new_gpg().delete_keys(fingerprint, secret=True, expect_passphrase=False)
            if self._has_key(fingerprint, secret=False):
                self._home.new_gpg().delete_keys(fingerprint)
            (self._home.path / "openpgp-revocs.d" / f"{fingerprint}.rev").unlink(missing_ok=True)
            if self._has_key(fingerprint, secret=True) or self._has_key(fingerprint, secret=False):
                raise KeyNotAvailable(f"gpg did not delete key {fingerprint} from the cache")

    def cached_case_keys(self) -> dict[str, str]:
        """Fingerprint → case id of every case key this cache holds, secret or public part.

        Only case keys (``generate_case_key``'s user id): the portal's signing key and
        participants' public keys share the home and are never listed here.
        """
        with self._home.operation():
            listed = [
                *self._home.new_gpg().list_keys(secret=True),
                *self._home.new_gpg().list_keys(secret=False),
            ]
        cached: dict[str, str] = {}
        for key in listed:
            for user_id in key.get("uids", []):
                found = _CASE_KEY_USER_ID.search(str(user_id))
                if found is not None:
                    cached[str(key["fingerprint"])] = found.group(1)
        return cached

    def _has_key(self, fingerprint: str, *, secret: bool) -> bool:
        keys = self._home.new_gpg().list_keys(secret=secret, keys=[fingerprint])
        return any(key.get("fingerprint") == fingerprint for key in keys)

    def _ensure_public_keys(self, recipients: Sequence[Recipient]) -> None:
        for recipient in recipients:
            self._ensure(recipient.fingerprint, recipient.public_key, secret=False)

    def _ensure_secret_key(self, material: CaseKeyMaterial) -> None:
        self._ensure(material.fingerprint, material.protected_secret_key, secret=True)

    def _ensure(self, fingerprint: str, armored: str, *, secret: bool) -> None:
        with self._present_lock:
            if (fingerprint, secret) in self._present:
                return
        if not self._has_key(fingerprint, secret=secret):
            with self._home.keyring_write():
                if not self._has_key(fingerprint, secret=secret):
                    self._import(armored, fingerprint, secret=secret)
        self._note(fingerprint, secret=secret, present=True)

    def _note(self, fingerprint: str, *, secret: bool, present: bool) -> None:
        with self._present_lock:
            if present:
                self._present.add((fingerprint, secret))
            else:
                self._present.discard((fingerprint, secret))

    def _import(self, armored: str, fingerprint: str, *, secret: bool) -> None:
        # Look before importing: a blob holding other keys, or a secret key where a public
        # one is expected, must not enter the cache.
        expected_type = "sec" if secret else "pub"
        scanned = list(self._home.new_gpg().scan_keys_mem(armored))
        if [(key.get("type"), key.get("fingerprint")) for key in scanned] != [
            (expected_type, fingerprint)
        ]:
            raise KeyNotAvailable(
                f"key material for {fingerprint} does not hold exactly that "
                f"{'secret' if secret else 'public'} key"
            )
        result = self._home.new_gpg().import_keys(armored)
        if fingerprint not in result.fingerprints or not self._has_key(fingerprint, secret=secret):
            raise KeyNotAvailable(
                f"gpg did not import key {fingerprint}: {_Outcome.of(result).describe()}"
            )


def generate_key(
    home: GnuPGHome,
    *,
    secret: str,
    name_real: str,
    name_email: str,
    key_parameters: dict[str, str] | None = None,
) -> CaseKeyMaterial:
    """Create an ed25519 key (plus any subkey in ``key_parameters``) locked with ``secret``.

    The key stays in ``home``; its public and protected secret parts are returned. A
    transient refusal by gpg-agent is tried again (``_KEY_GENERATION_ATTEMPTS`` in all,
    each logged); nothing of a failed attempt is returned or kept.
    """
    for attempt in range(1, _KEY_GENERATION_ATTEMPTS + 1):
        try:
            return _generate_key_once(
                home,
                secret=secret,
                name_real=name_real,
                name_email=name_email,
                key_parameters=key_parameters or {},
            )
        except KeyGenerationFailed as exc:
            if attempt == _KEY_GENERATION_ATTEMPTS:
                raise
            _log.warning("key generation attempt %d failed, trying again: %s", attempt, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _generate_key_once(
    home: GnuPGHome,
    *,
    secret: str,
    name_real: str,
    name_email: str,
    key_parameters: dict[str, str],
) -> CaseKeyMaterial:
    with home.operation():
        # With the agent's passphrase cache off, gpg must be able to answer the agent's
        # request for the new primary key's passphrase (for the subkey binding
        # signature) itself; otherwise generation fails whenever the agent's
        # momentary cache entry has already expired. gpg reads --passphrase-fd at start,
        # before the parameters that follow on the same stdin.
        gpg = home.new_gpg()
        # Set after construction: GPG() itself runs gpg, which would wait for it.
        gpg.options = ["--passphrase-fd", "0"]
        parameters = gpg.gen_key_input(
            key_type="EDDSA",
            key_curve="ed25519",
            key_usage="sign",
            name_real=name_real,
            name_email=name_email,
            expire_date="0",
            passphrase=secret,
            **key_parameters,
        )
        # Exporting inside the lock too: a secret-key export racing another process's
        # keyring write was seen to report "nothing exported" with exit code 0.
        with home.keyring_write():
            result = gpg.gen_key(f"{secret}\n{parameters}")
            fingerprint = str(result.fingerprint or "")
            if not _FINGERPRINT.fullmatch(fingerprint):
                raise KeyGenerationFailed(
                    f"gpg created no key for {name_real}: {_Outcome.of(result).describe()}"
                )
            # The revocation certificate gpg leaves behind is signed by the new key and
            # would outlive its destruction; the portal destroys keys, never revokes them.
            revocation = home.path / "openpgp-revocs.d" / f"{fingerprint}.rev"
            revocation.unlink(missing_ok=True)
            public_key = str(home.new_gpg().export_keys(fingerprint))
            protected = str(home.new_gpg().export_keys(fingerprint, secret=True, passphrase=secret))
    if "BEGIN PGP PUBLIC KEY BLOCK" not in public_key:
        raise KeyGenerationFailed(f"gpg exported no public key for {fingerprint}")
    if "BEGIN PGP PRIVATE KEY BLOCK" not in protected:
        raise KeyGenerationFailed(f"gpg exported no secret key for {fingerprint}")
    return CaseKeyMaterial(
        fingerprint=fingerprint, public_key=public_key, protected_secret_key=protected
    )


def _raise_unless_decrypted(outcome: _Outcome, fingerprint: str, cause: Exception | None) -> None:
    used_keys = [value.split()[1] for value in outcome.values("DECRYPTION_KEY") if value.count(" ")]
    if outcome.has("BADMDC") or (outcome.has("DECRYPTION_OKAY") and not outcome.has("GOODMDC")):
        raise DecryptionFailed(
            f"integrity check failed for a ciphertext of case key {fingerprint}: "
            "it was altered or truncated"
        ) from cause
    if _GPG_ERR_BAD_PASSPHRASE in outcome.error_codes() or outcome.has("BAD_PASSPHRASE"):
        raise DecryptionFailed(f"wrong secret for case key {fingerprint}") from cause
    if outcome.has("NO_SECKEY") and not used_keys:
        raise DecryptionFailed(
            f"the ciphertext is not encrypted to case key {fingerprint}: {outcome.describe()}"
        ) from cause
    decrypted = (
        cause is None
        and outcome.returncode == 0
        and outcome.has("DECRYPTION_OKAY")
        and outcome.has("GOODMDC")
        and not outcome.has("DECRYPTION_FAILED")
    )
    if not decrypted:
        raise DecryptionFailed(
            f"gpg could not decrypt with case key {fingerprint}: {outcome.describe()}"
        ) from cause
    if used_keys != [fingerprint]:
        # Another case key in the cache opened it (the caller held that case's secret):
        # this function answers for one case only.
        raise DecryptionFailed(f"the ciphertext was not decrypted by case key {fingerprint}")
