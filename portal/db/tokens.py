"""API tokens: issued to a user, stored only as a hash, revoked by label."""

from __future__ import annotations

from datetime import datetime, timedelta

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


async def actor_by_token_hash(token_hash: str, *, now: datetime) -> partijen.Actor | None:
    """The actor a live token belongs to; its last-used time is kept to the minute."""
    token = (
        await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at)
        .where((ApiToken.token_hash == token_hash) & (ApiToken.revoked_at.is_null()))
        .first()
    )
    if token is None:
        return None
    last_used = token["last_used_at"]
    if last_used is None or now - last_used > TOKEN_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token["id"])
    return await partijen_db.actor_by_user_id(token["user"])
