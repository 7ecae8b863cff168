"""Keeping the audit chain honest: signed checkpoints of its head, and verifying it all.

The portal signs the head of the chain with its own OpenPGP key every
``PORTAL_AUDIT_CHECKPOINT_RECORDS`` records or ``PORTAL_AUDIT_CHECKPOINT_SECONDS``
seconds, whichever comes first (:class:`Checkpointer`), and on demand (``portal audit
checkpoint``). Each checkpoint is stored in the database and copied to a write-once
store outside it (:class:`WormCopies`): someone who can delete records and checkpoints
in the database cannot take the copies back, so a cut-off tail shows. What can still be
deleted unnoticed is what came after the newest copy: at most that many records or
seconds.

A checkpoint's statement, signature and the portal's public key can be exported and
checked with the ``gpg`` command line by anyone, without the portal. ``verify_log``
recomputes every hash, checks every checkpoint and every write-once copy, and reports the
first break (:func:`portal.domain.audit_chain.verify_chain` decides; this module reads
and checks signatures).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import timedelta

from crypto import CryptoError, MasterKey, SigningKeyMaterial, SigningKeys
from portal.db import audit_log as audit_log_db
from portal.db import signing_keys as signing_keys_db
from portal.db.audit_log import CheckpointRow
from portal.db.transactions import is_unique_violation
from portal.domain.audit_chain import (
    StoredCheckpoint,
    StoredRecord,
    Verdict,
    WormCheckpoint,
    checkpoint_statement,
    verify_chain,
)
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound
from storage import LockedVersion, ObjectExists, StorageError, WormStore

log = logging.getLogger(__name__)

AUDIT_KEY_PURPOSE = "audit"
SIGNING_SECRET_PURPOSE = "audit-signing-key"  # noqa: S105 - a derivation label, not a secret
SIGNING_KEY_NAME = "RTO portal audit log"
VERIFY_BATCH = 10_000
WORM_PREFIX = "checkpoints/"


@dataclass(frozen=True, kw_only=True)
class AuditSigner:
    """The portal's signing key service and the master key that unlocks the key."""

    keys: SigningKeys
    master_key: MasterKey

    @property
    def secret(self) -> str:
        return self.master_key.secret_for(SIGNING_SECRET_PURPOSE)


@dataclass(frozen=True, kw_only=True)
class WormCopies:
    """Where checkpoints are copied outside the database, and how long each is locked."""

    store: WormStore
    retain_for: timedelta


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    number: int
    seq: int
    head_hash: str
    statement: str
    signature: str
    key_fingerprint: str
    worm_key: str | None = None
    """The key of its write-once copy, once that copy is known to be stored."""


@dataclass(frozen=True, kw_only=True)
class CheckpointExport:
    """What an outsider needs to check one checkpoint with ``gpg --verify``."""

    checkpoint: Checkpoint
    public_key: str


async def portal_signing_key(signer: AuditSigner, *, clock: Clock) -> SigningKeyMaterial:
    """The portal's audit signing key, generated and stored on first use."""
    material = await signing_keys_db.signing_key(AUDIT_KEY_PURPOSE)
    if material is not None:
        return material
    generated = await asyncio.to_thread(
        signer.keys.generate_signing_key, SIGNING_KEY_NAME, secret=signer.secret
    )
    try:
        await signing_keys_db.insert_signing_key(
            purpose=AUDIT_KEY_PURPOSE, material=generated, now=clock()
        )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # Another app process stored its key first: one key, so use that one.
        stored = await signing_keys_db.signing_key(AUDIT_KEY_PURPOSE)
        if stored is None:  # pragma: no cover - the row that won the race is there
            raise
        return stored
    log.info("generated the portal's audit signing key %s", generated.fingerprint)
    return generated


async def sign_checkpoint(
    signer: AuditSigner, *, clock: Clock, worm: WormCopies | None = None
) -> Checkpoint | None:
    """Sign the current head of the chain; None if it is empty or already signed.

    Appends go on while gpg signs: no lock is held. The newest checkpoint is read before
    the head, so the head is never behind it and number ``last + 1`` at that head keeps
    the numbers in chain order. Of several processes signing at once, the database lets
    one store each number (primary key) and each record (unique index); the others get
    None, as if the head had been signed already, which it has.
    """
    material = await portal_signing_key(signer, clock=clock)
    last = await audit_log_db.last_audit_checkpoint()
    head = await audit_log_db.audit_head()
    if head is None or (last is not None and last.seq >= head[0]):
        return None
    seq, head_hash = head
    number = 1 if last is None else last.number + 1
    signed_at = clock()
    statement = checkpoint_statement(
        number=number,
        seq=seq,
        head_hash=head_hash,
        signed_at=signed_at,
        key_fingerprint=material.fingerprint,
    )
    signature = await asyncio.to_thread(
        signer.keys.sign_detached, material, signer.secret, statement.encode()
    )
    try:
        await audit_log_db.insert_audit_checkpoint(
            number=number,
            seq=seq,
            head_hash=head_hash,
            statement=statement,
            signature=signature,
            key_fingerprint=material.fingerprint,
            signed_at=signed_at,
        )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        return None
    checkpoint = Checkpoint(
        number=number,
        seq=seq,
        head_hash=head_hash,
        statement=statement,
        signature=signature,
        key_fingerprint=material.fingerprint,
    )
    if worm is None or not await copy_to_worm(worm, checkpoint, clock=clock):
        return checkpoint
    return replace(checkpoint, worm_key=worm_key(number))


def worm_key(number: int) -> str:
    return f"{WORM_PREFIX}{number:012d}"


def worm_document(checkpoint: Checkpoint) -> bytes:
    """The write-once copy: the signed statement and its detached signature, nothing else
    (number, record and head are read from the statement, which the signature covers)."""
    return json.dumps(
        {"statement": checkpoint.statement, "signature": checkpoint.signature},
        sort_keys=True,
        indent=1,
    ).encode()


async def copy_to_worm(worm: WormCopies, checkpoint: Checkpoint, *, clock: Clock) -> bool:
    """Store the checkpoint's write-once copy; whether it is there now. Never raises.

    A failed copy leaves the checkpoint in the database only: it is logged, retried by
    the :class:`Checkpointer`, and ``portal audit verify`` lists it.
    """
    key = worm_key(checkpoint.number)
    document = worm_document(checkpoint)
    try:
        await asyncio.to_thread(
            worm.store.put_locked, key, document, retain_until=clock() + worm.retain_for
        )
    except ObjectExists:
        taken = True
    except StorageError:
        log.exception(
            "copying audit checkpoint %s to the WORM store failed; retried later",
            checkpoint.number,
        )
        return False
    else:
        taken = False
    if not taken or await _holds(worm.store, key, document):
        return True  # stored now, or copied before by this process or another
    # The number was used for another checkpoint before: the database's checkpoints were
    # set back under a copy that can no longer be changed.
    log.error(
        "the WORM store holds another checkpoint %s than the database: the database's "
        "checkpoints were rolled back or rewritten; run `portal audit verify`",
        checkpoint.number,
    )
    return False


async def _holds(store: WormStore, key: str, document: bytes) -> bool:
    try:
        versions = await asyncio.to_thread(lambda: list(store.versions(key)))
        for version in versions:
            if version.key == key and await asyncio.to_thread(store.read, version) == document:
                return True
    except StorageError:
        log.exception("reading the WORM copy %s failed", key)
    return False


async def copy_latest_to_worm(worm: WormCopies, *, clock: Clock) -> None:
    """Copy the newest checkpoint if its write-once copy is missing (a failed copy)."""
    row = await audit_log_db.last_audit_checkpoint()
    if row is None:
        return
    key = worm_key(row.number)
    try:
        present = await asyncio.to_thread(
            lambda: any(v.key == key for v in worm.store.versions(key))
        )
    except StorageError:
        log.exception("listing the WORM store failed; retried later")
        return
    if not present:
        await copy_to_worm(worm, _checkpoint(row), clock=clock)


class Checkpointer:
    """Signs the chain head every ``every_records`` records or ``every_seconds`` seconds,
    whichever comes first, in each app process.

    The record count is the chain's own: the process that appends record 100, 200, ...
    (whichever process that is) signs next, without waiting for the timer; the timer
    covers quiet periods and a process that died before signing. :meth:`appended` is all
    an append costs: the signing runs in :meth:`run`, beside the requests.
    """

    def __init__(
        self,
        signer: AuditSigner,
        *,
        worm: WormCopies | None,
        every_records: int,
        every_seconds: float,
        clock: Clock,
    ) -> None:
        if every_records < 1 or every_seconds <= 0:
            raise ValueError("checkpoints need a positive record count and interval")
        self._signer = signer
        self._worm = worm
        self._every_records = every_records
        self._every_seconds = every_seconds
        self._clock = clock
        self._due = asyncio.Event()
        self._stopping = False

    @property
    def worm(self) -> WormCopies | None:
        return self._worm

    def appended(self, seq: int) -> None:
        """Called on the event loop with the sequence number of each record appended."""
        if seq % self._every_records == 0:
            self._due.set()

    async def run(self) -> None:
        """Sign whenever due, until :meth:`stop`; failures are logged, never raised."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due.wait(), timeout=self._every_seconds)
            self._due.clear()
            if not self._stopping:
                await self.sign_now()

    def stop(self) -> None:
        """Let :meth:`run` return once a signature under way is stored.

        Cancelling instead would leave gpg signing in a worker thread while the database
        and the GnuPG home are shut down under it.
        """
        self._stopping = True
        self._due.set()

    async def sign_now(self) -> Checkpoint | None:
        try:
            checkpoint = await sign_checkpoint(self._signer, clock=self._clock, worm=self._worm)
            if self._worm is not None and (checkpoint is None or checkpoint.worm_key is None):
                await copy_latest_to_worm(self._worm, clock=self._clock)
        except Exception:
            log.exception("signing an audit checkpoint failed; retrying when next due")
            return None
        if checkpoint is not None:
            log.info("audit checkpoint %s signed at record %s", checkpoint.number, checkpoint.seq)
        return checkpoint


async def export_checkpoint(number: int | None = None) -> CheckpointExport:
    """A checkpoint (the latest if ``number`` is None) with the portal's public key."""
    row = (
        await audit_log_db.last_audit_checkpoint()
        if number is None
        else await audit_log_db.audit_checkpoint(number)
    )
    if row is None:
        raise NotFound("no such audit checkpoint" if number else "no audit checkpoint yet")
    material = await signing_keys_db.signing_key(AUDIT_KEY_PURPOSE)
    if material is None or material.fingerprint != row.key_fingerprint:
        raise Conflict(f"the key that signed checkpoint {row.number} is not stored")
    return CheckpointExport(checkpoint=_checkpoint(row), public_key=material.public_key)


def _checkpoint(row: CheckpointRow) -> Checkpoint:
    return Checkpoint(
        number=row.number,
        seq=row.seq,
        head_hash=row.head_hash,
        statement=row.statement,
        signature=row.signature,
        key_fingerprint=row.key_fingerprint,
    )


async def verify_log(
    signer: AuditSigner,
    *,
    worm: WormStore | None = None,
    pinned_public_key: str | None = None,
    batch: int = VERIFY_BATCH,
) -> Verdict:
    """Recompute the chain, check every checkpoint and write-once copy; the first break.

    ``pinned_public_key`` is the portal's public key as exported earlier and kept apart:
    with it, an attacker who replaced the key in the database cannot re-sign a rewritten
    chain. Without it the stored key is trusted. ``worm`` is the write-once store the
    checkpoints are copied to; None checks the database alone.
    """
    stored_key = await signing_keys_db.signing_key(AUDIT_KEY_PURPOSE)
    if pinned_public_key is not None:
        try:
            fingerprint = await asyncio.to_thread(signer.keys.check_public_key, pinned_public_key)
        except CryptoError as exc:
            raise InvalidInput(f"the pinned public key is not usable: {exc}") from exc
        public_key: str | None = pinned_public_key
    else:
        fingerprint = stored_key.fingerprint if stored_key else ""
        public_key = stored_key.public_key if stored_key else None
    verified: dict[tuple[str, str], bool] = {}

    async def signed_by_portal(statement: str, signature: str) -> bool:
        # A checkpoint and its write-once copy carry the same signature: check it once.
        if (statement, signature) not in verified:
            verified[statement, signature] = public_key is not None and await asyncio.to_thread(
                signer.keys.verify_detached,
                public_key,
                fingerprint,
                statement.encode(),
                signature,
            )
        return verified[statement, signature]

    checkpoints = []
    for row in await audit_log_db.audit_checkpoint_rows():
        valid = row.key_fingerprint == fingerprint and await signed_by_portal(
            row.statement, row.signature
        )
        checkpoints.append(
            StoredCheckpoint(
                number=row.number,
                seq=row.seq,
                head_hash=row.head_hash,
                statement=row.statement,
                signature_valid=valid,
            )
        )
    copies = None
    if worm is not None:
        copies = []
        for version, document in await asyncio.to_thread(_read_worm_copies, worm):
            statement, signature = _worm_parts(document)
            copies.append(
                WormCheckpoint(
                    where=f"{version.key}@{version.version_id}"
                    if version.version_id
                    else version.key,
                    statement=statement,
                    signature_valid=await signed_by_portal(statement, signature),
                )
            )
    loop = asyncio.get_running_loop()

    def fetch(after: int) -> Future[list[StoredRecord]]:
        return asyncio.run_coroutine_threadsafe(audit_log_db.audit_rows_after(after, batch), loop)

    def records() -> Iterator[StoredRecord]:
        # Runs in a worker thread: the next batch is read on the event loop while this
        # thread hashes the current one.
        pending: Future[list[StoredRecord]] | None = fetch(0)
        while pending is not None:
            rows = pending.result()
            pending = fetch(rows[-1].seq) if len(rows) == batch else None
            yield from rows

    return await asyncio.to_thread(verify_chain, records(), checkpoints, copies)


def _read_worm_copies(store: WormStore) -> list[tuple[LockedVersion, bytes]]:
    # Every version, not just the newest: a newer one put over a copy must not hide it.
    return [(version, store.read(version)) for version in store.versions(WORM_PREFIX)]


def _worm_parts(document: bytes) -> tuple[str, str]:
    """Statement and signature of a copy; an unreadable copy yields parts that never verify."""
    try:
        parsed = json.loads(document)
        statement, signature = parsed["statement"], parsed["signature"]
    except (ValueError, TypeError, KeyError):
        return "", ""
    if not isinstance(statement, str) or not isinstance(signature, str):
        return "", ""
    return statement, signature
