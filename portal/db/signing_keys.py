"""The portal's own signing keys, one per purpose (the audit checkpoints' key)."""

from __future__ import annotations

from datetime import datetime

from crypto import SigningKeyMaterial
from portal.db.tables import SigningKey


async def signing_key(purpose: str) -> SigningKeyMaterial | None:
    row = await SigningKey.select().where(SigningKey.purpose == purpose).first()
    if row is None:
        return None
    return SigningKeyMaterial(
        fingerprint=row["fingerprint"],
        public_key=row["public_key"],
        protected_secret_key=row["protected_secret_key"],
    )


async def insert_signing_key(*, purpose: str, material: SigningKeyMaterial, now: datetime) -> None:
    await SigningKey.insert(
        SigningKey(
            purpose=purpose,
            fingerprint=material.fingerprint,
            public_key=material.public_key,
            protected_secret_key=material.protected_secret_key,
            created_at=now,
        )
    )
