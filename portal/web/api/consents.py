"""Consent records of the providing partij (art. 7.2, 13.7)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from portal.services import consents
from portal.web.auth import request_context
from portal.web.schemas import ConsentIn, ConsentOut, WithdrawalIn
from portal.web.state import PortalDeps


@post(
    "/api/v1/consents",
    summary="Record a consent the caller's partij obtained",
    tags=["consent"],
    status_code=HTTP_201_CREATED,
)
async def record_consent(
    request: Request[Any, Any, Any], data: JSONBody[ConsentIn], deps: NamedDependency[PortalDeps]
) -> ConsentOut:
    consent = await consents.record_consent(
        request_context(request),
        subject_pseudonym=data.subject_pseudonym,
        scope=data.scope,
        obtained_by=data.obtained_by,
        obtained_at=data.obtained_at,
        audit=deps.audit,
        clock=deps.clock,
    )
    return ConsentOut.of(consent)


@post(
    "/api/v1/consents/{consent_id:uuid}/withdraw",
    summary="Withdraw a consent: no further download of documents provided on it",
    tags=["consent"],
    status_code=200,
)
async def withdraw_consent(
    request: Request[Any, Any, Any],
    consent_id: FromPath[UUID],
    data: JSONBody[WithdrawalIn],
    deps: NamedDependency[PortalDeps],
) -> ConsentOut:
    consent = await consents.withdraw_consent(
        request_context(request),
        consent_id=consent_id,
        reason=data.reason,
        audit=deps.audit,
        clock=deps.clock,
    )
    return ConsentOut.of(consent)
