"""Partijen, users and API tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.db.tables import ApiToken, User
from portal.domain.partijen import PartijKind, PartijStatus, Role
from portal.services.demo import COVENANT_PARTIJEN, DEMO_USERS, load_demo
from portal.services.errors import Conflict, InvalidInput, NotFound
from portal.services.partijen import add_partij
from portal.services.users import add_user, create_token, hash_token

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def clock() -> datetime:
    return NOW


async def test_a_new_partij_is_active_with_its_kind(database: str) -> None:
    partij = await add_partij(name="  Gemeente   Venlo ", kind=PartijKind.COLLEGE, clock=clock)
    assert partij.name == "Gemeente Venlo"
    assert partij.kind is PartijKind.COLLEGE
    assert partij.status is PartijStatus.ACTIVE


async def test_a_partij_name_is_unique(database: str) -> None:
    await add_partij(name="Politie Eenheid Limburg", kind=PartijKind.POLITIE, clock=clock)
    with pytest.raises(Conflict, match="exists already"):
        await add_partij(name="Politie Eenheid Limburg", kind=PartijKind.POLITIE, clock=clock)


async def test_an_empty_partij_name_is_refused(database: str) -> None:
    with pytest.raises(InvalidInput):
        await add_partij(name="   ", kind=PartijKind.OVERIG, clock=clock)


async def test_a_user_records_roles_and_screening(database: str) -> None:
    await add_partij(name="Veilig Thuis", kind=PartijKind.VEILIG_THUIS, clock=clock)
    user = await add_user(
        username="bob",
        partij_name="Veilig Thuis",
        roles=frozenset({Role.DEELNEMER, Role.PARTNER}),
        vog=True,
        geheimhouding=True,
        clock=clock,
    )
    assert user.roles == {Role.DEELNEMER, Role.PARTNER}
    assert user.vog_recorded_at == NOW
    assert user.geheimhouding_recorded_at == NOW
    assert user.screened


async def test_a_user_without_vog_is_not_screened(database: str) -> None:
    await add_partij(name="Veilig Thuis", kind=PartijKind.VEILIG_THUIS, clock=clock)
    user = await add_user(
        username="charlie",
        partij_name="Veilig Thuis",
        roles=frozenset({Role.DEELNEMER}),
        vog=False,
        geheimhouding=True,
        clock=clock,
    )
    assert not user.screened


@pytest.mark.parametrize(
    ("username", "partij", "roles", "error"),
    [
        ("Bad Name", "Veilig Thuis", {Role.DEELNEMER}, InvalidInput),
        ("bob", "Veilig Thuis", set(), InvalidInput),
        ("bob", "Nobody", {Role.DEELNEMER}, NotFound),
    ],
)
async def test_impossible_users_are_refused(
    database: str, username: str, partij: str, roles: set[Role], error: type[Exception]
) -> None:
    await add_partij(name="Veilig Thuis", kind=PartijKind.VEILIG_THUIS, clock=clock)
    with pytest.raises(error):
        await add_user(
            username=username,
            partij_name=partij,
            roles=frozenset(roles),
            vog=True,
            geheimhouding=True,
            clock=clock,
        )


async def test_a_username_is_unique(database: str) -> None:
    await add_partij(name="Veilig Thuis", kind=PartijKind.VEILIG_THUIS, clock=clock)
    for attempt in range(2):
        call = add_user(
            username="bob",
            partij_name="Veilig Thuis",
            roles=frozenset({Role.DEELNEMER}),
            vog=True,
            geheimhouding=True,
            clock=clock,
        )
        if attempt == 0:
            await call
        else:
            with pytest.raises(Conflict):
                await call


async def test_only_the_hash_of_a_token_is_stored(database: str) -> None:
    await add_partij(name="Veilig Thuis", kind=PartijKind.VEILIG_THUIS, clock=clock)
    await add_user(
        username="bob",
        partij_name="Veilig Thuis",
        roles=frozenset({Role.DEELNEMER}),
        vog=True,
        geheimhouding=True,
        clock=clock,
    )
    token = await create_token(username="bob", clock=clock)
    rows = await ApiToken.select()
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hash_token(token)
    assert token not in str(rows)


async def test_a_token_for_an_unknown_user_is_refused(database: str) -> None:
    with pytest.raises(NotFound):
        await create_token(username="nobody", clock=clock)


async def test_demo_data_loads_the_covenant_and_one_user_per_role(database: str) -> None:
    result = await load_demo(clock=clock)
    assert result.partijen_added == len(COVENANT_PARTIJEN)
    assert {login.role for login in result.logins} == set(Role)
    assert await User.count() == len(DEMO_USERS)


async def test_loading_demo_data_again_keeps_data_and_replaces_the_logins(database: str) -> None:
    first = await load_demo(clock=clock)
    second = await load_demo(clock=clock)
    assert (second.partijen_added, second.users_added) == (0, 0)
    assert await User.count() == len(DEMO_USERS)
    live = await ApiToken.select(ApiToken.token_hash).where(ApiToken.revoked_at.is_null())
    live_hashes = {row["token_hash"] for row in live}
    assert {hash_token(login.token) for login in second.logins} == live_hashes
    assert not live_hashes & {hash_token(login.token) for login in first.logins}
