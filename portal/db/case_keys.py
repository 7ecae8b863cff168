"""Each case's OpenPGP key pair, its secret key protected by the master key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from crypto import CaseKeyMaterial
from portal.db.tables import CaseKey


async def insert_case_key(*, case_id: UUID, material: CaseKeyMaterial, now: datetime) -> None:
    await CaseKey.insert(
        CaseKey(
            casus=case_id,
            fingerprint=material.fingerprint,
            public_key=material.public_key,
            protected_secret_key=material.protected_secret_key,
            created_at=now,
        )
    )


async def case_key(case_id: UUID) -> CaseKeyMaterial | None:
    row = await CaseKey.select().where(CaseKey.casus == case_id).first()
    if row is None:
        return None
    return CaseKeyMaterial(
        fingerprint=row["fingerprint"],
        public_key=row["public_key"],
        protected_secret_key=row["protected_secret_key"],
    )


async def delete_case_key(case_id: UUID) -> str | None:
    """Delete a case's key row; return its fingerprint, or None if there was none."""
    rows = await CaseKey.delete().where(CaseKey.casus == case_id).returning(CaseKey.fingerprint)
    return str(rows[0]["fingerprint"]) if rows else None


async def fingerprints_on_record(fingerprints: Iterable[str]) -> set[str]:
    """Those of ``fingerprints`` whose case still has its key row."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return set()
    rows = await CaseKey.select(CaseKey.fingerprint).where(CaseKey.fingerprint.is_in(wanted))
    return {str(row["fingerprint"]) for row in rows}
