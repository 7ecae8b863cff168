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


def consent_usable_for_upload(
    consent: Consent | None, *, partij_id: PartijId, now: datetime
) -> str | None:
    """Why a document may not be provided on this consent, or None when it may.

    Art. 7.2c-d: the providing partij records the consent it obtained, and once it is
    withdrawn nothing more is provided on it. Only the partij's own consent counts; one of
    another partij is answered as unknown, so its existence is not disclosed.
    """
    if consent is None or consent.partij_id != partij_id:
        return "no consent record of the providing partij with that id"
    if not consent.in_force(now=now):
        return "the consent was withdrawn"
    return None
