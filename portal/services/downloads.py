"""Documents out: decided, put on record, then decrypted (or re-encrypted to the
recipient's own key) and streamed.

Nothing is sent before the permit is durably on record; how the download ended (delivered
in full, or cut off) is recorded after it, and a failed integrity check cuts the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import BinaryIO

from crypto import (
    CaseKeyMaterial,
    CaseKeys,
    CryptoError,
    PublicKey,
    open_ciphertext_for_case,
    open_plaintext_for_case,
)
from portal.adapters.channels import ChannelClosed, OutboundChannel
from portal.db import case_keys as case_keys_db
from portal.db import consents as consents_db
from portal.domain import access
from portal.domain.actions import Action, Outcome
from portal.domain.audit import AuditEntry
from portal.domain.cases import Case, Purpose
from portal.domain.documents import Document
from portal.domain.intake import MAX_JUSTIFICATION_LENGTH, free_text_problem
from portal.domain.refusal_codes import RefusalCode, code_of
from portal.services.audit import AuditLog, RequestContext
from portal.services.clock import Clock
from portal.services.documents import readable_document
from portal.services.errors import Conflict, Forbidden, InvalidInput
from portal.services.vault import READ_CHUNK, Vault
from storage import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Download:
    document: Document
    encrypted_for_recipient: bool
    chunks: AsyncIterator[bytes]
    """Yields the body; raises (so the connection is cut) if the document fails to decrypt."""


@dataclass(frozen=True, kw_only=True)
class Permitted:
    """A download decided and on record, not yet started."""

    document: Document
    case: Case
    material: CaseKeyMaterial
    recipient: PublicKey | None
    """The recipient's own OpenPGP key when the document goes out re-encrypted to it."""
    permit: AuditEntry


async def start_download(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    purpose: str,
    justification: str | None,
    to_recipient_key: bool,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
) -> Download:
    """Decide, record, then stream: nothing is sent before the permit is on record."""
    permitted = await decide_download(
        context,
        document_id=document_id,
        purpose=purpose,
        justification=justification,
        to_recipient_key=to_recipient_key,
        vault=vault,
        audit=audit,
        clock=clock,
    )
    return await stream_download(permitted, vault=vault, audit=audit, clock=clock)


JUSTIFICATION_IN_URL = (
    "a justification never goes in the URL, where proxies and access logs keep it: "
    "send it in the body of POST /api/v1/documents/{id}/content"
)


async def refuse_justification_in_url(
    context: RequestContext, *, document_id: uuid.UUID, purpose: str, audit: AuditLog, clock: Clock
) -> InvalidInput:
    """Art. 8: a justification is personal data; in a query string it would end up in
    logs no one audits. The refusal is recorded, without the text that came in."""
    document, facts = await readable_document(
        context, document_id, audit=audit, clock=clock, purpose=purpose
    )
    await audit.about(
        context, at=clock(), case=facts.case, document=document, purpose=purpose
    ).deny(Action.DOCUMENT_DOWNLOAD_DENIED, "justification sent in the URL")
    return InvalidInput(JUSTIFICATION_IN_URL, code=RefusalCode.JUSTIFICATION_IN_URL)


async def decide_download(
    context: RequestContext,
    *,
    document_id: uuid.UUID,
    purpose: str,
    justification: str | None,
    to_recipient_key: bool,
    vault: Vault,
    audit: AuditLog,
    clock: Clock,
) -> Permitted:
    """The rules' decision, every refusal on record, then the durable permit."""
    document, facts = await readable_document(
        context, document_id, audit=audit, clock=clock, purpose=purpose
    )
    case = facts.case
    started = clock()

    async def refuse(reason: str, code: RefusalCode | None = None) -> Forbidden:
        return await audit.about(
            context, at=started, case=case, document=document, purpose=purpose
        ).deny(Action.DOCUMENT_DOWNLOAD_DENIED, reason, code=code)

    try:
        purpose_code = Purpose(purpose)
    except ValueError:
        reason = f"unknown purpose code {purpose!r}"
        await refuse(reason)
        raise InvalidInput(reason) from None
    problem = justification and free_text_problem(
        "the justification", justification, limit=MAX_JUSTIFICATION_LENGTH
    )
    if problem:
        await refuse(problem)
        raise InvalidInput(problem, code=RefusalCode.TEXT_NOT_ACCEPTED)
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
        raise await refuse(decision.reason, code_of(decision))
    recipient = None
    if to_recipient_key:
        armored = context.actor.openpgp_public_key
        if not armored:
            reason = "delivery=pgp needs an OpenPGP public key registered for the user"
            await refuse(reason)
            raise Conflict(reason, code=RefusalCode.OPENPGP_KEY_MISSING)
        try:
            # Checked before the permit: a key that cannot encrypt would fail mid-stream.
            recipient = await asyncio.to_thread(vault.keys.read_public_key, armored)
        except CryptoError as exc:
            reason = f"the registered OpenPGP key cannot be encrypted to: {exc}"
            await refuse(reason)
            raise Conflict(reason, code=RefusalCode.OPENPGP_KEY_UNUSABLE) from None
    material = await case_keys_db.case_key(case.id)
    if material is None:
        reason = "the case key is destroyed; the document can no longer be read"
        await refuse(reason)
        raise Conflict(reason, code=RefusalCode.CASE_KEY_DESTROYED)
    # Fail closed: if this record cannot be written, AuditUnavailable ends the request here.
    permit = await audit.about(
        context,
        at=started,
        case=case,
        document=document,
        purpose=purpose,
        justification=justification.strip() if justification else None,
    ).permit(Action.DOCUMENT_DOWNLOAD, decision.reason)
    return Permitted(
        document=document,
        case=case,
        material=material,
        recipient=recipient,
        permit=permit,
    )


async def stream_download(
    permitted: Permitted, *, vault: Vault, audit: AuditLog, clock: Clock
) -> Download:
    """The decrypted (or re-encrypted) body of a permitted download, and its ending on record."""
    document, material = permitted.document, permitted.material
    secret = vault.master_key.secret_for_case(str(permitted.case.id))
    recipient = permitted.recipient
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
        # Decrypted and checked in full. A reader that has taken every byte and gone away
        # already (the client closed at Content-Length) no longer needs to hear the end.
        with contextlib.suppress(ChannelClosed):
            channel.finish()

    chunks = _stream(
        channel,
        decrypt_and_send,
        permitted.permit,
        # Re-encrypted output has no size known in advance; plaintext has the document's.
        expected_size=None if recipient is not None else document.size,
        audit=audit,
        clock=clock,
        transfers=vault.transfers,
    )
    # The first chunk is awaited before a header goes out: a store that cannot be reached
    # then raises here (503, try again) instead of cutting a 200 at its first byte. The
    # failed download is on record either way (``_stream`` records how it ended).
    first = await anext(chunks, None)
    return Download(
        document=document,
        encrypted_for_recipient=recipient is not None,
        chunks=_starting_with(first, chunks),
    )


async def _starting_with(
    first: bytes | None, rest: AsyncGenerator[bytes, None]
) -> AsyncIterator[bytes]:
    try:
        if first is None:
            return
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        # A client that went away closes this generator only: the ending is ``rest``'s.
        await rest.aclose()


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
    *,
    expected_size: int | None,
    audit: AuditLog,
    clock: Clock,
    transfers: Executor,
) -> AsyncGenerator[bytes, None]:
    worker = asyncio.get_running_loop().run_in_executor(transfers, work)
    complete = (Action.DOCUMENT_DOWNLOAD_COMPLETE, Outcome.SUCCESS, "delivered in full")
    went_away = (
        Action.DOCUMENT_DOWNLOAD_FAILED,
        Outcome.FAILURE,
        "the client went away before the end",
    )
    outcome = went_away
    sent = 0
    try:
        async for chunk in channel.chunks():
            # Counted when handed to the server, which writes it to the connection before
            # it waits: a client that closes once it has every byte (curl does, at
            # Content-Length) makes the server cancel us inside that wait.
            sent += len(chunk)
            yield chunk
        # Shielded: a client that closes at Content-Length makes the server cancel this
        # wait, and cancelling a task cancels the future it awaits. The worker's own result
        # (the integrity check) must survive for _conclude; it was lost as CancelledError
        # and a delivered download was recorded failed.
        await asyncio.shield(worker)
        outcome = complete
    except CryptoError as exc:
        if isinstance(exc.__cause__, StorageError):
            # gpg saw its input end early because the store went away: no tampering.
            outcome = (
                Action.DOCUMENT_DOWNLOAD_FAILED,
                Outcome.FAILURE,
                f"object store: {exc.__cause__}",
            )
            raise
        outcome = (Action.DOCUMENT_DOWNLOAD_FAILED, Outcome.FAILURE, f"decryption failed: {exc}")
        log.error(  # noqa: TRY400 - the reason is enough; the trace would only repeat it
            "download of document %s failed: %s", permit.document_id, exc
        )
        raise
    except StorageError as exc:
        outcome = (Action.DOCUMENT_DOWNLOAD_FAILED, Outcome.FAILURE, f"object store: {exc}")
        raise
    finally:
        # A client that has every byte it was promised (Content-Length) may close the
        # connection before gpg has confirmed the integrity check: then the worker is let
        # finish that check, and if it holds, the download was delivered in full all the
        # same. Otherwise the worker is told to stop at once. The server cancels every wait
        # of a request whose client went away, so the ending runs in a task of its own.
        handed_over = expected_size is not None and sent == expected_size
        if not handed_over:
            channel.abandon()
        ending = _conclude(
            worker,
            channel,
            permit,
            outcome=complete if handed_over and outcome is went_away else outcome,
            audit=audit,
            clock=clock,
        )
        await asyncio.shield(asyncio.ensure_future(ending))


async def _conclude(
    worker: asyncio.Future[None],
    channel: OutboundChannel,
    permit: AuditEntry,
    *,
    outcome: tuple[Action, Outcome, str],
    audit: AuditLog,
    clock: Clock,
) -> None:
    """Wait for the worker, then record how the download ended (never raises)."""
    try:
        await worker
    except BaseException as exc:  # how the download broke is said by ``outcome``
        if outcome[0] is Action.DOCUMENT_DOWNLOAD_COMPLETE:
            log.warning(
                "download of document %s: every byte went out, then the decryption ended with %s",
                permit.document_id,
                type(exc).__name__,
                exc_info=exc,
            )
            outcome = (
                Action.DOCUMENT_DOWNLOAD_FAILED,
                Outcome.FAILURE,
                "the integrity check did not complete after the last byte",
            )
    finally:
        channel.abandon()
    action, result, reason = outcome
    # The disclosure itself is on record already; finish() logs a lost ending loudly.
    await audit.finish(permit, action, result, reason, at=clock())
