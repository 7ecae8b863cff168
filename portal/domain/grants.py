"""A person's time-bounded part in a case: grants, archive admissions and the hand-over.

Each of these ends at a computed moment, and from that moment the person sees nothing of
the case but the metadata of their own uploads (art. 9.6, 11.2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NewType
from uuid import UUID

from portal.domain.cases import Case, CaseId
from portal.domain.documents import DocumentId
from portal.domain.partijen import UserId

GrantId = NewType("GrantId", UUID)
AdmissionId = NewType("AdmissionId", UUID)

# Bijlage 2 "overdracht": how long the named casusregisseur may fetch the handed-over documents.
DEFAULT_HANDOVER_DAYS = 14


class GrantEnd(enum.StrEnum):
    """What ends (or will end) a grant: the first of its end date, revocation, afschaling."""

    UNTIL = "until"
    REVOKED = "revoked"
    # Art. 11.2a: every participant's access ends with the afschaling (or closing) decision.
    AFSCHALING = "afschaling"


@dataclass(frozen=True, kw_only=True)
class Grant:
    id: GrantId
    case_id: CaseId
    user_id: UserId
    granted_at: datetime
    until: datetime | None
    revoked_at: datetime | None
    documents: frozenset[DocumentId] | None = None
    """The documents the grant is limited to (art. 9.6), or None for all of the case's."""

    def ends_at(self, case: Case) -> datetime | None:
        """When this grant ends: never later than afschaling, whatever its ``until``."""
        ends = [t for t in (self.until, self.revoked_at, case.decided_at) if t is not None]
        return min(ends) if ends else None

    def ended_by(self, case: Case) -> GrantEnd | None:
        """What sets ``ends_at``: revocation before afschaling before the end date."""
        ends = self.ends_at(case)
        if ends is None:
            return None
        if ends == self.revoked_at:
            return GrantEnd.REVOKED
        if ends == case.decided_at:
            return GrantEnd.AFSCHALING
        return GrantEnd.UNTIL

    def ended(self, case: Case, *, now: datetime) -> GrantEnd | None:
        """What ended the grant, once it has ended; None while it still runs (art. 11.2:
        a grant ended at afschaling must not look active, nor one merely scheduled to end)."""
        ends = self.ends_at(case)
        return self.ended_by(case) if ends is not None and ends <= now else None

    def active(self, case: Case, *, now: datetime) -> bool:
        ends = self.ends_at(case)
        return self.granted_at <= now and (ends is None or now < ends)

    def covers(self, document_id: DocumentId) -> bool:
        return self.documents is None or document_id in self.documents


@dataclass(frozen=True, kw_only=True)
class ArchiveAdmission:
    """The manager admits a user to an archived case, with a reason and an end (art. 11.2b)."""

    id: AdmissionId
    case_id: CaseId
    user_id: UserId
    admitted_by: UserId
    admitted_at: datetime
    until: datetime
    reason: str
    revoked_at: datetime | None = None

    def ends_at(self) -> datetime:
        return min(self.until, self.revoked_at) if self.revoked_at is not None else self.until

    def active(self, *, now: datetime) -> bool:
        return self.admitted_at <= now < self.ends_at()


@dataclass(frozen=True, kw_only=True)
class Handover:
    """Bijlage 2 "overdracht": documents named for the casusregisseur at afschaling."""

    case_id: CaseId
    casusregisseur: UserId
    documents: frozenset[DocumentId]
    named_by: UserId
    named_at: datetime
    window_ends_at: datetime

    def open(self, *, now: datetime) -> bool:
        return self.named_at <= now < self.window_ends_at


def handover_window_ends(named_at: datetime, *, days: int = DEFAULT_HANDOVER_DAYS) -> datetime:
    """The end of the hand-over window; ``days`` comes from the settings."""
    return named_at + timedelta(days=days)


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
