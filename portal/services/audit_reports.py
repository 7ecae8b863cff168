"""Reading the audit log: pages, exports, a partij's disclosure record, a subject's overview.

Only the manager and the FG read the log (``access.may_read_audit_log``), and every read
is itself recorded before anything is returned (``audit:read``, ``audit:export``): if
that record cannot be written, nothing is read (fail closed).

Exports are the records the search would page through, handed over in batches; the web
layer writes them as CSV for a spreadsheet, as JSON lines of the search's records, or as
JSON lines shaped after the government standard Logboek Dataverwerkingen (a span per
record: ``trace_id``, ``span_id``, ``name``, ``status_code``, ``start_time``,
``end_time`` and ``attributes`` with ``dpl.core.processing_activity_id`` and
``dpl.core.data_subject_id``).

Readers see a record's personal fields opened (``portal.services.audit_sealing``), or
``[vernietigd]`` once its case is destroyed. Its ``hash`` is over the stored, sealed form,
so a record as read does not rehash to it: ``portal audit verify`` checks the chain where
it is stored.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, replace

from portal.db import audit_log as audit_log_db
from portal.domain import access
from portal.domain.actions import Action, Outcome
from portal.domain.audit import (
    DISCLOSURE_ACTIONS,
    AuditQuery,
    SubjectOverview,
    subject_overview,
)
from portal.domain.audit_chain import StoredRecord
from portal.domain.refusal_codes import code_of
from portal.domain.register import REGISTER, RegisterEntry
from portal.services.audit import About, AuditLog, RequestContext
from portal.services.audit_sealing import DESTROYED, UNREADABLE
from portal.services.clock import Clock
from portal.services.errors import InvalidInput

MAX_PAGE = 1000
MAX_SEQ = 2**63 - 1
"""The largest sequence number the database can hold (a signed 64-bit column): a larger
``after`` would not be a page past the end but an overflow inside the driver."""
EXPORT_BATCH = 1000
SERVICE_NAME = "rto-portal"

AuditRecord = Mapping[str, object]
"""One record as a reader sees it: ``seq``, the hashed fields (canonical), and ``hash``."""


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    """For a spreadsheet: one column per field, Dutch headers (``portal.web.audit_export``)."""
    JSONL = "jsonl"
    """JSON lines after the government standard Logboek Dataverwerkingen (:func:`logboek_span`)."""
    RECORDS = "records"
    """JSON lines, one record per line exactly as the search API answers it."""


@dataclass(frozen=True, kw_only=True)
class AuditPage:
    records: Sequence[AuditRecord]
    next_after: int | None
    """Pass as ``after`` for the next page; None when this was the last."""


def processing_register() -> list[RegisterEntry]:
    """The register of processing activities (art. 24.3): public to every user."""
    return list(REGISTER.values())


async def _admit_reader(
    context: RequestContext,
    action: Action,
    denied: Action,
    *,
    reason: str,
    audit: AuditLog,
    clock: Clock,
    data_subject_ref: str | None = None,
) -> None:
    """Decide, and record the read before a single record is returned."""
    decision = access.may_read_audit_log(context.actor)
    now = clock()
    about: About = {"data_subject_ref": data_subject_ref} if data_subject_ref else {}
    reason = f"{decision.reason}; {reason}"
    record = audit.about(context, at=now, **about)
    if decision.allowed:
        await record.permit(action, reason)
        return
    raise await record.deny(denied, reason, code=code_of(decision))


def _describe(query: AuditQuery) -> str:
    parts = [
        f"{name}={value}"
        for name, value in (
            ("case", query.case_id),
            ("partij", query.partij_id),
            ("provider", query.provider_partij_id),
            ("user", query.user),
            ("subject", query.data_subject_ref),
            ("since", query.since.isoformat() if query.since else None),
            ("until", query.until.isoformat() if query.until else None),
        )
        if value is not None
    ]
    if query.actions:
        parts.append("actions=" + ",".join(sorted(query.actions)))
    return "filters: " + (" ".join(parts) if parts else "none")


def scoped(context: RequestContext, query: AuditQuery) -> AuditQuery:
    """The query narrowed to what the reader may read: an FG its own partij's records."""
    partij = access.supervised_partij(context.actor)
    return replace(query, scope_partij_id=str(partij) if partij is not None else None)


def audit_record(row: StoredRecord) -> AuditRecord:
    """A stored record as the search answers it, and the ``records`` export writes it."""
    return {"seq": row.seq, **row.fields, "hash": row.hash}


def _check_page(after: int, limit: int) -> None:
    if not 0 <= after <= MAX_SEQ:
        raise InvalidInput(f"after must be 0 to {MAX_SEQ}")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be 1 to {MAX_PAGE}")


async def read_audit_log(
    context: RequestContext,
    query: AuditQuery,
    *,
    after: int,
    limit: int,
    audit: AuditLog,
    clock: Clock,
) -> AuditPage:
    _check_page(after, limit)
    await _admit_reader(
        context,
        Action.AUDIT_READ,
        Action.AUDIT_READ_DENIED,
        reason=_describe(query),
        audit=audit,
        clock=clock,
    )
    selection = await audit.subject_query(scoped(context, query))
    rows = await audit.opened(
        await audit_log_db.audit_page(selection, after_seq=after, limit=limit)
    )
    return AuditPage(
        records=[audit_record(row) for row in rows],
        next_after=rows[-1].seq if len(rows) == limit else None,
    )


async def disclosure_record(
    context: RequestContext,
    provider_partij_id: str,
    *,
    after: int,
    limit: int,
    audit: AuditLog,
    clock: Clock,
) -> AuditPage:
    """Every download of the partij's documents: recipient, purpose, basis, justification."""
    query = AuditQuery(
        provider_partij_id=provider_partij_id,
        actions=frozenset(action.value for action in DISCLOSURE_ACTIONS),
    )
    return await read_audit_log(context, query, after=after, limit=limit, audit=audit, clock=clock)


async def overview_of_subject(
    context: RequestContext,
    *,
    data_subject_ref: str | None,
    case_id: str | None,
    audit: AuditLog,
    clock: Clock,
) -> SubjectOverview:
    """What an inzage request needs (art. 18.1), for a pseudonym or the person of a case."""
    if (data_subject_ref is None) == (case_id is None):
        raise InvalidInput("name either a data subject pseudonym or a case id")
    pseudonym = data_subject_ref or audit.pseudonym_of_case(str(case_id))
    await _admit_reader(
        context,
        Action.AUDIT_READ,
        Action.AUDIT_READ_DENIED,
        reason="overview for an inzage request (art. 18.1)",
        audit=audit,
        clock=clock,
        data_subject_ref=pseudonym,
    )
    rows: list[AuditRecord] = []
    after = 0
    query = await audit.subject_query(scoped(context, AuditQuery(data_subject_ref=pseudonym)))
    while batch := await audit_log_db.audit_page(query, after_seq=after, limit=EXPORT_BATCH):
        rows.extend(row.fields for row in batch)
        after = batch[-1].seq
    return subject_overview(pseudonym, rows)


async def export_audit_log(
    context: RequestContext,
    query: AuditQuery,
    *,
    export_format: ExportFormat,
    audit: AuditLog,
    clock: Clock,
) -> AsyncIterator[Sequence[StoredRecord]]:
    """Decide and record the export, then the records in batches, read page by page as
    the caller consumes them: a whole log is never held in memory. The scope is the
    search's (:func:`scoped`): an FG exports its own partij's records only."""
    await _admit_reader(
        context,
        Action.AUDIT_EXPORT,
        Action.AUDIT_EXPORT_DENIED,
        reason=f"export as {export_format}; {_describe(query)}",
        audit=audit,
        clock=clock,
    )
    return _batches(await audit.subject_query(scoped(context, query)), audit)


async def _batches(query: AuditQuery, audit: AuditLog) -> AsyncIterator[Sequence[StoredRecord]]:
    after = 0
    while batch := await audit_log_db.audit_page(query, after_seq=after, limit=EXPORT_BATCH):
        after = batch[-1].seq
        # Each batch looks its keys up afresh: a case destroyed meanwhile reads destroyed.
        yield await audit.opened(batch)


_OK_OUTCOMES = frozenset({Outcome.PERMIT.value, Outcome.SUCCESS.value})
GONE = frozenset({DESTROYED, UNREADABLE})


def logboek_span(row: StoredRecord) -> dict[str, object]:
    """One record as a Logboek Dataverwerkingen span."""
    fields = row.fields
    # A destroyed case's subject has no pseudonym any more: no id, rather than a placeholder.
    subject = fields["data_subject_ref"] if fields["data_subject_ref"] not in GONE else None
    attributes: dict[str, object] = {
        "dpl.core.processing_activity_id": fields["processing_activity"],
        "dpl.core.data_subject_id": subject,
        "dpl.core.data_subject_id_type": "pseudonym" if subject else None,
    }
    skip = {"started_at", "ended_at", "action", "trace_id", "span_id", "processing_activity"}
    attributes.update(
        {f"portal.{name}": value for name, value in fields.items() if name not in skip}
    )
    attributes["portal.seq"] = row.seq
    attributes["portal.hash"] = row.hash
    return {
        "trace_id": fields["trace_id"],
        "span_id": fields["span_id"],
        "name": fields["action"],
        "status_code": "OK" if fields["outcome"] in _OK_OUTCOMES else "ERROR",
        "start_time": fields["started_at"],
        "end_time": fields["ended_at"],
        "resource": {"service.name": SERVICE_NAME},
        "attributes": {key: value for key, value in attributes.items() if value is not None},
    }
