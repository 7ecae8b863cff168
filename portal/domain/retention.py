"""The timeline after afschaling (art. 11.2): restricted, archived, destroyed.

From the afschaling decision, or the decision to close the case before an RTO (1.21):
- until +6 months the case is *restricted*: only the procesregisseur and the
  administratief medewerker have access (11.2a);
- until +12 months it is *archived*: the manager decides who has access (11.2b);
- at +12 months its personal data is destroyed (11.2c).

A *legal hold*, placed and lifted by the manager with a reason, suspends destruction: a
held case is neither swept nor destroyed earlier, and past +12 months it stays archived
(the manager decides who has access, 11.2b) until the hold is lifted; the first sweep
after that destroys it. The protocol names no hold; it follows from 11.1 and 11.2: data is
kept as long as its processing is still needed, and a pending request of the person
concerned (art. 17-20), a breach inquiry (14) or a legal claim is such a need.
"""

from __future__ import annotations

import enum
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NewType
from uuid import UUID

from portal.domain.cases import Case, CaseId
from portal.domain.partijen import UserId

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
    day = min(moment.day, monthrange(year, month)[1])
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
        # A hold keeps the case as it is (archived) past the date, whatever ``now`` a sweep
        # is run for: the hold is the present state, not a period.
        return Regime.ARCHIVED if case.held_since is not None else Regime.DESTROYED
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


def _due(case: Case, *, now: datetime) -> Step | None:
    if case.destroyed_at is not None:
        if destruction_finished(case):
            return None
        return Step(case_id=case.id, due_at=case.destroyed_at, resuming=True)
    if case.decided_at is None:
        return None
    due_at = timeline(case.decided_at).destroy_at
    if now < due_at:
        return None
    return Step(case_id=case.id, due_at=due_at, resuming=False)


def plan(cases: Iterable[Case], *, now: datetime) -> list[Step]:
    """Every case whose timeline says destroy by ``now``, oldest due first; none held.

    A case whose destruction began (``destroyed_at`` set) but did not finish is always in
    the plan, whatever ``now``: the sweep is idempotent and the next run completes the job.
    A hold cannot stop that: no hold is placed on a case once its destruction has begun.
    """
    steps = []
    for case in cases:
        step = _due(case, now=now)
        if step is not None and (step.resuming or case.held_since is None):
            steps.append(step)
    return sorted(steps, key=lambda step: (step.due_at, str(step.case_id)))


@dataclass(frozen=True, kw_only=True)
class HeldBack:
    """A case the sweep would destroy now but for its legal hold: when it fell due, and since
    when it is held. Never the hold's reason: the sweep's output goes to an operator's shell."""

    case_id: CaseId
    due_at: datetime
    held_since: datetime


def held_back(cases: Iterable[Case], *, now: datetime) -> list[HeldBack]:
    """The cases due by ``now`` that the sweep leaves alone because they are held."""
    held = []
    for case in cases:
        step = _due(case, now=now)
        if step is not None and not step.resuming and case.held_since is not None:
            held.append(HeldBack(case_id=case.id, due_at=step.due_at, held_since=case.held_since))
    return sorted(held, key=lambda item: (item.due_at, str(item.case_id)))


# --- legal holds -------------------------------------------------------------------------------

HoldId = NewType("HoldId", UUID)


@dataclass(frozen=True, kw_only=True)
class LegalHold:
    """The manager's hold on a case's destruction, with why it was placed and lifted."""

    id: HoldId
    case_id: CaseId
    placed_by: UserId
    placed_at: datetime
    reason: str
    lifted_by: UserId | None = None
    lifted_at: datetime | None = None
    lift_reason: str | None = None

    @property
    def open(self) -> bool:
        return self.lifted_at is None


# --- the calendar: what comes next for each case (art. 9.4) ---------------------------------


class Event(enum.StrEnum):
    ARCHIVE = "archive"
    """Art. 11.2b: from +6 months the manager decides who has access."""
    DESTROY = "destroy"
    """Art. 11.2c: at +12 months the sweep destroys the case, unless it is held."""


@dataclass(frozen=True, kw_only=True)
class CalendarEntry:
    case_id: CaseId
    reference: str
    regime: Regime
    decided_at: datetime | None
    archived_from: datetime | None
    destroy_at: datetime | None
    held_since: datetime | None
    next_event: Event | None
    """What happens next: None for an open case, which has no timeline yet."""
    next_event_at: datetime | None
    """When; for a held case past +12 months the date that passed: it waits for the lift."""


def calendar_entry(case: Case, *, now: datetime) -> CalendarEntry:
    current = regime(case, now=now)
    dates = timeline(case.decided_at) if case.decided_at is not None else None
    event: Event | None = None
    event_at: datetime | None = None
    if dates is not None:
        if now < dates.archived_from:
            event, event_at = Event.ARCHIVE, dates.archived_from
        else:
            event, event_at = Event.DESTROY, dates.destroy_at
    return CalendarEntry(
        case_id=case.id,
        reference=case.reference,
        regime=current,
        decided_at=case.decided_at,
        archived_from=dates.archived_from if dates else None,
        destroy_at=dates.destroy_at if dates else None,
        held_since=case.held_since,
        next_event=event,
        next_event_at=event_at,
    )


def on_calendar(case: Case, *, now: datetime) -> bool:
    """Destroyed cases are left off the calendar: nothing comes next for them."""
    return case.destroyed_at is None and regime(case, now=now) is not Regime.DESTROYED


def calendar(
    cases: Iterable[Case], *, now: datetime, until: datetime | None = None
) -> list[CalendarEntry]:
    """The retention calendar of ``cases``, next event first; open cases last.

    Destroyed cases are left out: nothing comes next for them. With ``until``, only the
    cases whose next event falls on or before it (a held case past its date always does).
    """
    entries = [calendar_entry(case, now=now) for case in cases if on_calendar(case, now=now)]
    if until is not None:
        entries = [e for e in entries if e.next_event_at is not None and e.next_event_at <= until]
    return sorted(
        entries,
        key=lambda e: (e.next_event_at is None, e.next_event_at or now, e.reference),
    )
