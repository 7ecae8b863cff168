"""What a destruction keeps: the case's figures (art. 11.3) and its signed report, and the
reads of the case's history that the figures are taken from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import (
    AuditEvent,
    CaseFiguresRow,
    Casus,
    DestructionReport,
    Document,
    Grant,
    User,
)
from portal.domain.actions import Action, Outcome
from portal.domain.cases import Phase
from portal.domain.figures import CaseFigures, DestructionRule
from portal.domain.figures import Outcome as CaseOutcome
from portal.domain.partijen import PartijKind

# --- the case's history, read inside the erase transaction ------------------------------------


async def phase_entries(case_id: UUID) -> list[tuple[Phase, datetime]]:
    """Each recorded move of the case into a phase, oldest first (``case:phase`` records
    carry the phase moved into)."""
    rows = (
        await AuditEvent.select(AuditEvent.phase, AuditEvent.started_at)
        .where(
            (AuditEvent.case_id == str(case_id))
            & (AuditEvent.action == Action.CASE_PHASE.value)
            & (AuditEvent.outcome == Outcome.SUCCESS.value)
        )
        .order_by(AuditEvent.seq)
    )
    return [(Phase(row["phase"]), row["started_at"]) for row in rows if row["phase"]]


async def recorded(case_id: UUID, action: Action, outcome: Outcome) -> int:
    """How many records of ``action`` with ``outcome`` the audit log holds for the case."""
    count: int = await AuditEvent.count().where(
        (AuditEvent.case_id == str(case_id))
        & (AuditEvent.action == action.value)
        & (AuditEvent.outcome == outcome.value)
    )
    return count


async def destroyed_early(case_id: UUID) -> bool:
    """Whether the case's procesregisseur decided its destruction (``case:destroy-early``)."""
    return await recorded(case_id, Action.CASE_DESTROY_EARLY, Outcome.SUCCESS) > 0


async def partij_kinds_of_case(case_id: UUID) -> set[PartijKind]:
    """The kinds of the partijen that reported, provided to, or were granted the case."""
    reporting = await Casus.select(Casus.reported_by.kind).where(Casus.id == case_id)
    providers = await Document.select(Document.provider.kind).where(Document.casus == case_id)
    granted = await User.select(User.partij.kind).where(
        User.id.is_in(Grant.select(Grant.user).where(Grant.casus == case_id))
    )
    kinds = {str(value) for rows in (reporting, providers, granted) for row in rows
             for value in row.values() if value}  # fmt: skip
    return {PartijKind(kind) for kind in kinds}


# --- the figures ------------------------------------------------------------------------------


async def insert_case_figures(figures: CaseFigures) -> None:
    """Call inside the transaction that erases the case's rows: both or neither."""
    await CaseFiguresRow.insert(
        CaseFiguresRow(
            id=uuid.uuid4(),
            period=figures.period,
            rule=figures.rule.value,
            outcome=figures.outcome.value,
            days_per_phase={phase.value: days for phase, days in figures.days_per_phase.items()},
            days_decided_to_destroyed=figures.days_decided_to_destroyed,
            partij_kinds=sorted(kind.value for kind in figures.partij_kinds),
            documents=figures.documents,
            downloads=figures.downloads,
            grants=figures.grants,
        )
    )


async def case_figures(*, first_month: str | None, last_month: str | None) -> list[CaseFigures]:
    """The figures of the cases whose destruction began in those months (``YYYY-MM``)."""
    query = CaseFiguresRow.select()
    if first_month is not None:
        query = query.where(CaseFiguresRow.period >= first_month)
    if last_month is not None:
        query = query.where(CaseFiguresRow.period <= last_month)
    return [_figures(row) for row in await query.output(load_json=True)]


def _figures(row: dict[str, Any]) -> CaseFigures:
    return CaseFigures(
        period=row["period"],
        rule=DestructionRule(row["rule"]),
        outcome=CaseOutcome(row["outcome"]),
        days_per_phase={Phase(k): int(v) for k, v in row["days_per_phase"].items()},
        days_decided_to_destroyed=row["days_decided_to_destroyed"],
        partij_kinds=frozenset(PartijKind(kind) for kind in row["partij_kinds"]),
        documents=row["documents"],
        downloads=row["downloads"],
        grants=row["grants"],
    )


# --- the destruction reports ------------------------------------------------------------------


async def insert_destruction_report(
    *,
    report_id: UUID,
    case_id: UUID,
    signed_text: str,
    sha256: str,
    key_fingerprint: str,
    now: datetime,
) -> None:
    """Call inside the transaction that erases the case's rows."""
    await DestructionReport.insert(
        DestructionReport(
            id=report_id,
            casus=case_id,
            signed_text=signed_text,
            sha256=sha256,
            key_fingerprint=key_fingerprint,
            created_at=now,
        )
    )


async def destruction_report_of(case_id: UUID) -> tuple[str, str, str] | None:
    """The case's signed report, its SHA-256 and the signing key's fingerprint, or None
    when it has none."""
    row = (
        await DestructionReport.select(
            DestructionReport.signed_text,
            DestructionReport.sha256,
            DestructionReport.key_fingerprint,
        )
        .where(DestructionReport.casus == case_id)
        .first()
    )
    if row is None:
        return None
    return str(row["signed_text"]), str(row["sha256"]), str(row["key_fingerprint"])
