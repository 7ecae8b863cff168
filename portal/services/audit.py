"""Recording what happened: every decision and state change leaves an audit record.

The services hold one :class:`AuditLog`, built by the composition root, and speak to it in
four verbs: :meth:`~AuditLog.permit` (a disclosure may go ahead), :meth:`~AuditLog.deny`,
:meth:`~AuditLog.succeed` and :meth:`~AuditLog.fail`, plus :meth:`~AuditLog.finish` for
how a permitted disclosure ended. Which register entry a record belongs to follows from
its action (``portal.domain.register.ACTIVITY_OF``); no call site picks one.

Fail closed: if a record cannot be written, the verb raises ``AuditUnavailable`` and the
caller does not go ahead with the action it was about to take.

Every record about a case carries the pseudonym of the person the case is about, a keyed
hash with a key derived from the master key and handed to the log when it is built.

A record's personal fields are stored sealed under its case's audit key, so that
destroying the case shreds them while the chain stays verifiable
(:mod:`portal.services.audit_sealing`); the log seals as it appends and opens for readers
(:meth:`AuditLog.opened`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict, Unpack

from portal.db import audit_log as audit_log_db
from portal.db.transactions import write_transaction
from portal.domain.actions import Action, Outcome
from portal.domain.audit import (
    AuditEntry,
    AuditQuery,
    case_subject_reference,
    fit_entry,
    subject_pseudonym,
)
from portal.domain.audit_chain import StoredRecord
from portal.domain.cases import Case
from portal.domain.documents import Document
from portal.domain.partijen import Actor
from portal.domain.refusal_codes import RefusalCode, code_of
from portal.domain.register import ACTIVITY_OF
from portal.domain.rules import Decision, Refusal, refusal_of
from portal.services.audit_sealing import AuditSealer, Sealed
from portal.services.errors import (
    AuditUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
)

log = logging.getLogger(__name__)

PSEUDONYM_KEY_PURPOSE = "audit-pseudonyms"
"""The name under which the master key derives the pseudonym key (``MasterKey.key_for``)."""


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Who asks, from where, within which trace: what every audit record carries."""

    actor: Actor
    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Account:
    """The account a refused sign-in was for, where the name typed is one."""

    user_id: str
    username: str


class About(TypedDict, total=False):
    """What a record is about: the case, the document, and for a disclosure its purpose."""

    case: Case
    document: Document
    purpose: str
    justification: str | None
    """Art. 8: the justification is kept with the disclosure it justified."""
    data_subject_ref: str
    """The pseudonym a reader asked about, where the record is about no one case."""


class AuditLog:
    """The one way the services put something on record (see the module docstring).

    A use case asks it once for a :class:`Recording` (:meth:`about`) and says what happened
    through that recording's verbs.
    """

    def __init__(
        self,
        *,
        pseudonym_key: bytes,
        sealing_key: bytes,
        on_appended: Callable[[int], None] | None = None,
    ) -> None:
        """``sealing_key`` wraps each case's audit key (derived from the master key as
        ``AUDIT_KEY_PURPOSE``). ``on_appended`` hears the sequence number of every record
        written (the checkpointer counts records with it); it must be quick and must not
        raise."""
        if len(pseudonym_key) < 32:  # noqa: PLR2004 - 256 bits, as subject_pseudonym needs
            raise ValueError("the audit log needs a pseudonym key of at least 32 bytes")
        if sealing_key == pseudonym_key:
            raise ValueError("the sealing key and the pseudonym key must be different keys")
        self._pseudonym_key = pseudonym_key
        self._sealer = AuditSealer(sealing_key)
        self._on_appended = on_appended

    def pseudonym_of_case(self, case_id: str) -> str:
        return subject_pseudonym(self._pseudonym_key, case_subject_reference(case_id))

    async def opened(self, rows: Sequence[StoredRecord]) -> list[StoredRecord]:
        """The records with their sealed fields opened, or shown destroyed (for readers)."""
        return await self._sealer.opened(rows)

    async def opened_columns(
        self, rows: Sequence[Mapping[str, object]]
    ) -> list[Mapping[str, object]]:
        """Rows of ``audit_event`` as stored, their sealed fields opened (tools, tests)."""
        return await self._sealer.opened_columns(rows)

    async def subject_query(self, query: AuditQuery) -> AuditQuery:
        """``query`` able to find the sealed records about its subject pseudonym."""
        if query.data_subject_ref is None:
            return query
        cases = await self._sealer.cases_of_pseudonym(
            query.data_subject_ref, self.pseudonym_of_case
        )
        indexes = await self._sealer.subject_indexes(query.data_subject_ref, cases)
        return replace(query, data_subject_indexes=indexes)

    async def destroy_case_audit_key(self, case_id: str, *, now: datetime) -> bool:
        """Shred the key of the case's audit fields (just before its OpenPGP key, in step 2
        of a destruction); True if a live key went."""
        return await self._sealer.destroy(case_id, now=now)

    def about(self, context: RequestContext, *, at: datetime, **about: Unpack[About]) -> Recording:
        """What one use case records: who asks, since when, about which case or document."""
        return Recording(log=self, context=context, at=at, about=about)

    async def finish(
        self, permit: AuditEntry, action: Action, outcome: Outcome, reason: str, *, at: datetime
    ) -> None:
        """Record how a permitted event ended (a download delivered in full or cut off).

        Never raises: the disclosure itself is on record already, and the caller is
        cleaning up; a lost ending is logged loudly by :meth:`append`.
        """
        ending = replace(
            permit,
            action=action,
            outcome=outcome,
            reason=reason,
            ended_at=at,
            processing_activity=ACTIVITY_OF[action],
        )
        try:
            await self.append(ending)
        except AuditUnavailable:
            return

    async def failed_login(
        self,
        *,
        reason: str,
        client_address: str | None,
        user_agent: str | None,
        trace_id: str | None,
        span_id: str | None,
        at: datetime,
        since: datetime | None = None,
        action: Action = Action.AUTH_LOGIN_FAILED,
        account: Account | None = None,
    ) -> None:
        """Record a refused bearer token or sign-in: from where, never what was typed.

        Successful authentication is not recorded per request (see ``Action.AUTH_LOGIN_FAILED``).
        A failure to record is logged, not raised: the request is refused either way.
        A summary of many refusals (``portal.services.login_throttle``) starts ``since``.
        A refused sign-in to the web pages (``action``) names the ``account`` tried, where
        one has that name.
        """
        entry = AuditEntry(
            started_at=since or at,
            ended_at=at,
            action=action,
            outcome=Outcome.DENY,
            processing_activity=ACTIVITY_OF[action],
            reason=reason,
            actor_user_id=str(account.user_id) if account else None,
            actor_username=account.username if account else None,
            client_address=client_address,
            user_agent=user_agent,
            trace_id=trace_id,
            span_id=span_id,
        )
        try:
            await self.append(entry)
        except AuditUnavailable:
            return

    async def by_operator(
        self,
        action: Action,
        reason: str,
        *,
        operator: str,
        at: datetime,
        case: Case | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        """Record a change an operator made on the command line (``portal user update``,
        ``portal token revoke``, ``portal retention sweep``, ...), where no portal account
        and no request stand behind it: ``operator`` names the shell account. A record about
        a case carries its id, phase and subject pseudonym, as every case record does.
        Raises ``AuditUnavailable`` (fail closed)."""
        await self.append(
            AuditEntry(
                started_at=at,
                ended_at=ended_at or at,
                action=action,
                outcome=Outcome.SUCCESS,
                processing_activity=ACTIVITY_OF[action],
                reason=reason,
                actor_username=f"operator:{operator}",
                actor_role="operator",
                case_id=str(case.id) if case else None,
                phase=str(case.phase) if case else None,
                data_subject_ref=self.pseudonym_of_case(str(case.id)) if case else None,
            )
        )

    def entry(
        self,
        context: RequestContext,
        action: Action,
        outcome: Outcome,
        reason: str,
        *,
        at: datetime,
        ended_at: datetime | None = None,
        about: About,
    ) -> AuditEntry:
        actor = context.actor
        case, document = about.get("case"), about.get("document")
        case_id = str(case.id) if case else (str(document.case_id) if document else None)
        restrictions = document.restrictions if document else None
        return AuditEntry(
            started_at=at,
            ended_at=ended_at or at,
            action=action,
            outcome=outcome,
            processing_activity=ACTIVITY_OF[action],
            reason=reason,
            actor_user_id=str(actor.user_id),
            actor_username=actor.username,
            actor_partij_id=str(actor.partij_id),
            actor_role=",".join(sorted(actor.roles)),
            case_id=case_id,
            phase=str(case.phase) if case else None,
            document_id=str(document.id) if document else None,
            document_sha256=document.sha256 if document else None,
            provider_partij_id=str(document.provider_id) if document else None,
            data_categories=(
                ",".join(sorted(restrictions.data_categories)) if restrictions else None
            ),
            purpose=about.get("purpose"),
            justification=about.get("justification"),
            legal_basis=str(restrictions.legal_basis) if restrictions else None,
            consent_id=(
                str(restrictions.consent_id) if restrictions and restrictions.consent_id else None
            ),
            client_address=context.client_address,
            user_agent=context.user_agent,
            trace_id=context.trace_id,
            span_id=context.span_id,
            data_subject_ref=(
                self.pseudonym_of_case(case_id)
                if case_id is not None
                else about.get("data_subject_ref")
            ),
        )

    async def append(self, entry: AuditEntry) -> None:
        try:
            subject_case = None
            if entry.case_id is None and entry.data_subject_ref is not None:
                # An overview about a person names the person of a case: sealed with it.
                cases = await self._sealer.cases_of_pseudonym(
                    entry.data_subject_ref, self.pseudonym_of_case
                )
                subject_case = cases[0] if cases else None
            # One transaction (joining the caller's, if any): the key lookup runs on the
            # connection the append then uses, rather than on one more from the pool.
            async with write_transaction():
                # Whatever came in, the record is written: escaped and shortened, never refused.
                fit = fit_entry(entry)
                sealed = await self._sealer.seal(fit, subject_case=subject_case)
                try:
                    seq = await self._append(sealed)
                except audit_log_db.SealingKeyGone:
                    # Destroyed (or replaced) by another process since this one last sealed
                    # with it: seal again from the row, which now says so.
                    sealed = await self._sealer.seal(fit, subject_case=subject_case, fresh=True)
                    seq = await self._append(sealed)
        except Exception as exc:
            # The operator needs to know at once: while this fails, no document leaves.
            log.exception("audit log write failed for %s; refusing the action", entry.action)
            raise AuditUnavailable(
                "the audit log cannot be written right now, so nothing was done; try again later"
            ) from exc
        if self._on_appended is not None:
            self._on_appended(seq)

    @staticmethod
    async def _append(sealed: Sealed) -> int:
        return await audit_log_db.append_audit(
            sealed.entry, subject_index=sealed.subject_index, sealed_with=sealed.with_key
        )


@dataclass(frozen=True, kw_only=True)
class Recording:
    """One use case's page of the log: who, since when, about what; the verbs say what
    happened. Each verb writes one record, or raises ``AuditUnavailable`` (fail closed)."""

    log: AuditLog
    context: RequestContext
    at: datetime
    about: About

    async def permit(self, action: Action, reason: str, **more: Unpack[About]) -> AuditEntry:
        """A disclosure may go ahead; the record returned is the one :meth:`AuditLog.finish`
        completes once it has ended."""
        entry = self._entry(action, Outcome.PERMIT, reason, more=more)
        await self.log.append(entry)
        return entry

    async def deny(
        self,
        action: Action,
        reason: str,
        *,
        ended_at: datetime | None = None,
        code: RefusalCode | None = None,
    ) -> Forbidden:
        """A refusal; returns the 403 to raise where the refusal is a plain one, with
        ``code`` saying why (see :mod:`portal.domain.refusal_codes`)."""
        await self.log.append(self._entry(action, Outcome.DENY, reason, ended_at=ended_at))
        return Forbidden(reason, code=code)

    async def deny_by(self, action: Action, decision: Decision) -> Forbidden:
        """A refusal by the rules answered 403 whatever the rule: coded by its rule."""
        return await self.deny(action, decision.reason, code=code_of(decision))

    async def refuse(self, action: Action, decision: Decision) -> ServiceError:
        """A refusal by the rules; returns the error to raise, as the rule says it is
        answered (``portal.domain.rules.REFUSAL_OF``): 403, 409 or 400."""
        await self.deny(action, decision.reason)
        return error_for(decision)

    async def hide(self, action: Action, decision: Decision, what: str) -> NotFound:
        """A refusal of sight: recorded with its reason, answered as if ``what`` did not
        exist, because whether it exists is itself personal data (art. 9.6)."""
        await self.deny(action, decision.reason)
        return NotFound(f"no {what}")

    async def succeed(
        self, action: Action, reason: str, *, ended_at: datetime | None = None
    ) -> None:
        await self.log.append(self._entry(action, Outcome.SUCCESS, reason, ended_at=ended_at))

    async def fail(self, action: Action, reason: str, *, ended_at: datetime | None = None) -> None:
        await self.log.append(self._entry(action, Outcome.FAILURE, reason, ended_at=ended_at))

    def _entry(
        self,
        action: Action,
        outcome: Outcome,
        reason: str,
        *,
        ended_at: datetime | None = None,
        more: About | None = None,
    ) -> AuditEntry:
        about: About = {**self.about, **(more or {})}
        return self.log.entry(
            self.context, action, outcome, reason, at=self.at, ended_at=ended_at, about=about
        )


def error_for(decision: Decision) -> ServiceError:
    """The service error that answers a refusal by the rules."""
    kind, code = refusal_of(decision), code_of(decision)
    if kind is Refusal.CONFLICT:
        return Conflict(decision.reason, code=code)
    if kind is Refusal.INVALID:
        return InvalidInput(decision.reason, code=code)
    return Forbidden(decision.reason, code=code)
