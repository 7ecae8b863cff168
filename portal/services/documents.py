"""Documents in and out: streamed, checked, encrypted on the way in; decided, audited,
decrypted (or re-encrypted to the recipient's own key) on the way out.

No plaintext ever touches disk: the request body flows through a bounded channel into a
worker thread that sniffs its first bytes, hashes and counts it, and feeds gpg, whose
ciphertext streams into the object store. The document row is written only after the
object is complete, so a refused, oversized or broken-off upload leaves neither a row nor
an object.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from crypto import (
    CaseKeyMaterial,
    CaseKeys,
    CryptoError,
    MasterKey,
    PublicKey,
    Recipient,
    open_ciphertext_for_case,
    open_plaintext_for_case,
)
from portal.db import case_keys as case_keys_db
from portal.db import cases as cases_db
from portal.db import consents as consents_db
from portal.db import documents as documents_db
from portal.db import further_use as further_use_db
from portal.db import partijen as partijen_db
from portal.db.transactions import write_transaction
from portal.domain import access
from portal.domain.actions import Action, Outcome
from portal.domain.audit import AuditEntry
from portal.domain.cases import Case, Phase, Purpose
from portal.domain.consents import consent_usable_for_upload
from portal.domain.documents import (
    Document,
    DocumentId,
    Restrictions,
    RestrictionsRefused,
    approval_purposes,
    check_restrictions,
    object_key_for,
)
from portal.domain.intake import (
    FileNameRefused,
    IntakeRefused,
    MediaTypeRefused,
    check_media_type,
    normalise_file_name,
)
from portal.domain.register import ProcessingActivity
from portal.domain.rules import Decision, Rule
from portal.services import audit
from portal.services.audit import RequestContext
from portal.services.cases import case_facts, visible_case
from portal.services.channels import InboundChannel, OutboundChannel
from portal.services.clock import Clock
from portal.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from storage import ObjectStore, StorageError

log = logging.getLogger(__name__)

SNIFF_BYTES = 8192
EXCHANGE = ProcessingActivity.DOCUMENT_EXCHANGE
READ_CHUNK = 256 * 1024


@dataclass(frozen=True, kw_only=True)
class Vault:
    """Where documents are kept and how they are locked: built by the composition root."""

    store: ObjectStore
    keys: CaseKeys
    master_key: MasterKey
    max_upload_bytes: int
    sniff: Callable[[bytes], str]
    transfers: Executor
    """Threads for transfers alone: a transfer never waits for a thread a reader holds."""


@dataclass(frozen=True, kw_only=True)
class Upload:
    """One upload as the client described it, before anything was checked."""

    phase: Phase
    restrictions: Restrictions
    description: str
    file_name: str
    declared_type: str | None


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
    upload: Upload,
    body: AsyncIterator[bytes],
    vault: Vault,
    clock: Clock,
) -> Document:
    started = clock()
    case, decision, file_name = await _admit_upload(context, case_id, upload, started)
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
        await _upload_failed(context, case, inspector, started=started, clock=clock)
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
            await audit.record(
                audit.entry(
                    context,
                    Action.DOCUMENT_UPLOAD,
                    Outcome.SUCCESS,
                    reason=decision.reason,
                    started_at=started,
                    ended_at=clock(),
                    activity=ProcessingActivity.DOCUMENT_EXCHANGE,
                    case=case,
                    document=document,
                )
            )
    except BaseException:
        # No row, so no object either: the stored ciphertext would be an orphan.
        await asyncio.to_thread(_delete_quietly, vault.store, object_key)
        raise
    return document


async def _admit_upload(
    context: RequestContext, case_id: uuid.UUID, upload: Upload, started: datetime
) -> tuple[Case, Decision, str]:
    """The checks before a byte is stored: case, rules, restrictions, name (each audited)."""
    case = await cases_db.case_by_id(case_id)
    if case is None:
        await _deny_upload(context, None, f"no case {case_id}", started)
        raise NotFound(f"no case {case_id}")
    decision = access.may_upload(
        context.actor, await case_facts(case), phase=upload.phase, now=started
    )
    if not decision.allowed:
        await _deny_upload(context, case, decision.reason, started)
        raise Forbidden(decision.reason)
    try:
        check_restrictions(phase=upload.phase, restrictions=upload.restrictions)
        file_name = normalise_file_name(upload.file_name)
    except (RestrictionsRefused, FileNameRefused) as exc:
        await _deny_upload(context, case, str(exc), started)
        raise InvalidInput(str(exc)) from exc
    consent_id = upload.restrictions.consent_id
    if consent_id is not None:
        problem = consent_usable_for_upload(
            await consents_db.consent_by_id(consent_id),
            partij_id=context.actor.partij_id,
            now=started,
        )
        if problem is not None:
            await _deny_upload(context, case, problem, started)
            raise InvalidInput(problem)
    return case, decision, file_name


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
        failure = inspector.error or failure or exc
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
        raise Conflict(f"case {case.id} has no key any more; it cannot take documents")
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


async def _deny_upload(
    context: RequestContext, case: Case | None, reason: str, started: datetime
) -> None:
    await audit.record_denial(
        context, Action.DOCUMENT_UPLOAD_DENIED, reason, at=started, activity=EXCHANGE, case=case
    )


async def _upload_failed(
    context: RequestContext,
    case: Case,
    failure: BaseException,
    *,
    started: datetime,
    clock: Clock,
) -> None:
    refused = isinstance(failure, IntakeRefused | _TooLarge)
    await audit.record(
        audit.entry(
            context,
            Action.DOCUMENT_UPLOAD_DENIED if refused else Action.DOCUMENT_UPLOAD_FAILED,
            Outcome.DENY if refused else Outcome.FAILURE,
            reason=_failure_reason(failure),
            started_at=started,
            ended_at=clock(),
            activity=ProcessingActivity.DOCUMENT_EXCHANGE,
            case=case,
        )
    )


# --- reading ----------------------------------------------------------------------------


async def _readable_document(
    context: RequestContext, document_id: uuid.UUID, *, clock: Clock, purpose: str | None = None
) -> tuple[Document, access.CaseFacts]:
    """The document and its case if the actor may know of them, else NotFound (audited)."""
    document = await documents_db.document_by_id(document_id)
    case = await cases_db.case_by_id(document.case_id) if document else None
    if document is None or case is None:
        raise NotFound(f"no document {document_id}")
    facts = await case_facts(case)
    seen = access.may_see_case(context.actor, facts, now=clock())
    if not seen.allowed:
        await audit.record(
            audit.entry(
                context,
                Action.DOCUMENT_DOWNLOAD_DENIED if purpose else Action.DOCUMENT_READ_DENIED,
                Outcome.DENY,
                reason=seen.reason,
                started_at=clock(),
                activity=ProcessingActivity.DOCUMENT_EXCHANGE,
                case=case,
                document=document,
                purpose=purpose,
            )
        )
        # Not 403: that a document exists in a case is itself personal data.
        raise NotFound(f"no document {document_id}")
    return document, facts


async def document_metadata(
    context: RequestContext, document_id: uuid.UUID, *, clock: Clock
) -> Document:
    document, _ = await _readable_document(context, document_id, clock=clock)
    return document


async def approve_document(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    phase: Phase,
    purposes: frozenset[Purpose] | None,
    clock: Clock,
) -> Document:
    """The provider re-approves its document for the case's current phase (art. 3.5b, c).

    Not gated by who may see the case: after afschaling the provider no longer sees it,
    yet it stays controller of what it provided and alone decides its use for overdracht.
    """
    document = await documents_db.document_by_id(document_id)
    case = await cases_db.case_by_id(document.case_id) if document else None
    if document is None or case is None:
        raise NotFound(f"no document {document_id}")
    facts = await case_facts(case)
    now = clock()
    chosen = approval_purposes(phase, purposes)
    decision = access.may_approve(
        context.actor, document, facts, phase=phase, purposes=chosen, now=now
    )
    if not decision.allowed:
        refusal = await audit.denial(
            context,
            Action.DOCUMENT_APPROVE_DENIED,
            decision.reason,
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )
        if (
            decision.rule is Rule.DOCUMENT_APPROVE_PROVIDER
            and not access.may_see_case(context.actor, facts, now=now).allowed
        ):
            # Someone with no part in the case learns nothing of the document.
            raise NotFound(f"no document {document_id}")
        raise refusal
    async with write_transaction():
        await documents_db.insert_approval(
            document_id=document.id,
            phase=phase,
            purposes=chosen,
            approved_by=context.actor.user_id,
            now=now,
        )
        await audit.success(
            context,
            Action.DOCUMENT_APPROVE,
            f"{decision.reason}; purposes {', '.join(sorted(chosen))}",
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )
    approved = await documents_db.document_by_id(document.id)
    if approved is None:  # pragma: no cover - the document was just read
        raise NotFound(f"no document {document_id}")
    return approved


async def request_further_use(
    context: RequestContext, *, document_id: uuid.UUID, description: str, clock: Clock
) -> uuid.UUID:
    """A participant asks to use another partij's document for its own tasks (art. 3.5d)."""
    document, facts = await _readable_document(context, document_id, clock=clock)
    now = clock()
    decision = access.may_request_further_use(context.actor, document, facts, now=now)
    if not decision.allowed:
        raise await audit.denial(
            context,
            Action.FURTHER_USE_REQUEST_DENIED,
            decision.reason,
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )
    if not description.strip():
        raise InvalidInput("describe the task the document would be used for")
    async with write_transaction():
        request_id = await further_use_db.insert_further_use_request(
            document_id=document.id, actor=context.actor, description=description.strip(), now=now
        )
        await audit.success(
            context,
            Action.FURTHER_USE_REQUEST,
            f"request {request_id}: {description.strip()}",
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )
    return request_id


async def decide_further_use(
    context: RequestContext,
    *,
    request_id: uuid.UUID,
    approve: bool,
    reason: str,
    clock: Clock,
) -> None:
    """The providing partij approves or refuses a request for further use (art. 3.5d)."""
    request = await further_use_db.further_use_request(request_id)
    if request is None:
        raise NotFound(f"no further-use request {request_id}")
    document, facts = await _readable_document(context, request.document_id, clock=clock)
    now = clock()
    decision = access.may_decide_further_use(context.actor, document)
    if not decision.allowed:
        raise await audit.denial(
            context,
            Action.FURTHER_USE_DECIDE_DENIED,
            decision.reason,
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )
    if request.decided_at is not None:
        raise Conflict(f"request {request_id} was decided already")
    async with write_transaction():
        await further_use_db.decide_further_use(
            request_id=request_id,
            approved=approve,
            decided_by=context.actor.user_id,
            reason=reason.strip(),
            now=now,
        )
        await audit.success(
            context,
            Action.FURTHER_USE_DECIDE,
            f"request {request_id} {'approved' if approve else 'refused'}: {reason.strip()}",
            at=now,
            activity=EXCHANGE,
            case=facts.case,
            document=document,
        )


async def case_documents(context: RequestContext, case: Case) -> list[Document]:
    """The documents of a case the actor may already see (see ``cases.visible_case``)."""
    del context  # every document of a visible case is listed; downloading is decided apart
    return await documents_db.documents_of_case(case.id)


async def visible_case_documents(
    context: RequestContext, case_id: uuid.UUID, *, clock: Clock
) -> list[Document]:
    """The documents of a case, if the actor may see the case (else NotFound, audited)."""
    return await case_documents(context, await visible_case(context, case_id, clock=clock))


@dataclass(frozen=True, kw_only=True)
class Download:
    document: Document
    encrypted_for_recipient: bool
    chunks: AsyncIterator[bytes]
    """Yields the body; raises (so the connection is cut) if the document fails to decrypt."""


async def start_download(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    purpose: str,
    justification: str | None,
    to_recipient_key: bool,
    vault: Vault,
    clock: Clock,
) -> Download:
    """Decide, record, then stream: nothing is sent before the permit is on record."""
    document, facts = await _readable_document(context, document_id, clock=clock, purpose=purpose)
    case = facts.case
    started = clock()
    try:
        purpose_code = Purpose(purpose)
    except ValueError:
        reason = f"unknown purpose code {purpose!r}"
        await _deny_download(
            context, case, document, purpose=purpose, reason=reason, started=started
        )
        raise InvalidInput(reason) from None
    consent_id = document.restrictions.consent_id
    decision = access.may_download(
        context.actor,
        document,
        facts,
        purpose=purpose_code,
        consent=await consents_db.consent_by_id(consent_id) if consent_id else None,
        justification=justification,
        now=started,
    )
    if not decision.allowed:
        await _deny_download(
            context, case, document, purpose=purpose, reason=decision.reason, started=started
        )
        raise Forbidden(decision.reason)
    recipient_key = context.actor.openpgp_public_key
    if to_recipient_key and not recipient_key:
        reason = "delivery=pgp needs an OpenPGP public key registered for the user"
        await _deny_download(
            context, case, document, purpose=purpose, reason=reason, started=started
        )
        raise Conflict(reason)
    material = await case_keys_db.case_key(case.id)
    if material is None:
        reason = "the case key is destroyed; the document can no longer be read"
        await _deny_download(
            context, case, document, purpose=purpose, reason=reason, started=started
        )
        raise Conflict(reason)
    permit = audit.entry(
        context,
        Action.DOCUMENT_DOWNLOAD,
        Outcome.PERMIT,
        reason=decision.reason,
        started_at=started,
        activity=ProcessingActivity.DOCUMENT_EXCHANGE,
        case=case,
        document=document,
        purpose=purpose,
        # Art. 8: the justification is kept with the disclosure it justified.
        justification=justification.strip() if justification else None,
    )
    # Fail closed: if this record cannot be written, AuditUnavailable ends the request here.
    await audit.record(permit)

    secret = vault.master_key.secret_for_case(str(case.id))
    recipient = (
        await asyncio.to_thread(vault.keys.read_public_key, recipient_key)
        if to_recipient_key and recipient_key
        else None
    )
    channel = OutboundChannel()

    def decrypt_and_send() -> None:
        try:
            with vault.store.open(document.object_key) as ciphertext:
                if recipient is None:
                    vault.keys.decrypt_for_case(material, secret, ciphertext, channel.write)
                else:
                    _reencrypt(
                        vault.keys,
                        material,
                        ciphertext,
                        secret=secret,
                        recipient=recipient,
                        sink=channel.write,
                    )
        except BaseException as exc:
            channel.fail(exc)
            raise
        channel.finish()

    return Download(
        document=document,
        encrypted_for_recipient=recipient is not None,
        chunks=_stream(channel, decrypt_and_send, permit, clock, vault.transfers),
    )


def _reencrypt(
    keys: CaseKeys,
    material: CaseKeyMaterial,
    ciphertext: BinaryIO,
    *,
    secret: str,
    recipient: PublicKey,
    sink: Callable[[bytes], None],
) -> None:
    """Case key → recipient's key, gpg into gpg: the plaintext exists only in pipes."""
    with (
        open_plaintext_for_case(keys, material, secret, ciphertext) as plaintext,
        open_ciphertext_for_case(keys, [recipient], plaintext) as reencrypted,
    ):
        while chunk := reencrypted.read(READ_CHUNK):
            sink(chunk)


async def _stream(
    channel: OutboundChannel,
    work: Callable[[], None],
    permit: AuditEntry,
    clock: Clock,
    transfers: Executor,
) -> AsyncIterator[bytes]:
    worker = asyncio.get_running_loop().run_in_executor(transfers, work)
    outcome: tuple[Action, Outcome, str] = (
        Action.DOCUMENT_DOWNLOAD_FAILED,
        Outcome.FAILURE,
        "the client went away before the end",
    )
    try:
        async for chunk in channel.chunks():
            yield chunk
        await worker
        outcome = (Action.DOCUMENT_DOWNLOAD_COMPLETE, Outcome.SUCCESS, "delivered in full")
    except CryptoError as exc:
        outcome = (Action.DOCUMENT_DOWNLOAD_FAILED, Outcome.FAILURE, f"decryption failed: {exc}")
        log.error(  # noqa: TRY400 - the reason is enough; the trace would only repeat it
            "download of document %s failed: %s", permit.document_id, exc
        )
        raise
    except StorageError as exc:
        outcome = (Action.DOCUMENT_DOWNLOAD_FAILED, Outcome.FAILURE, f"object store: {exc}")
        raise
    finally:
        channel.abandon()
        with contextlib.suppress(BaseException):
            await worker
        action, result, reason = outcome
        await asyncio.shield(
            _record_quietly(audit.finished(permit, action, result, reason=reason, at=clock()))
        )


async def _record_quietly(entry: AuditEntry) -> None:
    # The disclosure itself is on record already; losing its ending is logged loudly.
    with contextlib.suppress(Exception):
        await audit.record(entry)


async def _deny_download(
    context: RequestContext,
    case: Case,
    document: Document,
    *,
    purpose: str,
    reason: str,
    started: datetime,
) -> None:
    await audit.record_denial(
        context,
        Action.DOCUMENT_DOWNLOAD_DENIED,
        reason,
        at=started,
        activity=EXCHANGE,
        case=case,
        document=document,
        purpose=purpose,
    )
