"""Documents in: streamed, checked and encrypted on the way to the object store.

No plaintext ever touches disk: the request body flows through a bounded channel into a
worker thread that sniffs its first bytes, hashes and counts it, and feeds gpg, whose
ciphertext streams into the object store. The document row is written only after the
object is complete, so a refused, oversized or broken-off upload leaves neither a row nor
an object.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from crypto import EncryptionInterrupted, Recipient, open_ciphertext_for_case
from portal.adapters.channels import InboundChannel
from portal.db import case_keys as case_keys_db
from portal.db import cases as cases_db
from portal.db import consents as consents_db
from portal.db import documents as documents_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import Case, Phase
from portal.domain.consents import consent_usable_for_upload
from portal.domain.documents import (
    Document,
    DocumentId,
    Restrictions,
    RestrictionsRefused,
    check_restrictions,
    object_key_for,
)
from portal.domain.intake import (
    MAX_DESCRIPTION_LENGTH,
    FileNameRefused,
    IntakeRefused,
    MediaTypeRefused,
    check_media_type,
    free_text_problem,
    normalise_file_name,
)
from portal.domain.refusal_codes import CODE_OF_RULE, RefusalCode
from portal.domain.rules import Decision
from portal.services.audit import AuditLog, RequestContext
from portal.services.cases import case_facts
from portal.services.clock import Clock
from portal.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from portal.services.vault import READ_CHUNK, Vault
from storage import ObjectStore, StorageError

log = logging.getLogger(__name__)

SNIFF_BYTES = 8192


@dataclass(frozen=True, kw_only=True)
class Upload:
    """One upload as the client described it, before anything was checked."""

    phase: Phase
    restrictions: Restrictions
    description: str
    file_name: str
    declared_type: str | None


@dataclass(frozen=True, kw_only=True)
class Incoming:
    """An upload as it arrives: what the client says it is, then the file's bytes."""

    upload: Upload
    body: AsyncIterator[bytes]


OpenUpload = Callable[[], Awaitable[Incoming]]
"""Reads the request up to the file's first byte; raises InvalidInput or PayloadTooLarge
for a body that is not a well-formed upload."""


class _TooLarge(Exception):
    pass


class _Inspector:
    """The plaintext on its way to gpg: sniffed, size-capped, hashed, in one pass."""

    def __init__(
        self, source: InboundChannel, *, limit: int, accept: Callable[[bytes], str]
    ) -> None:
        self._source = source
        self._limit = limit
        self._accept = accept
        self._head: bytes | None = None
        self.media_type: str | None = None
        self.size = 0
        self.digest = hashlib.sha256()
        self.error: BaseException | None = None

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._read(size)
        except BaseException as exc:
            # Kept for the service: gpg wraps it into its own "reading the plaintext failed".
            self.error = self.error or exc
            raise

    def _read(self, size: int) -> bytes:
        if self.media_type is None:
            head = b""
            while len(head) < SNIFF_BYTES:
                chunk = self._source.read(SNIFF_BYTES - len(head))
                if not chunk:
                    break
                head += chunk
            # Refused before a single byte reaches gpg or the store.
            self.media_type = self._accept(head)
            return self._count(head)
        return self._count(self._source.read(size if size > 0 else READ_CHUNK))

    def _count(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self._limit:
            raise _TooLarge
        self.digest.update(chunk)
        return chunk


async def upload_document(
    context: RequestContext,
    *,
    case_id: uuid.UUID,
    open_upload: OpenUpload,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
) -> Document:
    started = clock()
    try:
        incoming = await open_upload()
    except (InvalidInput, PayloadTooLarge) as exc:
        # A malformed or oversized body is a refusal like any other: on record.
        case = await cases_db.case_by_id(case_id)
        record = (
            audit.about(context, at=started, case=case)
            if case
            else audit.about(context, at=started)
        )
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, str(exc))
        raise
    upload, body = incoming.upload, incoming.body
    case, decision, file_name = await admit_upload(context, case_id, upload, audit, at=started)
    return await store_document(
        context,
        upload,
        body,
        case=case,
        decision=decision,
        file_name=file_name,
        vault=vault,
        audit=audit,
        clock=clock,
        started=started,
    )


async def store_document(
    context: RequestContext,
    upload: Upload,
    body: AsyncIterator[bytes],
    *,
    case: Case,
    decision: Decision,
    file_name: str,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
    started: datetime,
    in_same_transaction: Callable[[Document], Awaitable[None]] | None = None,
) -> Document:
    """An admitted upload's bytes sniffed, size-capped, hashed and encrypted into the store,
    then its row and record; the direct upload and a finished resumable one both end here.

    ``in_same_transaction`` commits with the document row (a resumable upload marks itself
    done there, so a crash can never leave it to be finalised into a second document).
    """
    document_id = DocumentId(uuid.uuid4())
    object_key = object_key_for(case.id, document_id)
    recipients = await _recipients_for(case, context, vault)
    inspector = await _encrypt_into_store(
        body,
        recipients=recipients,
        object_key=object_key,
        accept=lambda head: check_media_type(
            sniffed=vault.sniff(head), declared=upload.declared_type, file_name=file_name
        ),
        vault=vault,
    )
    if isinstance(inspector, BaseException):
        await _record_failure(context, case, inspector, audit, at=started, ended_at=clock())
        raise _as_service_error(inspector, vault) from inspector
    if inspector.media_type is None:  # pragma: no cover - set by the first read, always
        raise RuntimeError("upload finished without being inspected")
    document = Document(
        id=document_id,
        case_id=case.id,
        phase=upload.phase,
        provider_id=context.actor.partij_id,
        provider_kind=context.actor.partij_kind,
        uploaded_by=context.actor.user_id,
        file_name=file_name,
        media_type=inspector.media_type,
        size=inspector.size,
        sha256=inspector.digest.hexdigest(),
        object_key=object_key,
        restrictions=upload.restrictions,
        description=upload.description,
        created_at=clock(),
    )
    try:
        async with write_transaction():
            await documents_db.insert_document(document)
            await audit.about(context, at=started, case=case, document=document).succeed(
                Action.DOCUMENT_UPLOAD, decision.reason, ended_at=clock()
            )
            if in_same_transaction is not None:
                await in_same_transaction(document)
    except BaseException:
        # No row, so no object either: the stored ciphertext would be an orphan.
        await asyncio.to_thread(_delete_quietly, vault.store, object_key)
        raise
    return document


async def admit_upload(
    context: RequestContext, case_id: uuid.UUID, upload: Upload, audit: AuditLog, *, at: datetime
) -> tuple[Case, Decision, str]:
    """The checks before a byte is stored: case, rules, restrictions, name (each refusal
    audited). A resumable upload passes them at creation and again when it is finished."""
    case = await cases_db.case_by_id(case_id)
    if case is None:
        await audit.about(context, at=at).deny(Action.DOCUMENT_UPLOAD_DENIED, f"no case {case_id}")
        raise NotFound(f"no case {case_id}")
    facts = await case_facts(case)
    record = audit.about(context, at=at, case=case)
    # Art. 9.6: to whoever has no part in the case, it does not exist (404, not a 403
    # that would name its phase).
    seen = access.may_see_case(context.actor, facts, now=at)
    if not seen.allowed:
        raise await record.hide(Action.DOCUMENT_UPLOAD_DENIED, seen, f"case {case_id}")
    decision = access.may_upload(context.actor, facts, phase=upload.phase, now=at)
    if not decision.allowed:
        raise await record.refuse(Action.DOCUMENT_UPLOAD_DENIED, decision)
    problem = free_text_problem("the description", upload.description, limit=MAX_DESCRIPTION_LENGTH)
    if problem is not None:
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, problem)
        raise InvalidInput(problem, code=RefusalCode.TEXT_NOT_ACCEPTED)
    try:
        check_restrictions(
            phase=upload.phase,
            restrictions=upload.restrictions,
            provider_kind=context.actor.partij_kind,
        )
        file_name = normalise_file_name(upload.file_name)
    except (RestrictionsRefused, FileNameRefused) as exc:
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, str(exc))
        raise InvalidInput(str(exc), code=_intake_code(exc)) from exc
    consent_id = upload.restrictions.consent_id
    if consent_id is not None:
        problem = consent_usable_for_upload(
            await consents_db.consent_by_id(consent_id), partij_id=context.actor.partij_id, now=at
        )
        if problem is not None:
            await record.deny(Action.DOCUMENT_UPLOAD_DENIED, problem)
            raise InvalidInput(problem, code=RefusalCode.CONSENT_NOT_USABLE)
    return case, decision, file_name


def _intake_code(exc: RestrictionsRefused | FileNameRefused) -> RefusalCode:
    if isinstance(exc, FileNameRefused):
        return RefusalCode.FILE_NAME_NOT_ALLOWED
    # Art. 6.4: what the provider's kind may provide is a rule of its own, explained apart.
    return CODE_OF_RULE[exc.rule] if exc.rule else RefusalCode.RESTRICTIONS_INVALID


async def _encrypt_into_store(
    body: AsyncIterator[bytes],
    *,
    recipients: list[Recipient],
    object_key: str,
    accept: Callable[[bytes], str],
    vault: Vault,
) -> _Inspector | BaseException:
    """Stream the body through the inspector and gpg into the store.

    Returns the inspector (size, digest, media type) once the object is complete, or the
    root cause of the failure; on failure the store holds nothing under ``object_key``.
    """
    channel = InboundChannel()
    inspector = _Inspector(channel, limit=vault.max_upload_bytes, accept=accept)

    def encrypt_and_store() -> None:
        try:
            with open_ciphertext_for_case(vault.keys, recipients, inspector) as ciphertext:
                vault.store.put(object_key, ciphertext)
        finally:
            channel.abandon()

    worker = asyncio.get_running_loop().run_in_executor(vault.transfers, encrypt_and_store)
    failure: BaseException | None = None
    try:
        await _pump(body, channel)
    except BaseException as exc:  # noqa: BLE001 - disconnects and cancellation must stop gpg too
        failure = exc
        await channel.fail(exc)
    try:
        await worker
    except BaseException as exc:  # noqa: BLE001 - reported as the upload's failure, not lost
        # A killed gpg comes first: what the channel saw after it is only its echo.
        killed = isinstance(exc, EncryptionInterrupted)
        failure = exc if killed else inspector.error or failure or exc
    return inspector if failure is None else failure


async def _pump(body: AsyncIterator[bytes], channel: InboundChannel) -> None:
    async for chunk in body:
        await channel.send(chunk)
    await channel.close()


def _delete_quietly(store: ObjectStore, key: str) -> None:
    try:
        store.delete(key)
    except StorageError:
        log.exception("could not remove orphaned object %s; the reconciler must", key)


async def _recipients_for(case: Case, context: RequestContext, vault: Vault) -> list[Recipient]:
    material = await case_keys_db.case_key(case.id)
    if material is None:
        raise Conflict(
            f"case {case.id} has no key any more; it cannot take documents",
            code=RefusalCode.CASE_KEY_DESTROYED,
        )
    recipients: list[Recipient] = [material]
    # A partij that registered its own key can always read what it provided (art. 2.1).
    partij_key = await partijen_db.partij_public_key(context.actor.partij_id)
    if partij_key:
        recipients.append(await asyncio.to_thread(vault.keys.read_public_key, partij_key))
    return recipients


def _as_service_error(failure: BaseException, vault: Vault) -> BaseException:
    if isinstance(failure, MediaTypeRefused):
        return UnsupportedMediaType(str(failure))
    if isinstance(failure, IntakeRefused):
        return InvalidInput(str(failure))
    if isinstance(failure, _TooLarge):
        return PayloadTooLarge(
            f"the document is larger than the limit of {vault.max_upload_bytes} bytes"
        )
    return failure


def _failure_reason(failure: BaseException) -> str:
    if isinstance(failure, IntakeRefused):
        return str(failure)
    if isinstance(failure, _TooLarge):
        return "larger than the size limit"
    # Never the exception's text: it could echo request bytes.
    return f"upload broken off: {type(failure).__name__}"


async def _record_failure(
    context: RequestContext,
    case: Case,
    failure: BaseException,
    audit: AuditLog,
    *,
    at: datetime,
    ended_at: datetime,
) -> None:
    """A refused body (wrong type, too large) is a denial; anything else a failure."""
    reason = _failure_reason(failure)
    record = audit.about(context, at=at, case=case)
    if isinstance(failure, IntakeRefused | _TooLarge):
        await record.deny(Action.DOCUMENT_UPLOAD_DENIED, reason, ended_at=ended_at)
    else:
        await record.fail(Action.DOCUMENT_UPLOAD_FAILED, reason, ended_at=ended_at)
