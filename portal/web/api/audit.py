"""The register of processing activities, and the audit log for the manager and the FG."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from portal.domain.audit import AuditQuery
from portal.services import audit_reports
from portal.services.audit_reports import ExportFormat
from portal.web.auth import request_context
from portal.web.state import PortalDeps

DEFAULT_PAGE = 100


class RegisterEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    """One processing activity with the fields of art. 24.3 a-h."""

    id: str
    name: str
    controller: str
    purposes: list[str]
    data_categories: list[str]
    subject_categories: list[str]
    recipients: list[str]
    third_country_transfers: str
    retention: str
    security_measures: list[str]


class AuditPageOut(msgspec.Struct, frozen=True, kw_only=True):
    records: list[dict[str, Any]]
    next_after: int | None
    """Ask again with ``after`` set to this for the next page; null on the last page."""


class SubjectOverviewOut(msgspec.Struct, frozen=True, kw_only=True):
    data_subject_id: str
    purposes: list[str]
    data_categories: list[str]
    recipients: list[str]
    sources: list[str]
    processing_activities: list[str]
    first_at: str | None
    last_at: str | None
    records: int


def _query(
    *,
    case: UUID | None,
    partij: UUID | None,
    user: str | None,
    action: list[str] | None,
    since: datetime | None,
    until: datetime | None,
) -> AuditQuery:
    return AuditQuery(
        case_id=str(case) if case else None,
        partij_id=str(partij) if partij else None,
        user=user,
        actions=frozenset(action or ()),
        since=since,
        until=until,
    )


def _page(page: audit_reports.AuditPage) -> AuditPageOut:
    return AuditPageOut(records=[dict(r) for r in page.records], next_after=page.next_after)


@get(
    "/api/v1/register", summary="The register of processing activities (art. 24.3)", tags=["audit"]
)
async def processing_register() -> list[RegisterEntryOut]:
    return [
        RegisterEntryOut(
            id=entry.id.value,
            name=entry.name,
            controller=entry.controller,
            purposes=list(entry.purposes),
            data_categories=list(entry.data_categories),
            subject_categories=list(entry.subject_categories),
            recipients=list(entry.recipients),
            third_country_transfers=entry.third_country_transfers,
            retention=entry.retention,
            security_measures=list(entry.security_measures),
        )
        for entry in audit_reports.processing_register()
    ]


@get(
    "/api/v1/audit",
    summary="Audit records, filtered and paged (manager and FG; the read is recorded)",
    tags=["audit"],
)
async def read_audit_log(
    request: Request[Any, Any, Any],
    deps: NamedDependency[PortalDeps],
    *,
    case: FromQuery[UUID | None] = None,
    partij: FromQuery[UUID | None] = None,
    user: FromQuery[str | None] = None,
    action: FromQuery[list[str] | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    after: FromQuery[int] = 0,
    limit: FromQuery[int] = DEFAULT_PAGE,
) -> AuditPageOut:
    page = await audit_reports.read_audit_log(
        request_context(request),
        _query(case=case, partij=partij, user=user, action=action, since=since, until=until),
        after=after,
        limit=limit,
        audit=deps.audit,
        clock=deps.clock,
    )
    return _page(page)


@get(
    "/api/v1/audit/export",
    summary="Export audit records as CSV or as Logboek Dataverwerkingen JSON lines",
    tags=["audit"],
    media_type="text/plain",
)
async def export_audit_log(
    request: Request[Any, Any, Any],
    deps: NamedDependency[PortalDeps],
    *,
    export_format: Annotated[ExportFormat, QueryParameter(name="format")] = ExportFormat.JSONL,
    case: FromQuery[UUID | None] = None,
    partij: FromQuery[UUID | None] = None,
    user: FromQuery[str | None] = None,
    action: FromQuery[list[str] | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
) -> Stream:
    chunks = await audit_reports.export_audit_log(
        request_context(request),
        _query(case=case, partij=partij, user=user, action=action, since=since, until=until),
        export_format=export_format,
        audit=deps.audit,
        clock=deps.clock,
    )
    media_type = "text/csv" if export_format is ExportFormat.CSV else "application/jsonl"
    return Stream(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="audit.{export_format}"',
            "Cache-Control": "no-store",
        },
    )


@get(
    "/api/v1/audit/disclosures/{partij_id:uuid}",
    summary="A providing partij's disclosure record: every download of its documents",
    tags=["audit"],
)
async def disclosure_record(
    request: Request[Any, Any, Any],
    partij_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
    after: FromQuery[int] = 0,
    limit: FromQuery[int] = DEFAULT_PAGE,
) -> AuditPageOut:
    page = await audit_reports.disclosure_record(
        request_context(request),
        str(partij_id),
        after=after,
        limit=limit,
        audit=deps.audit,
        clock=deps.clock,
    )
    return _page(page)


@get(
    "/api/v1/audit/subjects",
    summary="What an inzage request needs about one data subject (art. 18.1)",
    description="Name the subject by its pseudonym (`data_subject_id`) or by a case (`case`).",
    tags=["audit"],
)
async def subject_overview(
    request: Request[Any, Any, Any],
    deps: NamedDependency[PortalDeps],
    data_subject_id: FromQuery[str | None] = None,
    case: FromQuery[UUID | None] = None,
) -> SubjectOverviewOut:
    overview = await audit_reports.overview_of_subject(
        request_context(request),
        data_subject_ref=data_subject_id,
        case_id=str(case) if case else None,
        audit=deps.audit,
        clock=deps.clock,
    )
    return SubjectOverviewOut(
        data_subject_id=overview.data_subject_ref,
        purposes=list(overview.purposes),
        data_categories=list(overview.data_categories),
        recipients=list(overview.recipients),
        sources=list(overview.sources),
        processing_activities=list(overview.processing_activities),
        first_at=overview.first_at,
        last_at=overview.last_at,
        records=overview.records,
    )
