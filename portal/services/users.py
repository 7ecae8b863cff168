"""Accounts of the people who use the portal, and their API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from portal.db import partijen as partijen_db
from portal.db import tokens as tokens_db
from portal.domain.partijen import Actor, Role, User, may_hold_role
from portal.services.clock import Clock
from portal.services.errors import Conflict, InvalidInput, NotFound

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
MAX_TOKEN_LENGTH = 100
TOKEN_PREFIX = "rto_"  # noqa: S105 - marks tokens for secret scanners; not a secret


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so one unsalted SHA-256 cannot be reversed or guessed."""
    return hashlib.sha256(token.encode()).hexdigest()


async def add_user(
    *,
    username: str,
    partij_name: str,
    roles: frozenset[Role],
    vog: bool,
    geheimhouding: bool,
    clock: Clock,
) -> User:
    if not USERNAME.match(username):
        raise InvalidInput(
            "a username is 2 to 100 characters of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if not roles:
        raise InvalidInput("a user needs at least one role")
    partij = await partijen_db.partij_by_name(partij_name)
    if partij is None:
        raise NotFound(f"no partij named {partij_name!r}")
    for role in sorted(roles):
        # Art. 1.16, 1.22, 1.24: procesregisseur, manager and administratief are ZVH roles.
        if not (held := may_hold_role(partij.kind, role)).allowed:
            raise InvalidInput(held.reason)
    if await partijen_db.user_by_username(username) is not None:
        raise Conflict(f"user {username!r} exists already")
    now = clock()
    return await partijen_db.insert_user(
        username=username,
        partij_id=partij.id,
        roles=roles,
        # Art. 13.1, 13.3: recording that a VOG and a confidentiality statement are on
        # file is what later lets the procesregisseur grant this user access.
        vog_recorded_at=now if vog else None,
        geheimhouding_recorded_at=now if geheimhouding else None,
        now=now,
    )


async def create_token(
    *, username: str, clock: Clock, label: str = "", replace_same_label: bool = False
) -> str:
    """Issue a new API token and return it; it is shown once and only its hash is kept.

    With ``replace_same_label`` earlier live tokens with the same label are revoked first
    (the demo data does this so rerunning it prints logins that work).
    """
    user = await partijen_db.user_by_username(username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    now = clock()
    if replace_same_label:
        await tokens_db.revoke_api_tokens(user_id=user.id, label=label, now=now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await tokens_db.insert_api_token(
        user_id=user.id, token_hash=hash_token(token), label=label, now=now
    )
    return token


async def authenticate(token: str, *, clock: Clock) -> Actor | None:
    """The actor behind a bearer token, or None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    return await tokens_db.actor_by_token_hash(hash_token(token), now=clock())
