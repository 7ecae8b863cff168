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
from dataclasses import dataclass
from datetime import datetime

from portal.domain.cases import Case

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
