"""Access granted per RTO participant, and admissions to an archived case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NewType
from uuid import UUID

from portal.domain.cases import Case, CaseId
from portal.domain.partijen import UserId

GrantId = NewType("GrantId", UUID)


@dataclass(frozen=True, kw_only=True)
class Grant:
    id: GrantId
    case_id: CaseId
    user_id: UserId
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None

    def ends_at(self, case: Case) -> datetime | None:
        """When this grant ends: never later than afschaling, whatever its ``until``."""
        ends = [t for t in (self.until, self.revoked_at, case.afschaling_at) if t is not None]
        return min(ends) if ends else None

    def active(self, case: Case, *, now: datetime) -> bool:
        ends = self.ends_at(case)
        return self.granted_at <= now and (ends is None or now < ends)


@dataclass(frozen=True, kw_only=True)
class ArchiveAdmission:
    """The manager admits a user to an archived case, with a reason (art. 11.2b)."""

    case_id: CaseId
    user_id: UserId
    admitted_at: datetime
    reason: str


def grants_ending_at_afschaling(
    grants: tuple[Grant, ...], case: Case, *, at: datetime
) -> tuple[Grant, ...]:
    """Art. 11.2: the afschaling decision ends, at once, every grant still running then."""
    return tuple(grant for grant in grants if grant.active(case, now=at))


def grants_ending_at_withdrawal(grants: tuple[Grant, ...]) -> tuple[Grant, ...]:
    """Art. 27.3: a partij that leaves the covenant loses all access: every grant of its
    users that is not revoked already is revoked with it (expired ones included, so none
    can come back to life through a later change of its end)."""
    return tuple(grant for grant in grants if grant.revoked_at is None)
