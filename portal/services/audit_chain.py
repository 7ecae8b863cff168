"""Keeping the audit chain honest: signed checkpoints of its head, and verifying it all.

The portal signs the head of the chain with its own OpenPGP key at an interval
(``PORTAL_AUDIT_CHECKPOINT_SECONDS``) and on demand (``portal audit checkpoint``). A
checkpoint's statement, signature and the portal's public key can be exported and checked
with the ``gpg`` command line by anyone, without the portal. ``verify_log`` recomputes
every hash, checks every checkpoint, and reports the first break
(:func:`portal.domain.audit.verify_chain` decides; this module reads and checks signatures).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass

from crypto import CryptoError, MasterKey, SigningKeyMaterial, SigningKeys
from portal.db import audit_log as audit_log_db
from portal.db import signing_keys as signing_keys_db
from portal.db.audit_log import CheckpointRow
from portal.db.transactions import is_unique_violation, write_transaction
from portal.domain.audit_chain import (
    StoredCheckpoint,
    StoredRecord,
    Verdict,
    checkpoint_statement,
    verify_chain,
)
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound

log = logging.getLogger(__name__)

AUDIT_KEY_PURPOSE = "audit"
SIGNING_SECRET_PURPOSE = "audit-signing-key"  # noqa: S105 - a derivation label, not a secret
SIGNING_KEY_NAME = "RTO portal audit log"
VERIFY_BATCH = 10_000


@dataclass(frozen=True, kw_only=True)
class AuditSigner:
    """The portal's signing key service and the master key that unlocks the key."""

    keys: SigningKeys
    master_key: MasterKey

    @property
    def secret(self) -> str:
        return self.master_key.secret_for(SIGNING_SECRET_PURPOSE)


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    number: int
    seq: int
    head_hash: str
    statement: str
    signature: str
    key_fingerprint: str


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


async def sign_checkpoint(signer: AuditSigner, *, clock: Clock) -> Checkpoint | None:
    """Sign the current head of the chain; None if it is empty or already signed."""
    material = await portal_signing_key(signer, clock=clock)
    async with write_transaction():
        # No record is appended while the head is read and signed, and one checkpoint
        # at a time gets the next number.
        await audit_log_db.lock_audit_chain()
        head = await audit_log_db.audit_head()
        if head is None:
            return None
        last = await audit_log_db.last_audit_checkpoint()
        if last is not None and last.seq == head[0]:
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
        await audit_log_db.insert_audit_checkpoint(
            number=number,
            seq=seq,
            head_hash=head_hash,
            statement=statement,
            signature=signature,
            key_fingerprint=material.fingerprint,
            signed_at=signed_at,
        )
    return Checkpoint(
        number=number,
        seq=seq,
        head_hash=head_hash,
        statement=statement,
        signature=signature,
        key_fingerprint=material.fingerprint,
    )


async def checkpoint_periodically(signer: AuditSigner, *, interval: float, clock: Clock) -> None:
    """Sign the head every ``interval`` seconds until cancelled; failures are logged."""
    while True:
        await asyncio.sleep(interval)
        try:
            checkpoint = await sign_checkpoint(signer, clock=clock)
        except Exception:
            log.exception("signing an audit checkpoint failed; retrying in %s s", interval)
            continue
        if checkpoint is not None:
            log.info("audit checkpoint %s signed at record %s", checkpoint.number, checkpoint.seq)


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
    signer: AuditSigner, *, pinned_public_key: str | None = None, batch: int = VERIFY_BATCH
) -> Verdict:
    """Recompute the chain and check every checkpoint; the first break, if any.

    ``pinned_public_key`` is the portal's public key as exported earlier and kept apart:
    with it, an attacker who replaced the key in the database cannot re-sign a rewritten
    chain. Without it the stored key is trusted.
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
    checkpoints = []
    for row in await audit_log_db.audit_checkpoint_rows():
        valid = (
            public_key is not None
            and row.key_fingerprint == fingerprint
            and await asyncio.to_thread(
                signer.keys.verify_detached,
                public_key,
                fingerprint,
                row.statement.encode(),
                row.signature,
            )
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

    return await asyncio.to_thread(verify_chain, records(), checkpoints)
