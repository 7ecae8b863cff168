"""Retention (art. 9.4, 11): legal holds, early destruction, the calendar, and a provider
removing its own document. Every reason goes in the body, never in the URL."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from portal.services import document_removal, legal_holds, retention
from portal.services.audit import RequestContext
from portal.web.schemas import (
    CalendarEntryOut,
    DestructionOut,
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


router = Router(
    "/api/v1",
    route_handlers=[place_hold, lift_hold, destroy_early, retention_calendar, remove_document],
)
