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
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict, Unpack

from portal.db import audit_log as audit_log_db
from portal.domain.actions import Action, Outcome
from portal.domain.audit import (
    AuditEntry,
    case_subject_reference,
    fit_entry,
    subject_pseudonym,
)
from portal.domain.cases import Case
from portal.domain.documents import Document
from portal.domain.partijen import Actor
from portal.domain.register import ACTIVITY_OF
from portal.services.errors import AuditUnavailable, Forbidden

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
    """The one way the services put something on record (see the module docstring)."""

    def __init__(self, *, pseudonym_key: bytes) -> None:
        if len(pseudonym_key) < 32:  # noqa: PLR2004 - 256 bits, as subject_pseudonym needs
            raise ValueError("the audit log needs a pseudonym key of at least 32 bytes")
        self._pseudonym_key = pseudonym_key

    def pseudonym_of_case(self, case_id: str) -> str:
        return subject_pseudonym(self._pseudonym_key, case_subject_reference(case_id))

    async def permit(
        self,
        context: RequestContext,
        action: Action,
        reason: str,
        *,
        at: datetime,
        **about: Unpack[About],
    ) -> AuditEntry:
        """Record that an action may go ahead; returns the record, for :meth:`finish`."""
        entry = self._entry(context, action, Outcome.PERMIT, reason, at=at, about=about)
        await self._append(entry)
        return entry

    async def deny(
        self,
        context: RequestContext,
        action: Action,
        reason: str,
        *,
        at: datetime,
        ended_at: datetime | None = None,
        **about: Unpack[About],
    ) -> Forbidden:
        """Record a refusal; returns the 403 to raise where the refusal is a plain one."""
        await self._append(
            self._entry(
                context, action, Outcome.DENY, reason, at=at, ended_at=ended_at, about=about
            )
        )
        return Forbidden(reason)

    async def succeed(
        self,
        context: RequestContext,
        action: Action,
        reason: str,
        *,
        at: datetime,
        ended_at: datetime | None = None,
        **about: Unpack[About],
    ) -> None:
        await self._append(
            self._entry(
                context, action, Outcome.SUCCESS, reason, at=at, ended_at=ended_at, about=about
            )
        )

    async def fail(
        self,
        context: RequestContext,
        action: Action,
        reason: str,
        *,
        at: datetime,
        ended_at: datetime | None = None,
        **about: Unpack[About],
    ) -> None:
        await self._append(
            self._entry(
                context, action, Outcome.FAILURE, reason, at=at, ended_at=ended_at, about=about
            )
        )

    async def finish(
        self, permit: AuditEntry, action: Action, outcome: Outcome, reason: str, *, at: datetime
    ) -> None:
        """Record how a permitted event ended (a download delivered in full or cut off).

        Never raises: the disclosure itself is on record already, and the caller is
        cleaning up; a lost ending is logged loudly by :meth:`_append`.
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
            await self._append(ending)
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
    ) -> None:
        """Record a refused bearer token: from where, never the token's text.

        Successful authentication is not recorded per request (see ``Action.AUTH_LOGIN_FAILED``).
        A failure to record is logged, not raised: the request is refused either way.
        """
        entry = AuditEntry(
            started_at=at,
            ended_at=at,
            action=Action.AUTH_LOGIN_FAILED,
            outcome=Outcome.DENY,
            processing_activity=ACTIVITY_OF[Action.AUTH_LOGIN_FAILED],
            reason=reason,
            client_address=client_address,
            user_agent=user_agent,
            trace_id=trace_id,
            span_id=span_id,
        )
        try:
            await self._append(entry)
        except AuditUnavailable:
            return

    def _entry(
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

    async def _append(self, entry: AuditEntry) -> None:
        try:
            # Whatever came in, the record is written: escaped and shortened, never refused.
            await audit_log_db.append_audit(fit_entry(entry))
        except Exception as exc:
            # The operator needs to know at once: while this fails, no document leaves.
            log.exception("audit log write failed for %s; refusing the action", entry.action)
            raise AuditUnavailable(
                "the audit log cannot be written right now, so nothing was done; try again later"
            ) from exc
