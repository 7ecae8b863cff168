"""Consent records of the providing partij (art. 7.2, 13.7)."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from portal.services import consents
from portal.services.audit import RequestContext
from portal.web.schemas import ConsentIn, ConsentOut, WithdrawalIn, to_wire
from portal.web.state import PortalDeps


@post(
    "/consents",
    summary="Record a consent the caller's partij obtained",
    tags=["consent"],
    status_code=HTTP_201_CREATED,
)
async def record_consent(
    context: NamedDependency[RequestContext],
    data: JSONBody[ConsentIn],
    deps: NamedDependency[PortalDeps],
) -> ConsentOut:
    consent = await consents.record_consent(
        context,
        subject_pseudonym=data.subject_pseudonym,
        scope=data.scope,
        obtained_by=data.obtained_by,
        obtained_at=data.obtained_at,
        audit=deps.audit,
        clock=deps.clock,
    )
    return to_wire(consent, ConsentOut)


@post(
    "/consents/{consent_id:uuid}/withdraw",
    summary="Withdraw a consent: no further download of documents provided on it",
    tags=["consent"],
    status_code=200,
)
async def withdraw_consent(
    context: NamedDependency[RequestContext],
    consent_id: FromPath[UUID],
    data: JSONBody[WithdrawalIn],
    deps: NamedDependency[PortalDeps],
) -> ConsentOut:
    consent = await consents.withdraw_consent(
        context, consent_id=consent_id, reason=data.reason, audit=deps.audit, clock=deps.clock
    )
    return to_wire(consent, ConsentOut)


router = Router("/api/v1", route_handlers=[record_consent, withdraw_consent])
