"""Partijen, their users, and actors: a user with the standing of its partij."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import Partij, User
from portal.domain import parties


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


async def partij_by_id(partij_id: UUID) -> parties.Partij | None:
    row = await Partij.select().where(Partij.id == partij_id).first()
    return _partij(row) if row else None


async def all_partijen() -> list[parties.Partij]:
    return [_partij(row) for row in await Partij.select().order_by(Partij.name)]


async def withdraw_partij(*, partij_id: UUID, now: datetime) -> None:
    await Partij.update(
        {Partij.status: parties.PartijStatus.WITHDRAWN.value, Partij.withdrawn_at: now}
    ).where(Partij.id == partij_id)


async def partij_public_key(partij_id: parties.PartijId) -> str | None:
    row = await Partij.select(Partij.openpgp_public_key).where(Partij.id == partij_id).first()
    return None if row is None else row["openpgp_public_key"]


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


async def set_user_public_key(*, user_id: parties.UserId, armored: str | None) -> None:
    await User.update({User.openpgp_public_key: armored}).where(User.id == user_id)


async def actor_by_user_id(user_id: object) -> parties.Actor | None:
    found = await _actors(User.id == user_id)
    return found[0] if found else None


async def actor_by_username(username: str) -> parties.Actor | None:
    found = await _actors(User.username == username)
    return found[0] if found else None


async def users_of_partij(partij_id: UUID) -> list[parties.Actor]:
    return await _actors(User.partij == partij_id)


async def all_actors() -> list[parties.Actor]:
    return await _actors(User.id.is_not_null())


async def _actors(where: Any) -> list[parties.Actor]:
    """Users with their partij's standing, in one query (never one query per user)."""
    rows = (
        await User.select(
            *User.all_columns(),
            User.partij.kind.as_alias("partij_kind"),
            User.partij.status.as_alias("partij_status"),
        )
        .where(where)
        .order_by(User.username)
        .output(load_json=True)
    )
    return [_actor(row) for row in rows]


def _actor(row: dict[str, Any]) -> parties.Actor:
    user = _user(row)
    return parties.Actor(
        user_id=user.id,
        username=user.username,
        partij_id=user.partij_id,
        partij_kind=parties.PartijKind(row["partij_kind"]),
        partij_status=parties.PartijStatus(row["partij_status"]),
        roles=user.roles,
        screened=user.screened,
        active=user.active,
        openpgp_public_key=row["openpgp_public_key"],
    )
