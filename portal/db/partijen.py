"""Partijen, their users, and actors: a user with the standing of its partij."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.db.tables import Partij, User
from portal.domain import partijen


def _partij(row: dict[str, Any]) -> partijen.Partij:
    return partijen.Partij(
        id=partijen.PartijId(UUID(str(row["id"]))),
        name=row["name"],
        kind=partijen.PartijKind(row["kind"]),
        status=partijen.PartijStatus(row["status"]),
    )


def _user(row: dict[str, Any]) -> partijen.User:
    return partijen.User(
        id=partijen.UserId(UUID(str(row["id"]))),
        username=row["username"],
        partij_id=partijen.PartijId(UUID(str(row["partij"]))),
        roles=frozenset(partijen.Role(code) for code in row["roles"]),
        vog_recorded_at=row["vog_recorded_at"],
        geheimhouding_recorded_at=row["geheimhouding_recorded_at"],
        active=bool(row["active"]),
    )


async def insert_partij(*, name: str, kind: partijen.PartijKind, now: datetime) -> partijen.Partij:
    rows = await Partij.insert(Partij(name=name, kind=kind.value, created_at=now)).returning(
        *Partij.all_columns()
    )
    return _partij(rows[0])


async def partij_by_name(name: str) -> partijen.Partij | None:
    row = await Partij.select().where(Partij.name == name).first()
    return _partij(row) if row else None


async def partij_by_id(partij_id: UUID) -> partijen.Partij | None:
    row = await Partij.select().where(Partij.id == partij_id).first()
    return _partij(row) if row else None


async def all_partijen() -> list[partijen.Partij]:
    return [_partij(row) for row in await Partij.select().order_by(Partij.name)]


async def withdraw_partij(*, partij_id: UUID, now: datetime) -> None:
    await Partij.update(
        {Partij.status: partijen.PartijStatus.WITHDRAWN.value, Partij.withdrawn_at: now}
    ).where(Partij.id == partij_id)


async def partij_public_key(partij_id: partijen.PartijId) -> str | None:
    row = await Partij.select(Partij.openpgp_public_key).where(Partij.id == partij_id).first()
    return None if row is None else row["openpgp_public_key"]


async def insert_user(
    *,
    username: str,
    partij_id: partijen.PartijId,
    roles: frozenset[partijen.Role],
    vog_recorded_at: datetime | None,
    geheimhouding_recorded_at: datetime | None,
    now: datetime,
) -> partijen.User:
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


async def _reload_user(user_id: object) -> partijen.User:
    row = await User.select().where(User.id == user_id).output(load_json=True).first()
    if row is None:  # pragma: no cover - the row was inserted in the same call
        raise LookupError(user_id)
    return _user(row)


async def user_by_username(username: str) -> partijen.User | None:
    row = await User.select().where(User.username == username).output(load_json=True).first()
    return _user(row) if row else None


async def all_users() -> list[partijen.User]:
    rows = await User.select().order_by(User.username).output(load_json=True)
    return [_user(row) for row in rows]


async def update_user(
    *,
    user_id: partijen.UserId,
    roles: frozenset[partijen.Role],
    vog_recorded_at: datetime | None,
    geheimhouding_recorded_at: datetime | None,
    active: bool,
) -> partijen.User:
    await User.update(
        {
            User.roles: sorted(role.value for role in roles),
            User.vog_recorded_at: vog_recorded_at,
            User.geheimhouding_recorded_at: geheimhouding_recorded_at,
            User.active: active,
        }
    ).where(User.id == user_id)
    return await _reload_user(user_id)


async def set_partij_public_key(*, partij_id: partijen.PartijId, armored: str | None) -> None:
    await Partij.update({Partij.openpgp_public_key: armored}).where(Partij.id == partij_id)


async def set_user_public_key(*, user_id: partijen.UserId, armored: str | None) -> None:
    await User.update({User.openpgp_public_key: armored}).where(User.id == user_id)


async def actor_by_user_id(
    user_id: object, *, now: datetime | None = None, vog_max_age_days: int | None = None
) -> partijen.Actor | None:
    """The actor; with ``vog_max_age_days`` an older VOG does not count as screening."""
    found = await _actors(User.id == user_id, now=now, vog_max_age_days=vog_max_age_days)
    return found[0] if found else None


async def actor_by_username(username: str) -> partijen.Actor | None:
    found = await _actors(User.username == username)
    return found[0] if found else None


async def users_of_partij(partij_id: UUID) -> list[partijen.Actor]:
    return await _actors(User.partij == partij_id)


async def all_actors() -> list[partijen.Actor]:
    return await _actors(User.id.is_not_null())


async def _actors(
    where: Any, *, now: datetime | None = None, vog_max_age_days: int | None = None
) -> list[partijen.Actor]:
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
    return [_actor(row, now=now, vog_max_age_days=vog_max_age_days) for row in rows]


def _actor(
    row: dict[str, Any], *, now: datetime | None, vog_max_age_days: int | None
) -> partijen.Actor:
    user = _user(row)
    vog_current = (
        vog_max_age_days is None
        or now is None
        or partijen.vog_current(user.vog_recorded_at, now=now, max_age_days=vog_max_age_days)
    )
    return partijen.Actor(
        user_id=user.id,
        username=user.username,
        partij_id=user.partij_id,
        partij_kind=partijen.PartijKind(row["partij_kind"]),
        partij_status=partijen.PartijStatus(row["partij_status"]),
        roles=user.roles,
        screened=user.screened and vog_current,
        active=user.active,
        openpgp_public_key=row["openpgp_public_key"],
    )


async def set_partij_kind(*, partij_id: UUID, kind: partijen.PartijKind) -> None:
    await Partij.update({Partij.kind: kind.value}).where(Partij.id == partij_id)
