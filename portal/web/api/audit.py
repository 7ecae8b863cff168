"""The register of processing activities, and the audit log for the manager and the FG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Router, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from portal.domain.audit import AuditQuery
from portal.services import audit_reports
from portal.services.audit import RequestContext
from portal.services.audit_reports import ExportFormat
from portal.web.audit_export import MEDIA_TYPES, export_body, export_file_name
from portal.web.schemas import AuditPageOut, RegisterEntryOut, SubjectOverviewOut, to_wire
from portal.web.state import PortalDeps

DEFAULT_PAGE = 100


def audit_filters(
    case: FromQuery[UUID | None] = None,
    partij: FromQuery[UUID | None] = None,
    user: FromQuery[str | None] = None,
    action: FromQuery[list[str] | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
) -> AuditQuery:
    """The filters a reader may put on the log, parsed once for reading and export."""
    return AuditQuery(
        case_id=str(case) if case else None,
        partij_id=str(partij) if partij else None,
        user=user,
        actions=frozenset(action or ()),
        since=since,
        until=until,
    )


@get("/register", summary="The register of processing activities (art. 24.3)", tags=["audit"])
async def processing_register() -> list[RegisterEntryOut]:
    return to_wire(audit_reports.processing_register(), list[RegisterEntryOut])


@get(
    "/audit",
    summary="Audit records, filtered and paged (manager and FG; the read is recorded)",
    tags=["audit"],
)
async def read_audit_log(
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
    filters: NamedDependency[AuditQuery],
    after: FromQuery[int] = 0,
    limit: FromQuery[int] = DEFAULT_PAGE,
) -> AuditPageOut:
    page = await audit_reports.read_audit_log(
        context, filters, after=after, limit=limit, audit=deps.audit, clock=deps.clock
    )
    return to_wire(page, AuditPageOut)


@dataclass
class ExportOperation(Operation):
    """The export streams CSV or JSON lines, as ``format`` asks: Litestar documents one type."""

    def __post_init__(self) -> None:
        success = (self.responses or {}).get("200")
        if isinstance(success, OpenAPIResponse):
            success.content = {
                media_type: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
                for media_type in sorted(set(MEDIA_TYPES.values()))
            }


@get(
    "/audit/export",
    summary="Export audit records: CSV for Dutch Excel, the search's records or Logboek "
    "Dataverwerkingen spans as JSON lines",
    description=(
        "The filters and the scope of `GET /api/v1/audit` (an FG exports its own partij's "
        "records only), streamed as an attachment; the export is itself on record "
        "(`audit:export`). `format=csv`: semicolon-separated UTF-8 with a byte order mark, "
        "CRLF, Dutch column headers, times in Europe/Amsterdam with their offset, formulas "
        "neutralised. `format=records`: one record per line, as the search answers it. "
        "`format=jsonl` (default): one Logboek Dataverwerkingen span per line."
    ),
    tags=["audit"],
    operation_class=ExportOperation,
)
async def export_audit_log(
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
    export_format: Annotated[ExportFormat, QueryParameter(name="format")] = ExportFormat.JSONL,
    *,
    filters: NamedDependency[AuditQuery],
) -> Stream:
    batches = await audit_reports.export_audit_log(
        context, filters, export_format=export_format, audit=deps.audit, clock=deps.clock
    )
    file_name = export_file_name(export_format, deps.clock())
    return Stream(
        export_body(batches, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


@get(
    "/audit/disclosures/{partij_id:uuid}",
    summary="A providing partij's disclosure record: every download of its documents",
    tags=["audit"],
)
async def disclosure_record(
    context: NamedDependency[RequestContext],
    partij_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
    after: FromQuery[int] = 0,
    limit: FromQuery[int] = DEFAULT_PAGE,
) -> AuditPageOut:
    page = await audit_reports.disclosure_record(
        context, str(partij_id), after=after, limit=limit, audit=deps.audit, clock=deps.clock
    )
    return to_wire(page, AuditPageOut)


@get(
    "/audit/subjects",
    summary="What an inzage request needs about one data subject (art. 18.1)",
    description="Name the subject by its pseudonym (`data_subject_id`) or by a case (`case`).",
    tags=["audit"],
)
async def subject_overview(
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
    data_subject_id: FromQuery[str | None] = None,
    case: FromQuery[UUID | None] = None,
) -> SubjectOverviewOut:
    overview = await audit_reports.overview_of_subject(
        context,
        data_subject_ref=data_subject_id,
        case_id=str(case) if case else None,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(overview, SubjectOverviewOut)


router = Router(
    "/api/v1",
    dependencies={"filters": Provide(audit_filters, sync_to_thread=False)},
    route_handlers=[
        processing_register,
        read_audit_log,
        export_audit_log,
        disclosure_record,
        subject_overview,
    ],
)
