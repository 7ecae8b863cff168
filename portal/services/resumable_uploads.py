"""Resumable uploads (tus 1.0.0): the same document as a direct upload, sent in pieces.

A resumable upload is admitted at creation by exactly the checks of the direct upload
(``uploads.admit_upload``: the case, the uploader's part in it and phase, restrictions,
consent, file name, and the size limit), before a byte is sent. Its bytes then arrive over
one or many PATCH requests, possibly from different app processes:

- **Never plaintext at rest.** What a PATCH receives is cut into records of at most
  ``RECORD_BYTES``, each sealed with AES-256-GCM under the upload's own data key (random
  nonce, the upload id and the record's offset as associated data: ``crypto.sealed_records``)
  and stored as its own object under ``uploads/<upload id>/``. The data key is kept
  wrapped, in the database, with a key derived from the master key.
- **One writer.** A PATCH takes the upload's lease with a compare-and-set (no database
  connection is held while the body streams), and each record is committed, with the
  offset advanced past it, in one transaction that checks the lease and the offset again.
  A second writer gets 423 (or 409 once the offset moved); a writer that lost its lease
  commits nothing, and its objects are orphans under the prefix, swept with the stage.
- **A dropped client keeps what arrived**: the records received until the body broke off
  (or went idle for ``upload_idle_seconds``) are committed; the client resumes at HEAD's
  offset.
- **Finalising** starts in the transaction that commits the last record, which also makes
  that PATCH's lease the claim of the finalisation job. The PATCH finishes it inline; if
  that process dies, the claim lapses and any process's periodic pass (or ``portal
  retention sweep``'s) takes the job over. It re-checks the rules, opens the records in
  order, and pipes them through ``uploads.store_document``: sniffing, the size limit,
  SHA-256, gpg to the case key, the object store, the document row and its record, the
  very path of the direct upload. The document and the upload's ``done`` commit together.
  Then the stage is deleted. A refused file (type, size, rules) leaves no object and no
  row, and its refusal is on record.
- **Stale uploads expire** after ``upload_expiry_seconds`` without a byte:
  :func:`sweep_expired_uploads` deletes their row (and with it the data key) first, then
  the stage objects, and any object under ``uploads/`` that no live upload owns.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crypto import new_data_key, open_record, seal_record, unwrap_data_key, wrap_data_key
from portal.db import cases as cases_db
from portal.db import partijen as partijen_db
from portal.db import resumable_uploads as uploads_db
from portal.db.resumable_uploads import PartRow, UploadRow
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Phase, Purpose
from portal.domain.documents import ConsentId, DataCategory, Document, LegalBasis, Restrictions
from portal.domain.intake import MediaTypeRefused, check_media_type
from portal.domain.partijen import UserId
from portal.domain.resumable import UploadStatus, expiry_after, stage_problem
from portal.services.audit import AuditLog, Recording, RequestContext
from portal.services.clock import Clock
from portal.services.errors import (
    AuditUnavailable,
    Conflict,
    InvalidInput,
    Locked,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    TimedOut,
    UnsupportedMediaType,
)
from portal.services.uploads import Upload, admit_upload, store_document
from portal.services.vault import READ_CHUNK, Vault
from storage import ObjectStore, StorageError

log = logging.getLogger(__name__)

RECORD_BYTES = 4 * 1024 * 1024
"""The largest sealed record: memory per PATCH in flight, and one object per record."""
STAGE_PREFIX = "uploads/"
WRAPPING_KEY_PURPOSE = "upload-staging"
"""The master key's derivation (``MasterKey.key_for``) that wraps the uploads' data keys."""
MAX_FINALISE_ATTEMPTS = 3
"""A stage that failed to finalise this often for reasons other than a refusal (store or
gpg down) is given up, recorded, and removed."""


@dataclass(frozen=True, kw_only=True)
class ResumableConfig:
    """The resumable uploads' timing, from the settings (``PORTAL_UPLOAD_*``)."""

    expiry: timedelta
    idle_seconds: float
    finalise_claim: timedelta
    vog_max_age_days: int | None = None

    @property
    def lease(self) -> timedelta:
        """A writer's lease: outlives one idle wait, so a live writer never loses it."""
        return timedelta(seconds=2 * self.idle_seconds + 30)


@dataclass(frozen=True, kw_only=True)
class Creation:
    """A tus creation request as the client described it, before anything was checked."""

    case_id: uuid.UUID
    upload: Upload
    length: int


@dataclass(frozen=True, kw_only=True)
class UploadState:
    """What HEAD and the status call tell the uploader."""

    id: uuid.UUID
    case_id: uuid.UUID
    length: int
    offset: int
    status: UploadStatus
    document_id: uuid.UUID | None
    outcome: str | None
    expires_at: datetime


def _state(row: UploadRow) -> UploadState:
    return UploadState(
        id=row.id,
        case_id=row.case_id,
        length=row.length,
        offset=row.received,
        status=row.status,
        document_id=row.document_id,
        outcome=row.outcome,
        expires_at=row.expires_at,
    )


def _upload_json(upload: Upload) -> dict[str, Any]:
    restrictions = upload.restrictions
    return {
        "phase": upload.phase.value,
        "purposes": sorted(p.value for p in restrictions.purposes),
        "data_categories": sorted(c.value for c in restrictions.data_categories),
        "legal_basis": restrictions.legal_basis.value,
        "consent_id": str(restrictions.consent_id) if restrictions.consent_id else None,
        "description": upload.description,
        "file_name": upload.file_name,
        "declared_type": upload.declared_type,
    }


def _upload_from_json(data: dict[str, Any]) -> Upload:
    consent = data["consent_id"]
    return Upload(
        phase=Phase(data["phase"]),
        restrictions=Restrictions(
            purposes=frozenset(Purpose(p) for p in data["purposes"]),
            data_categories=frozenset(DataCategory(c) for c in data["data_categories"]),
            legal_basis=LegalBasis(data["legal_basis"]),
            consent_id=ConsentId(uuid.UUID(consent)) if consent else None,
        ),
        description=data["description"],
        file_name=data["file_name"],
        declared_type=data["declared_type"],
    )


def _wrapping_key(vault: Vault) -> bytes:
    return vault.master_key.key_for(WRAPPING_KEY_PURPOSE)


async def _recording(
    context: RequestContext, audit: AuditLog, case_id: uuid.UUID | None, *, at: datetime
) -> Recording:
    case = await cases_db.case_by_id(case_id) if case_id else None
    return audit.about(context, at=at, case=case) if case else audit.about(context, at=at)


# Creation --------------------------------------------------------------------------------


async def create_upload(
    context: RequestContext,
    *,
    read_creation: Callable[[], Creation],
    case_hint: uuid.UUID | None,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
    config: ResumableConfig,
) -> UploadState:
    """Admit a resumable upload, or refuse it on record, before any of its bytes is sent.

    ``read_creation`` parses the request (InvalidInput for malformed headers);
    ``case_hint`` is the case it names, if that much could be read, for the record.
    """
    started = clock()
    try:
        creation = read_creation()
    except InvalidInput as exc:
        await (await _recording(context, audit, case_hint, at=started)).deny(
            Action.DOCUMENT_UPLOAD_DENIED, str(exc)
        )
        raise
    case, decision, file_name = await admit_upload(
        context, creation.case_id, creation.upload, audit, at=started
    )
    record = audit.about(context, at=started, case=case)
    declared = creation.upload.declared_type or ""
    try:
        # What can be known before the bytes: the declared type is one the portal takes
        # and the name's extension goes by it. The bytes must agree at finalisation.
        check_media_type(sniffed=declared, declared=declared, file_name=file_name)
    except MediaTypeRefused as exc:
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, str(exc))
        raise UnsupportedMediaType(str(exc)) from exc
    if creation.length > vault.max_upload_bytes:
        reason = f"the document is larger than the limit of {vault.max_upload_bytes} bytes"
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, f"Upload-Length: {reason}")
        raise PayloadTooLarge(reason)
    upload_id = uuid.uuid4()
    wrapped = wrap_data_key(_wrapping_key(vault), upload_id=str(upload_id), data_key=new_data_key())
    expires_at = expiry_after(started, ttl=config.expiry)
    async with write_transaction():
        await uploads_db.insert_upload(
            upload_id=upload_id,
            case_id=case.id,
            uploaded_by=context.actor.user_id,
            upload=_upload_json(creation.upload),
            length=creation.length,
            wrapped_key=wrapped.hex(),
            trace_id=context.trace_id,
            now=started,
            expires_at=expires_at,
        )
        await record.succeed(
            Action.UPLOAD_CREATE,
            f"{decision.reason}; upload {upload_id} of {creation.length} bytes",
            ended_at=clock(),
        )
    return UploadState(
        id=upload_id,
        case_id=case.id,
        length=creation.length,
        offset=0,
        status=UploadStatus.PENDING,
        document_id=None,
        outcome=None,
        expires_at=expires_at,
    )


async def _own_upload(
    context: RequestContext, upload_id: uuid.UUID, audit: AuditLog, *, at: datetime, what: str
) -> UploadRow:
    """The caller's own upload; anyone else's is not found for them, and that is on record."""
    row = await uploads_db.upload_by_id(upload_id)
    if row is None:
        raise NotFound(f"no upload {upload_id}")
    decision = access.may_resume_upload(
        context.actor, uploaded_by=UserId(row.uploaded_by), what=what
    )
    if not decision.allowed:
        record = await _recording(context, audit, row.case_id, at=at)
        raise await record.hide(Action.UPLOAD_ACCESS_DENIED, decision, f"upload {upload_id}")
    if row.status is UploadStatus.PENDING and row.expires_at <= at:
        raise NotFound(f"upload {upload_id} expired; start it again")
    return row


async def upload_state(
    context: RequestContext, upload_id: uuid.UUID, *, audit: AuditLog, clock: Clock
) -> UploadState:
    """The upload's offset and status, for its uploader only."""
    return _state(await _own_upload(context, upload_id, audit, at=clock(), what="status"))


# Receiving -------------------------------------------------------------------------------


def _seal_and_store(
    *, store: ObjectStore, key: str, data_key: bytes, upload_id: str, offset: int, plaintext: bytes
) -> None:
    sealed = seal_record(data_key, upload_id=upload_id, offset=offset, plaintext=plaintext)
    store.put(key, io.BytesIO(sealed))


def _stage_key(upload_id: uuid.UUID, start: int) -> str:
    # A random tail: a writer that lost its lease must never overwrite the object of the
    # part its successor committed at the same offset.
    return f"{STAGE_PREFIX}{upload_id}/{start:016d}-{secrets.token_hex(8)}"


@dataclass
class _Writer:
    """One PATCH's hold on an upload: its lease token and the records it commits."""

    row: UploadRow
    token: str
    data_key: bytes
    vault: Vault
    clock: Clock
    config: ResumableConfig
    offset: int
    renewed_at: datetime
    complete: bool = False

    async def commit(self, plaintext: bytes) -> None:
        start, size = self.offset, len(plaintext)
        key = _stage_key(self.row.id, start)
        await asyncio.to_thread(
            functools.partial(
                _seal_and_store,
                store=self.vault.store,
                key=key,
                data_key=self.data_key,
                upload_id=str(self.row.id),
                offset=start,
                plaintext=plaintext,
            )
        )
        now = self.clock()
        complete = start + size == self.row.length
        committed = await uploads_db.commit_part(
            self.row.id,
            token=self.token,
            start=start,
            size=size,
            object_key=key,
            complete=complete,
            until=now + (self.config.finalise_claim if complete else self.config.lease),
            expires_at=expiry_after(now, ttl=self.config.expiry),
        )
        if not committed:
            await asyncio.to_thread(_delete_quietly, self.vault.store, key)
            raise Locked("another request took this upload over; ask HEAD for its offset")
        self.offset, self.renewed_at, self.complete = start + size, now, complete

    async def keep_lease(self) -> None:
        now = self.clock()
        if now - self.renewed_at < self.config.lease / 3:
            return
        if not await uploads_db.renew_lease(
            self.row.id, token=self.token, until=now + self.config.lease
        ):
            raise Locked("another request took this upload over; ask HEAD for its offset")
        self.renewed_at = now


async def receive(
    context: RequestContext,
    upload_id: uuid.UUID,
    *,
    offset: int,
    content_length: int | None,
    body: AsyncIterator[bytes],
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
    config: ResumableConfig,
) -> UploadState:
    """Take a PATCH's bytes at ``offset`` into the stage; finalise once the last is in.

    Raises Conflict (409) for a wrong offset or an upload no longer receiving, Locked (423)
    while another request writes it, PayloadTooLarge (413) for bytes past Upload-Length,
    TimedOut (408) for a body that went idle, and a finalisation's refusal (415, 413, 403...)
    when the last byte completed a file that is refused.
    """
    now = clock()
    row = await _own_upload(context, upload_id, audit, at=now, what="PATCH")
    if row.status is not UploadStatus.PENDING:
        raise Conflict(f"upload {upload_id} has all its bytes; it takes no more")
    if offset != row.received:
        raise Conflict(f"Upload-Offset {offset} is not the upload's offset {row.received}")
    remaining = row.length - row.received
    if content_length is not None and content_length > remaining:
        raise PayloadTooLarge(f"the body is longer than the {remaining} bytes still to come")
    token = secrets.token_hex(16)
    if not await uploads_db.take_lease(
        upload_id, offset=offset, token=token, until=now + config.lease, now=now
    ):
        fresh = await uploads_db.upload_by_id(upload_id)
        if fresh is None:
            raise NotFound(f"no upload {upload_id}")
        if fresh.received != offset or fresh.status is not UploadStatus.PENDING:
            raise Conflict(f"Upload-Offset {offset} is not the upload's offset {fresh.received}")
        raise Locked(f"another request is writing upload {upload_id}; try again shortly")
    writer = _Writer(
        row=row,
        token=token,
        data_key=unwrap_data_key(
            _wrapping_key(vault),
            upload_id=str(upload_id),
            wrapped=bytes.fromhex(row.wrapped_key or ""),
        ),
        vault=vault,
        clock=clock,
        config=config,
        offset=offset,
        renewed_at=now,
    )
    try:
        await _take_body(writer, body, remaining=remaining, idle_seconds=config.idle_seconds)
    finally:
        if not writer.complete:
            await uploads_db.release_lease(upload_id, token=token)
    if writer.complete:
        refusal = await finalise(
            upload_id, token=token, vault=vault, audit=audit, clock=clock, config=config
        )
        if refusal is not None:
            raise refusal
    return _state(await uploads_db.upload_by_id(upload_id) or row)


class BodyBrokenOff(InvalidInput):
    """The request body ended before its end (the client went away); what came is kept."""


async def _next_chunk(
    chunks: AsyncIterator[bytes], idle_seconds: float
) -> tuple[bytes | None, BaseException | None]:
    """The body's next bytes; None at its end, with the reason if it broke off or went idle."""
    try:
        return await asyncio.wait_for(anext(chunks), timeout=idle_seconds), None
    except StopAsyncIteration:
        return None, None
    except TimeoutError:
        return None, TimedOut(f"no bytes for {idle_seconds:g} s; what arrived is kept")
    except Exception as exc:  # noqa: BLE001 - whatever broke the body, what came is kept
        return None, exc


async def _take_body(
    writer: _Writer, body: AsyncIterator[bytes], *, remaining: int, idle_seconds: float
) -> None:
    """Read the body into records and commit each; on a break, commit what arrived.

    One record is stored while the next one arrives (never more: the commits must land in
    order, and memory stays at about two records per PATCH).
    """
    buffer = bytearray()
    taken = 0
    chunks = aiter(body)
    broken: BaseException | None = None
    storing: asyncio.Task[None] | None = None
    try:
        while True:
            chunk, broken = await _next_chunk(chunks, idle_seconds)
            if chunk is None:
                break
            taken += len(chunk)
            if taken > remaining:
                # Past Upload-Length: this body is not the file's rest. The records committed
                # so far stay; the client may resume from HEAD's offset.
                raise PayloadTooLarge(
                    f"the body is longer than the {remaining} bytes still to come"
                )
            buffer += chunk
            while len(buffer) >= RECORD_BYTES:
                record = bytes(buffer[:RECORD_BYTES])
                del buffer[:RECORD_BYTES]
                if storing is not None:
                    await storing
                storing = asyncio.create_task(writer.commit(record))
            await writer.keep_lease()
        if storing is not None:
            task, storing = storing, None
            await task
        if buffer:
            await writer.commit(bytes(buffer))
    finally:
        if storing is not None:
            # A refusal is on its way out: the record already stored still counts.
            with contextlib.suppress(Exception):
                await storing
    if broken is not None:
        if isinstance(broken, ServiceError):
            raise broken
        raise BodyBrokenOff("the request body broke off; what arrived is kept") from broken


# Finalising ------------------------------------------------------------------------------


def _open_part(store: ObjectStore, part: PartRow, data_key: bytes, upload_id: uuid.UUID) -> bytes:
    with store.open(part.object_key) as stream:
        sealed = stream.read()
    return open_record(data_key, upload_id=str(upload_id), offset=part.part.start, sealed=sealed)


async def _stage_plaintext(
    upload_id: uuid.UUID, parts: list[PartRow], data_key: bytes, store: ObjectStore
) -> AsyncIterator[bytes]:
    """The file again, record by record, in order; each record checked against its place.

    The next record is fetched and opened while this one flows on to gpg.
    """

    def fetch(part: PartRow) -> asyncio.Task[bytes]:
        return asyncio.create_task(asyncio.to_thread(_open_part, store, part, data_key, upload_id))

    ahead = fetch(parts[0]) if parts else None
    try:
        for index, part in enumerate(parts):
            if ahead is None:  # pragma: no cover - set for every part by the line below
                break
            plaintext = await ahead
            ahead = fetch(parts[index + 1]) if index + 1 < len(parts) else None
            if len(plaintext) != part.part.size:
                raise Conflict(f"the stage's record at {part.part.start} is not the size recorded")
            view = memoryview(plaintext)
            for at in range(0, len(view), READ_CHUNK):
                yield bytes(view[at : at + READ_CHUNK])
    finally:
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead


async def finalise(
    upload_id: uuid.UUID,
    *,
    token: str,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
    config: ResumableConfig,
) -> ServiceError | None:
    """Turn a claimed, complete stage into a document (the direct upload's path), or refuse it.

    Returns the refusal (already on record, the stage gone), or None when the document was
    stored, or when the job is left for a later attempt (a failure that is not the file's
    fault: the store or gpg unreachable).
    """
    row = await uploads_db.upload_by_id(upload_id)
    if row is None or row.lease_token != token or row.status is not UploadStatus.FINALISING:
        return None
    started = clock()
    actor = await partijen_db.actor_by_user_id(
        row.uploaded_by, now=started, vog_max_age_days=config.vog_max_age_days
    )
    ending = _Ending(row=row, token=token, vault=vault, clock=clock, config=config)
    if actor is None:  # pragma: no cover - the upload row goes with its user (cascade)
        await ending.refuse("the uploader is gone")
        return NotFound("the uploader is gone")
    # The uploader's request is long gone: the records carry the trace of the creation.
    context = RequestContext(actor=actor, trace_id=row.trace_id, span_id=secrets.token_hex(8))
    try:
        await _store_stage(row, context, ending, audit=audit, at=started)
    except (AuditUnavailable, Locked):
        # Not the file's fault: the job stays claimed until its claim lapses, then retried.
        log.warning("finalising upload %s did not finish; it will be retried", upload_id)
    except ServiceError as refusal:
        await ending.refuse(str(refusal))
        return refusal
    except Exception:
        log.exception("finalising upload %s failed (attempt %s)", upload_id, row.attempts)
        if row.attempts >= MAX_FINALISE_ATTEMPTS:
            reason = f"could not be finalised after {MAX_FINALISE_ATTEMPTS} attempts"
            await (await _recording(context, audit, row.case_id, at=started)).fail(
                Action.DOCUMENT_UPLOAD_FAILED, f"upload {upload_id} {reason}"
            )
            await ending.refuse(reason)
            return Conflict(f"the upload {reason}; send the file again")
        # The claim stays until it lapses: the next attempt comes a claim's length later,
        # from whichever process polls first, not at once in a loop.
    return None


@dataclass(frozen=True, kw_only=True)
class _Ending:
    """How a claimed finalisation ends: done with its document, or refused."""

    row: UploadRow
    token: str
    vault: Vault
    clock: Clock
    config: ResumableConfig

    async def done(self, document: Document) -> None:
        """Joins the document's transaction: the two commit together, or neither does."""
        if not await uploads_db.finish(
            self.row.id,
            token=self.token,
            status=UploadStatus.DONE,
            document_id=document.id,
            outcome=f"stored as document {document.id}",
            expires_at=expiry_after(self.clock(), ttl=self.config.expiry),
        ):
            raise Locked(f"another process took the finalisation of {self.row.id} over")

    async def refuse(self, reason: str) -> None:
        """Forget the data key and the parts, keep the reason for the client, drop the
        stage; only while the claim is still this one's, for a process that took the job
        over is working on that stage."""
        if await uploads_db.finish(
            self.row.id,
            token=self.token,
            status=UploadStatus.REFUSED,
            document_id=None,
            outcome=reason,
            expires_at=expiry_after(self.clock(), ttl=self.config.expiry),
        ):
            await asyncio.to_thread(_delete_stage, self.vault.store, self.row.id)


async def _store_stage(
    row: UploadRow, context: RequestContext, ending: _Ending, *, audit: AuditLog, at: datetime
) -> None:
    vault = ending.vault
    upload = _upload_from_json(row.upload)
    # The rules again: a grant revoked, a phase moved on or a consent withdrawn since the
    # upload was created refuses it now.
    case, decision, file_name = await admit_upload(context, row.case_id, upload, audit, at=at)
    parts = await uploads_db.parts_of(row.id)
    problem = stage_problem([p.part for p in parts], length=row.length)
    if problem is not None:
        await audit.about(context, at=at, case=case).fail(
            Action.DOCUMENT_UPLOAD_FAILED, f"upload {row.id}: {problem}"
        )
        raise Conflict(f"the upload's stage is not whole ({problem}); send the file again")
    data_key = unwrap_data_key(
        _wrapping_key(vault), upload_id=str(row.id), wrapped=bytes.fromhex(row.wrapped_key or "")
    )
    await store_document(
        context,
        upload,
        _stage_plaintext(row.id, parts, data_key, vault.store),
        case=case,
        decision=decision,
        file_name=file_name,
        vault=vault,
        audit=audit,
        clock=ending.clock,
        started=at,
        in_same_transaction=ending.done,
    )
    await asyncio.to_thread(_delete_stage, vault.store, row.id)


async def finalise_abandoned(
    *, vault: Vault, audit: AuditLog, clock: Clock, config: ResumableConfig
) -> int:
    """Finish every complete upload whose finaliser died (its claim lapsed); how many."""
    done = 0
    while True:
        now = clock()
        token = secrets.token_hex(16)
        claimed = await uploads_db.claim_finalisation(
            token=token, until=now + config.finalise_claim, now=now
        )
        if claimed is None:
            return done
        await finalise(claimed, token=token, vault=vault, audit=audit, clock=clock, config=config)
        done += 1


async def finalise_periodically(
    *, interval: float, vault: Vault, audit: AuditLog, clock: Clock, config: ResumableConfig
) -> None:
    """Every ``interval`` seconds, take over the finalisations that lost their process."""
    while True:
        await asyncio.sleep(interval)
        try:
            await finalise_abandoned(vault=vault, audit=audit, clock=clock, config=config)
        except Exception:
            log.exception("taking over abandoned finalisations failed; retrying in %s s", interval)


# Termination and expiry ------------------------------------------------------------------


async def terminate(
    context: RequestContext,
    upload_id: uuid.UUID,
    *,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
) -> None:
    """The uploader gives up (tus termination): the row, the data key and the stage go."""
    now = clock()
    row = await _own_upload(context, upload_id, audit, at=now, what="DELETE")
    if row.status is UploadStatus.FINALISING:
        raise Conflict(f"upload {upload_id} is being finalised; ask its status instead")
    async with write_transaction():
        if not await uploads_db.delete_upload(upload_id, now=now):
            raise Locked(f"another request is writing upload {upload_id}; try again shortly")
        await (await _recording(context, audit, row.case_id, at=now)).succeed(
            Action.UPLOAD_TERMINATE,
            f"upload {upload_id} ended by its uploader at {row.received} bytes",
        )
    await asyncio.to_thread(_delete_stage, vault.store, upload_id)


@dataclass(frozen=True, kw_only=True)
class UploadSweep:
    expired: int
    forgotten: int
    orphans: int


async def sweep_expired_uploads(
    *, now: datetime, store: ObjectStore, audit: AuditLog, operator: str
) -> UploadSweep:
    """Remove uploads past their expiry and any stage object no live upload owns.

    An unfinished upload's row goes first (its data key with it), so a stage whose objects
    could not all be deleted is unreadable already; the next sweep deletes them as orphans.
    """
    expired = forgotten = 0
    for row in await uploads_db.expired_uploads(now):
        if not await uploads_db.delete_upload(row.id, now=now):
            continue
        if row.status in {UploadStatus.PENDING, UploadStatus.FINALISING}:
            expired += 1
            await audit.by_operator(
                Action.UPLOAD_EXPIRE,
                f"upload {row.id} expired unfinished at {row.received} of {row.length} bytes",
                operator=operator,
                at=now,
                case=await cases_db.case_by_id(row.case_id),
            )
        else:
            forgotten += 1
        await asyncio.to_thread(_delete_stage, store, row.id)
    live = await uploads_db.staged_upload_ids()
    orphans = await asyncio.to_thread(_delete_orphans, store, live)
    return UploadSweep(expired=expired, forgotten=forgotten, orphans=orphans)


def _delete_stage(store: ObjectStore, upload_id: uuid.UUID) -> None:
    try:
        for info in list(store.list(f"{STAGE_PREFIX}{upload_id}/")):
            store.delete(info.key)
    except StorageError:
        log.exception("could not remove the stage of upload %s; the sweep will", upload_id)


def _delete_orphans(store: ObjectStore, live: set[str]) -> int:
    removed = 0
    for info in list(store.list(STAGE_PREFIX)):
        owner = info.key.removeprefix(STAGE_PREFIX).split("/", 1)[0]
        if owner not in live:
            store.delete(info.key)
            removed += 1
    return removed


def _delete_quietly(store: ObjectStore, key: str) -> None:
    try:
        store.delete(key)
    except StorageError:
        log.exception("could not remove orphaned stage object %s; the sweep will", key)
