"""Consent recorded by the providing partij (art. 7.2, 13.7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain.documents import ConsentId
from portal.domain.partijen import PartijId


@dataclass(frozen=True, kw_only=True)
class Consent:
    id: ConsentId
    partij_id: PartijId
    subject_pseudonym: str
    scope: str
    obtained_by: str
    obtained_at: datetime
    withdrawn_at: datetime | None

    def in_force(self, *, now: datetime) -> bool:
        return self.withdrawn_at is None or now < self.withdrawn_at
