"""Reading what destruction keeps: the management figures per period (art. 11.3) and a
case's signed destruction report (art. 9.4, 11.2c).

Neither holds personal data, so a read is not recorded; a refusal is, like every refusal.
The figures' periods are months: a date given to select them counts for its whole month.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from portal.db import cases as cases_db
from portal.db import figures as figures_db
from portal.db import signing_keys as signing_keys_db
from portal.domain import access
from portal.domain.actions import Action
from portal.domain.figures import Figures, figures_by_period, month_of
from portal.services.audit import About, AuditLog, RequestContext
from portal.services.audit_chain import AUDIT_KEY_PURPOSE
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound


async def operator_figures(*, since: date | None, until: date | None) -> Figures:
    """The figures per period, for the operator's shell (``portal figures``)."""
    if since is not None and until is not None and since > until:
        raise InvalidInput("the start of the period comes after its end")
    rows = await figures_db.case_figures(
        first_month=month_of(since) if since else None,
        last_month=month_of(until) if until else None,
    )
    return figures_by_period(rows)


async def management_figures(
    context: RequestContext,
    *,
    since: date | None,
    until: date | None,
    audit: AuditLog,
    clock: Clock,
) -> Figures:
    """The figures per period, for the manager (art. 1.24, 11.3)."""
    decision = access.may_read_figures(context.actor)
    if not decision.allowed:
        raise await audit.about(context, at=clock()).refuse(Action.FIGURES_READ_DENIED, decision)
    return await operator_figures(since=since, until=until)


@dataclass(frozen=True, kw_only=True)
class SignedReport:
    signed_text: str
    """Clear-signed OpenPGP: ``gpg --verify`` with the portal's public key checks it."""
    sha256: str
    """Of ``signed_text``; the ``case:destroy`` record names it."""
    key_fingerprint: str


@dataclass(frozen=True, kw_only=True)
class ReportExport:
    """What an outsider needs to check a report with ``gpg --verify``."""

    report: SignedReport
    public_key: str


async def stored_report(case_id: uuid.UUID) -> SignedReport:
    """The case's signed destruction report, for the operator's shell."""
    stored = await figures_db.destruction_report_of(case_id)
    if stored is None:
        raise NotFound(f"no destruction report of case {case_id}")
    signed_text, sha256, key_fingerprint = stored
    return SignedReport(signed_text=signed_text, sha256=sha256, key_fingerprint=key_fingerprint)


async def export_report(case_id: uuid.UUID) -> ReportExport:
    """The case's report with the portal's public key that signed it."""
    report = await stored_report(case_id)
    material = await signing_keys_db.signing_key(AUDIT_KEY_PURPOSE)
    if material is None or material.fingerprint != report.key_fingerprint:
        raise Conflict(f"the key that signed the report of case {case_id} is not stored")
    return ReportExport(report=report, public_key=material.public_key)


async def destruction_report(
    context: RequestContext, *, case_id: uuid.UUID, audit: AuditLog, clock: Clock
) -> SignedReport:
    """The signed report of a destroyed case: the manager and the procesregisseurs.

    Refused before the lookup, so whether a case was destroyed is not told to others.
    """
    decision = access.may_read_destruction_report(context.actor)
    if not decision.allowed:
        # On the record with the case, where there is one: which case was asked for is
        # the supervisor's to know (art. 24.4), not the caller's.
        case = await cases_db.case_by_id(case_id)
        about: About = {"case": case} if case is not None else {}
        raise await audit.about(context, at=clock(), **about).refuse(
            Action.CASE_DESTRUCTION_REPORT_DENIED, decision
        )
    return await stored_report(case_id)
