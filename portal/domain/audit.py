"""The shape of an audit record and the canonical encoding its hash chain is computed over.

Every decision about a document, permit or deny, and every state change leaves one
record. The chain (each record holds its predecessor's hash and its own) makes a changed,
removed or inserted record detectable. No document content ever enters a record.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


class Action(enum.StrEnum):
    """``resource:action`` names of the events the portal records."""

    CASE_CREATE = "case:create"
    CASE_CREATE_DENIED = "case:create:denied"
    CASE_READ_DENIED = "case:read:denied"
    CASE_PHASE = "case:phase"
    CASE_PHASE_DENIED = "case:phase:denied"
    GRANT_CREATE = "grant:create"
    GRANT_CREATE_DENIED = "grant:create:denied"
    GRANT_REVOKE = "grant:revoke"
    GRANT_REVOKE_DENIED = "grant:revoke:denied"
    GRANT_END = "grant:end"
    ARCHIVE_ADMIT = "archive:admit"
    ARCHIVE_ADMIT_DENIED = "archive:admit:denied"
    CONSENT_RECORD = "consent:record"
    CONSENT_RECORD_DENIED = "consent:record:denied"
    CONSENT_WITHDRAW = "consent:withdraw"
    CONSENT_WITHDRAW_DENIED = "consent:withdraw:denied"
    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_APPROVE_DENIED = "document:approve:denied"
    FURTHER_USE_REQUEST = "further-use:request"
    FURTHER_USE_REQUEST_DENIED = "further-use:request:denied"
    FURTHER_USE_DECIDE = "further-use:decide"
    FURTHER_USE_DECIDE_DENIED = "further-use:decide:denied"
    PARTIJ_WITHDRAW = "partij:withdraw"
    PARTIJ_WITHDRAW_DENIED = "partij:withdraw:denied"
    ACCESS_EXPLAIN = "access:explain"
    ACCESS_EXPLAIN_DENIED = "access:explain:denied"
    DOCUMENT_UPLOAD = "document:upload"
    DOCUMENT_UPLOAD_DENIED = "document:upload:denied"
    DOCUMENT_UPLOAD_FAILED = "document:upload:failed"
    DOCUMENT_DOWNLOAD = "document:download"
    DOCUMENT_DOWNLOAD_DENIED = "document:download:denied"
    DOCUMENT_DOWNLOAD_COMPLETE = "document:download:complete"
    DOCUMENT_DOWNLOAD_FAILED = "document:download:failed"
    DOCUMENT_READ_DENIED = "document:read:denied"


class Outcome(enum.StrEnum):
    PERMIT = "permit"
    DENY = "deny"
    SUCCESS = "success"
    FAILURE = "failure"


class ProcessingActivity(enum.StrEnum):
    """Entries of the register of processing activities (art. 24.3) a record refers to."""

    CASE_REGISTRATION = "zvh-casusregistratie"
    ACCESS_MANAGEMENT = "zvh-toegangsbeheer"
    CONSENT_REGISTRATION = "zvh-toestemmingsregistratie"
    DOCUMENT_EXCHANGE = "zvh-documentuitwisseling"


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """What the portal knows about one event when it records it; the store adds the chain."""

    started_at: datetime
    ended_at: datetime
    action: Action
    outcome: Outcome
    reason: str = ""
    actor_user_id: str | None = None
    actor_username: str | None = None
    actor_partij_id: str | None = None
    actor_role: str | None = None
    on_behalf_of: str | None = None
    case_id: str | None = None
    phase: str | None = None
    document_id: str | None = None
    document_sha256: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    consent_id: str | None = None
    justification: str | None = None
    emergency: bool = False
    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    processing_activity: ProcessingActivity | None = None
    data_subject_ref: str | None = None


def canonical_encoding(seq: int, entry: AuditEntry, prev_hash: str) -> bytes:
    """Deterministic bytes of a record: sorted keys, UTC ISO times, no whitespace."""
    fields = asdict(entry)
    for name in ("started_at", "ended_at"):
        fields[name] = fields[name].astimezone(UTC).isoformat(timespec="microseconds")
    fields["seq"] = seq
    fields["prev_hash"] = prev_hash
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256(canonical_encoding(seq, entry, prev_hash)).hexdigest()
