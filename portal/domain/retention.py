"""The timeline after afschaling (art. 11.2): restricted, archived, destroyed.

From the afschaling decision, or the decision to close the case before an RTO (1.21):
- until +6 months the case is *restricted*: only the procesregisseur and the
  administratief medewerker have access (11.2a);
- until +12 months it is *archived*: the manager decides who has access (11.2b);
- at +12 months its personal data is destroyed (11.2c).
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from portal.domain.cases import Case, CaseId

RESTRICTED_MONTHS = 6
ARCHIVED_MONTHS = 12


class Regime(enum.StrEnum):
    OPEN = "open"
    """Before the afschaling or closing decision: the phases aanmelding, triage and rto."""
    RESTRICTED = "restricted"
    ARCHIVED = "archived"
    DESTROYED = "destroyed"


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later; the last day of a shorter month if need be."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True, kw_only=True)
class Timeline:
    decided_at: datetime
    archived_from: datetime
    destroy_at: datetime


def timeline(decided_at: datetime) -> Timeline:
    """The dates of art. 11.2, counted from the decision itself, not from its recording."""
    return Timeline(
        decided_at=decided_at,
        archived_from=add_months(decided_at, RESTRICTED_MONTHS),
        destroy_at=add_months(decided_at, ARCHIVED_MONTHS),
    )


def regime(case: Case, *, now: datetime) -> Regime:
    if case.destroyed_at is not None:
        return Regime.DESTROYED
    if case.decided_at is None:
        return Regime.OPEN
    dates = timeline(case.decided_at)
    if now >= dates.destroy_at:
        return Regime.DESTROYED
    if now >= dates.archived_from:
        return Regime.ARCHIVED
    return Regime.RESTRICTED


# --- the sweep: what destruction is due (art. 11.2c) -----------------------------------------

TOMBSTONE_PREFIX = "vernietigd-"


def tombstone_reference(case_id: CaseId) -> str:
    """The reference a destroyed case keeps: its own id, nothing the case was known by.

    The row itself stays as a tombstone (see ``portal.services.retention``); its reference
    is unique, so it becomes one derived from the id alone.
    """
    return f"{TOMBSTONE_PREFIX}{case_id}"


def destruction_finished(case: Case) -> bool:
    """The last step of destruction (the rows) replaces the reference by the tombstone's."""
    return case.reference == tombstone_reference(case.id)


@dataclass(frozen=True, kw_only=True)
class Step:
    """One case the sweep is to destroy, and why now."""

    case_id: CaseId
    due_at: datetime
    """When its destruction fell due: +12 months after the decision, or when it began."""
    resuming: bool
    """A destruction begun earlier and interrupted: the sweep finishes it."""

    @property
    def reason(self) -> str:
        if self.resuming:
            return f"destruction begun {self.due_at:%Y-%m-%d %H:%M} UTC is finished (art. 11.2c)"
        return f"12 months after the decision, due {self.due_at:%Y-%m-%d %H:%M} UTC (art. 11.2c)"


def plan(cases: Iterable[Case], *, now: datetime) -> list[Step]:
    """Every case whose timeline says destroy by ``now``, oldest due first.

    A case whose destruction began (``destroyed_at`` set) but did not finish is always in
    the plan, whatever ``now``: the sweep is idempotent and the next run completes the job.
    """
    steps = []
    for case in cases:
        if case.destroyed_at is not None:
            if not destruction_finished(case):
                steps.append(Step(case_id=case.id, due_at=case.destroyed_at, resuming=True))
            continue
        if case.decided_at is None:
            continue
        due_at = timeline(case.decided_at).destroy_at
        if now >= due_at:
            steps.append(Step(case_id=case.id, due_at=due_at, resuming=False))
    return sorted(steps, key=lambda step: (step.due_at, str(step.case_id)))
