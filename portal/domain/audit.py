"""The audit record: what the portal knows about one event, how a reader selects records,
and the pseudonym under which the person an event is about appears.

No document content ever enters a record. The chain over the records and its verifier are
in :mod:`portal.domain.audit_chain`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Final

from portal.domain.actions import Action, Outcome
from portal.domain.register import ProcessingActivity


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """What the portal knows about one event when it records it; the store adds the chain."""

    started_at: datetime
    ended_at: datetime
    action: Action
    outcome: Outcome
    processing_activity: ProcessingActivity
    """The register entry this event is part of (art. 24.3): every record names one."""
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
    provider_partij_id: str | None = None
    """The partij that provided the document: whose disclosure record this is (art. 8)."""
    data_categories: str | None = None
    """The document's declared data categories, comma separated (Bijlage 4)."""
    purpose: str | None = None
    legal_basis: str | None = None
    consent_id: str | None = None
    justification: str | None = None
    emergency: bool = False
    client_address: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    data_subject_ref: str | None = None
    """The keyed pseudonym of the person the event is about (:func:`subject_pseudonym`)."""


FIELD_NAMES: Final[tuple[str, ...]] = tuple(field.name for field in fields(AuditEntry))
"""The columns a record's hash covers, besides ``seq`` and ``prev_hash``."""


@dataclass(frozen=True, kw_only=True)
class AuditQuery:
    """Which records a reader asks for; every field narrows the selection."""

    case_id: str | None = None
    partij_id: str | None = None
    """Records of events by this partij's users, or about documents it provided."""
    provider_partij_id: str | None = None
    user: str | None = None
    """A user id or username."""
    actions: frozenset[str] = frozenset()
    data_subject_ref: str | None = None
    data_subject_indexes: frozenset[str] = frozenset()
    """Set by the portal, never by the reader: the blind indexes under which the sealed
    records about ``data_subject_ref`` are found (``portal.services.audit_sealing``)."""
    since: datetime | None = None
    until: datetime | None = None
    scope_partij_id: str | None = None
    """Set by the portal, never by the reader: the partij an FG supervises. Only records in
    which that partij acts or provides are read (art. 24.4, 24.6)."""


DISCLOSURE_ACTIONS: Final = frozenset(
    {
        Action.DOCUMENT_DOWNLOAD,
        Action.DOCUMENT_DOWNLOAD_COMPLETE,
        Action.DOCUMENT_DOWNLOAD_FAILED,
    }
)
"""The records that make a partij's disclosure record (art. 8: art. 32 Wpg, 39j Wjsg)."""


@dataclass(frozen=True, kw_only=True)
class SubjectOverview:
    """What an inzage request (art. 18.1) needs about one data subject, from the log."""

    data_subject_ref: str
    purposes: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    """Partij ids to which documents about the subject were disclosed."""
    sources: tuple[str, ...]
    """Partij ids that provided documents about the subject."""
    processing_activities: tuple[str, ...]
    first_at: str | None
    last_at: str | None
    records: int


def subject_overview(
    data_subject_ref: str, records: Iterable[Mapping[str, object]]
) -> SubjectOverview:
    """Summarise the records about one subject (canonical fields, as the log stores them)."""
    purposes: set[str] = set()
    categories: set[str] = set()
    recipients: set[str] = set()
    sources: set[str] = set()
    activities: set[str] = set()
    times: list[str] = []
    count = 0
    for record in records:
        count += 1
        times.append(str(record["started_at"]))
        activities.add(str(record["processing_activity"]))
        action = record["action"]
        if isinstance(record["data_categories"], str) and record["data_categories"]:
            categories.update(record["data_categories"].split(","))
        if action == Action.DOCUMENT_DOWNLOAD:
            if isinstance(record["purpose"], str):
                purposes.add(record["purpose"])
            if isinstance(record["actor_partij_id"], str):
                recipients.add(record["actor_partij_id"])
        if action == Action.DOCUMENT_UPLOAD and isinstance(record["provider_partij_id"], str):
            sources.add(record["provider_partij_id"])
    return SubjectOverview(
        data_subject_ref=data_subject_ref,
        purposes=tuple(sorted(purposes)),
        data_categories=tuple(sorted(categories)),
        recipients=tuple(sorted(recipients)),
        sources=tuple(sorted(sources)),
        processing_activities=tuple(sorted(activities)),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        records=count,
    )


# --- data-subject pseudonyms -----------------------------------------------------------------

_PSEUDONYM_LABEL: Final = b"rto-portal:data-subject:v1\x00"


def subject_pseudonym(key: bytes, subject_reference: str) -> str:
    """A keyed hash (HMAC-SHA256) of a data-subject reference, for the audit log.

    Without the key (derived from the master key, never stored) nobody can test a
    guessed reference (a BSN has only 10^9 values) against the log; with it, the portal
    finds every record about one person for an inzage request (art. 18.1).
    """
    if len(key) < 32:  # noqa: PLR2004 - 256 bits, the HMAC-SHA256 block of security
        raise ValueError("a pseudonym key has at least 32 bytes")
    if not subject_reference:
        raise ValueError("an empty subject reference has no pseudonym")
    message = _PSEUDONYM_LABEL + subject_reference.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def case_subject_reference(case_id: str) -> str:
    """The subject reference of a case: the person its plan of action is about (cat. 1).

    A case stands for one person (Bijlage 4, category 1), and the portal holds no BSN or
    name, so the case id is the reference; pseudonymised, it links the records about that
    person without naming the case to a reader of an export.
    """
    return f"casus:{case_id}"


# --- what a record can hold ------------------------------------------------------------------

RECORD_TEXT_LIMITS: Final[Mapping[str, int]] = {
    "reason": 2000,
    "actor_username": 100,
    "actor_role": 200,
    "on_behalf_of": 100,
    "phase": 20,
    "data_categories": 300,
    "purpose": 40,
    "legal_basis": 20,
    "justification": 2000,
    "client_address": 64,
    "user_agent": 300,
}
"""The longest text each field of a record holds (the columns of ``audit_event``)."""

_ELLIPSIS: Final = "…"


def fit_for_record(text: str, limit: int) -> str:
    """``text`` made safe to keep: control characters escaped, cut to ``limit`` characters.

    A refusal must be recorded whatever the input was (a NUL byte, a 10,000-character
    purpose): the record keeps a faithful, visibly escaped and shortened copy rather than
    failing to be written. Escaped as ``\\xNN`` / ``\\uNNNN`` so a reader sees what came in.
    """
    escaped = "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
    if len(escaped) <= limit:
        return escaped
    return escaped[: limit - len(_ELLIPSIS)] + _ELLIPSIS


def fit_entry(entry: AuditEntry) -> AuditEntry:
    """The entry with every text field fit for its column (:func:`fit_for_record`)."""
    changes: dict[str, Any] = {
        name: fit_for_record(value, limit)
        for name, limit in RECORD_TEXT_LIMITS.items()
        if isinstance(value := getattr(entry, name), str)
    }
    return replace(entry, **changes)
