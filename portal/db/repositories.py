"""Translate between Piccolo rows and domain values; the only module that queries tables.

Integrity errors differ between sqlite3 and asyncpg; :func:`is_unique_violation` maps
them in one place so services can answer "already exists" the same way on both.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from crypto import CaseKeyMaterial
from portal.db.tables import ApiToken, CaseKey, Partij, User
from portal.domain import parties


def is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


def _partij(row: dict[str, Any]) -> parties.Partij:
    return parties.Partij(
        id=parties.PartijId(UUID(str(row["id"]))),
        name=row["name"],
        kind=parties.PartijKind(row["kind"]),
        status=parties.PartijStatus(row["status"]),
    )


def _user(row: dict[str, Any]) -> parties.User:
    return parties.User(
        id=parties.UserId(UUID(str(row["id"]))),
        username=row["username"],
        partij_id=parties.PartijId(UUID(str(row["partij"]))),
        roles=frozenset(parties.Role(code) for code in row["roles"]),
        vog_recorded_at=row["vog_recorded_at"],
        geheimhouding_recorded_at=row["geheimhouding_recorded_at"],
        active=bool(row["active"]),
    )


async def insert_partij(*, name: str, kind: parties.PartijKind, now: datetime) -> parties.Partij:
    rows = await Partij.insert(Partij(name=name, kind=kind.value, created_at=now)).returning(
        *Partij.all_columns()
    )
    return _partij(rows[0])


async def partij_by_name(name: str) -> parties.Partij | None:
    row = await Partij.select().where(Partij.name == name).first()
    return _partij(row) if row else None


async def all_partijen() -> list[parties.Partij]:
    return [_partij(row) for row in await Partij.select().order_by(Partij.name)]


async def insert_user(
    *,
    username: str,
    partij_id: parties.PartijId,
    roles: frozenset[parties.Role],
    vog_recorded_at: datetime | None,
    geheimhouding_recorded_at: datetime | None,
    now: datetime,
) -> parties.User:
    rows = await User.insert(
        User(
            username=username,
            partij=partij_id,
            roles=sorted(role.value for role in roles),
            vog_recorded_at=vog_recorded_at,
            geheimhouding_recorded_at=geheimhouding_recorded_at,
            created_at=now,
        )
    ).returning(*User.all_columns())
    return await _reload_user(rows[0]["id"])


async def _reload_user(user_id: object) -> parties.User:
    row = await User.select().where(User.id == user_id).output(load_json=True).first()
    if row is None:  # pragma: no cover - the row was inserted in the same call
        raise LookupError(user_id)
    return _user(row)


async def user_by_username(username: str) -> parties.User | None:
    row = await User.select().where(User.username == username).output(load_json=True).first()
    return _user(row) if row else None


async def insert_api_token(
    *, user_id: parties.UserId, token_hash: str, label: str, now: datetime
) -> None:
    await ApiToken.insert(
        ApiToken(user=user_id, token_hash=token_hash, label=label, created_at=now)
    )


async def revoke_api_tokens(*, user_id: parties.UserId, label: str, now: datetime) -> int:
    revoked = await (
        ApiToken.update({ApiToken.revoked_at: now})
        .where(
            (ApiToken.user == user_id) & (ApiToken.label == label) & (ApiToken.revoked_at.is_null())
        )
        .returning(ApiToken.id)
    )
    return len(revoked)


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
