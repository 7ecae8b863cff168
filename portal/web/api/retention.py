"""Retention (art. 9.4, 11): legal holds, early destruction, the calendar, a provider
removing its own document, destruction reports and the figures kept (art. 11.3). Every
reason goes in the body, never in the URL."""

from __future__ import annotations

import base64
from datetime import date
from uuid import UUID

from litestar import MediaType, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from portal.services import document_removal, figures, legal_holds, retention
from portal.services.audit import RequestContext
from portal.web.schemas import (
    CalendarEntryOut,
    DestructionOut,
    FiguresOut,
    LegalHoldOut,
    ReasonIn,
    RemovalOut,
    calendar_entry_out,
    to_wire,
)
from portal.web.state import PortalDeps


@post(
    "/cases/{case_id:uuid}/legal-hold",
    summary="Place a legal hold on a case (manager): it is not destroyed until lifted",
    description=(
        "The sweep and early destruction both leave a held case alone; past +12 months it "
        "stays archived. 409 when the case is held already or destroyed (or due)."
    ),
    tags=["retention"],
    status_code=HTTP_201_CREATED,
)
async def place_hold(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[ReasonIn],
    deps: NamedDependency[PortalDeps],
) -> LegalHoldOut:
    hold = await legal_holds.place_hold(
        context, case_id=case_id, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(hold, LegalHoldOut)


@post(
    "/cases/{case_id:uuid}/legal-hold/lift",
    summary="Lift the legal hold on a case (manager); the first sweep after it destroys a "
    "case past +12 months",
    tags=["retention"],
    status_code=HTTP_200_OK,
)
async def lift_hold(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[ReasonIn],
    deps: NamedDependency[PortalDeps],
) -> LegalHoldOut:
    hold = await legal_holds.lift_hold(
        context, case_id=case_id, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(hold, LegalHoldOut)


@post(
    "/cases/{case_id:uuid}/destroy",
    summary="Destroy a decided case before +12 months (its procesregisseur, art. 9.4, 11.2)",
    description=(
        "The same destruction as the sweep: key, every object version, the personal rows. "
        "409 while the case is open or under a legal hold."
    ),
    tags=["retention"],
    status_code=HTTP_200_OK,
)
async def destroy_early(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    data: JSONBody[ReasonIn],
    deps: NamedDependency[PortalDeps],
) -> DestructionOut:
    destruction = await retention.destroy_early(
        context,
        case_id=case_id,
        reason=data.reason,
        store=deps.vault.store,
        keys=deps.vault.keys,
        signer=deps.signer,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(destruction, DestructionOut)


@get(
    "/retention",
    summary="The retention calendar: the caller's cases by next event (procesregisseur, manager)",
    description=(
        "Each case the caller oversees (its procesregisseurs, the manager), with its regime, "
        "decision date, archive and destruction dates and hold; next event first, open cases "
        "last. `until` (a date) keeps the cases whose next event falls on or before it."
    ),
    tags=["retention"],
)
async def retention_calendar(
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
    until: FromQuery[date | None] = None,
) -> list[CalendarEntryOut]:
    entries = await retention.retention_calendar(context, until=until, clock=deps.clock)
    return [calendar_entry_out(entry) for entry in entries]


@post(
    "/documents/{document_id:uuid}/remove",
    summary="Remove one's own document from its case, every stored version (provider)",
    tags=["retention"],
    status_code=HTTP_200_OK,
)
async def remove_document(
    context: NamedDependency[RequestContext],
    document_id: FromPath[UUID],
    data: JSONBody[ReasonIn],
    deps: NamedDependency[PortalDeps],
) -> RemovalOut:
    removal = await document_removal.remove_document(
        context,
        document_id=document_id,
        reason=data.reason,
        store=deps.vault.store,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(removal, RemovalOut)


@get(
    "/cases/{case_id:uuid}/destruction-report",
    summary="The signed report of a case's destruction (manager, procesregisseur)",
    description=(
        "Clear-signed OpenPGP text: `gpg --verify` with the portal's public key (`portal "
        "retention report ID --dir DIR` writes it) checks it. What was destroyed, when, "
        "under which rule, and counts; nothing the case was known by. Its SHA-256 is in "
        "the case's `case:destroy` record and the `Repr-Digest` header. 404 when the case "
        "has no report (it is not destroyed)."
    ),
    tags=["retention"],
    media_type=MediaType.TEXT,
)
async def destruction_report(
    context: NamedDependency[RequestContext],
    case_id: FromPath[UUID],
    deps: NamedDependency[PortalDeps],
) -> Response[str]:
    report = await figures.destruction_report(
        context, case_id=case_id, audit=deps.audit, clock=deps.clock
    )
    return Response(
        report.signed_text,
        media_type=MediaType.TEXT,
        headers={
            # RFC 9530: the hash of the body as sent, the one the case:destroy record names.
            "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(report.sha256)).decode()}:",
            "Cache-Control": "no-store",
        },
    )


@get(
    "/figures",
    summary="Management figures of destroyed cases per period (manager, art. 11.3)",
    description=(
        "Per month the cases' destruction began: cases, mean and median days per phase, "
        "documents, downloads, grants, partij kinds, outcomes and rules. A month with "
        "fewer than `min_cases` cases is merged with the next; `since` and `until` (dates) "
        "select whole months."
    ),
    tags=["retention"],
)
async def management_figures(
    context: NamedDependency[RequestContext],
    deps: NamedDependency[PortalDeps],
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
) -> FiguresOut:
    result = await figures.management_figures(
        context, since=since, until=until, audit=deps.audit, clock=deps.clock
    )
    return to_wire(result, FiguresOut)


router = Router(
    "/api/v1",
    route_handlers=[
        place_hold,
        lift_hold,
        destroy_early,
        retention_calendar,
        remove_document,
        destruction_report,
        management_figures,
    ],
)
