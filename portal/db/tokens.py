"""API tokens: issued to a user, stored only as a hash, revoked by label."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from portal.db import partijen as partijen_db
from portal.db.tables import ApiToken
from portal.domain import partijen

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


async def insert_api_token(
    *, user_id: partijen.UserId, token_hash: str, label: str, now: datetime
) -> None:
    await ApiToken.insert(
        ApiToken(user=user_id, token_hash=token_hash, label=label, created_at=now)
    )


async def revoke_api_tokens(*, user_id: partijen.UserId, label: str, now: datetime) -> int:
    revoked = await (
        ApiToken.update({ApiToken.revoked_at: now})
        .where(
            (ApiToken.user == user_id) & (ApiToken.label == label) & (ApiToken.revoked_at.is_null())
        )
        .returning(ApiToken.id)
    )
    return len(revoked)


async def actor_by_token_hash(
    token_hash: str, *, now: datetime, vog_max_age_days: int | None = None
) -> partijen.Actor | None:
    """The actor a live token of an active user belongs to; its last-used time is kept to
    the minute. A deactivated user's tokens stop at once, as if they were unknown."""
    token = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where(
            (ApiToken.token_hash == token_hash)
            & (ApiToken.revoked_at.is_null())
            & (ApiToken.user.active == True)  # noqa: E712 - Piccolo builds SQL from ==
        )
        .first()
    )
    if token is None:
        return None
    last_used = token["last_used_at"]
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token["id"])
    return await partijen_db.actor_by_user_id(
        token["user"], now=now, vog_max_age_days=vog_max_age_days
    )


def _token(row: dict[str, Any]) -> partijen.ApiToken:
    return partijen.ApiToken(
        id=partijen.TokenId(UUID(str(row["id"]))),
        user_id=partijen.UserId(UUID(str(row["user"]))),
        username=row["username"],
        label=row["label"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def api_tokens(*, username: str | None = None) -> list[partijen.ApiToken]:
    """Every token (of one user), oldest first; none of them readable, only their hash."""
    query = ApiToken.select(
        ApiToken.id,
        ApiToken.user,
        ApiToken.user.username.as_alias("username"),
        ApiToken.label,
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).order_by(ApiToken.created_at)
    if username is not None:
        query = query.where(ApiToken.user.username == username)
    return [_token(row) for row in await query]


async def revoke_api_token(*, token_id: UUID, now: datetime) -> partijen.ApiToken | None:
    """Revoke one live token; None if there is no live token with that id."""
    revoked = await (
        ApiToken.update({ApiToken.revoked_at: now})
        .where((ApiToken.id == token_id) & (ApiToken.revoked_at.is_null()))
        .returning(ApiToken.id)
    )
    if not revoked:
        return None
    found = [token for token in await api_tokens() if token.id == token_id]
    return found[0] if found else None
