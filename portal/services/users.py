"""Accounts of the people who use the portal, their standing, and their API tokens.

What an operator changes on the command line (``portal user update``, ``portal token
revoke``) alters who may see what, so each change is recorded with the operator's shell
account as its actor (:meth:`AuditLog.by_operator`), in the same transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import uuid
from datetime import datetime

from crypto import CaseKeys, KeyNotAvailable
from portal.db import partijen as partijen_db
from portal.db import tokens as tokens_db
from portal.db.transactions import write_transaction
from portal.domain.actions import Action
from portal.domain.partijen import Actor, ApiToken, Role, User, may_hold_role
from portal.domain.refusal_codes import RefusalCode, code_of
from portal.services.audit import AuditLog, RequestContext
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
    vog_recorded_at: datetime | None = None,
) -> User:
    """A new account; ``vog_recorded_at`` is the VOG's date where it is not today."""
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
            raise InvalidInput(held.reason, code=code_of(held))
    if await partijen_db.user_by_username(username) is not None:
        raise Conflict(f"user {username!r} exists already", code=RefusalCode.ALREADY_EXISTS)
    now = clock()
    vog_date = _vog_date(vog_recorded_at, now=now) if vog_recorded_at else now
    return await partijen_db.insert_user(
        username=username,
        partij_id=partij.id,
        roles=roles,
        # Art. 13.1, 13.3: recording that a VOG and a confidentiality statement are on
        # file is what later lets the procesregisseur grant this user access.
        vog_recorded_at=vog_date if vog or vog_recorded_at else None,
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


async def authenticate(
    token: str, *, clock: Clock, vog_max_age_days: int | None = None
) -> Actor | None:
    """The actor behind a bearer token, or None for an unknown or revoked one, or one of
    a deactivated user. With ``vog_max_age_days`` an older VOG is no screening (art. 13.3)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    return await tokens_db.actor_by_token_hash(
        hash_token(token), now=clock(), vog_max_age_days=vog_max_age_days
    )


def _vog_date(vog_recorded_at: datetime, *, now: datetime) -> datetime:
    if vog_recorded_at.tzinfo is None:
        raise InvalidInput("the VOG date must carry a time zone", code=RefusalCode.INVALID_DATE)
    if vog_recorded_at > now:
        raise InvalidInput("the VOG date lies in the future", code=RefusalCode.INVALID_DATE)
    return vog_recorded_at


async def list_users() -> list[User]:
    return await partijen_db.all_users()


async def update_user(
    username: str,
    *,
    operator: str,
    audit: AuditLog,
    clock: Clock,
    vog_recorded_at: datetime | None = None,
    clear_vog: bool = False,
    geheimhouding: bool | None = None,
    roles: frozenset[Role] | None = None,
    active: bool | None = None,
) -> User:
    """Change a user's standing; only what is given changes. Art. 13.1, 13.3: the VOG date
    and the confidentiality statement decide whether the user can be granted anything.

    A deactivated user's tokens stop authenticating at once (see ``authenticate``).
    """
    if vog_recorded_at is not None and clear_vog:
        raise InvalidInput("give a VOG date or remove the VOG, not both")
    if roles is not None and not roles:
        raise InvalidInput("a user needs at least one role")
    user = await partijen_db.user_by_username(username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    now = clock()
    vog = user.vog_recorded_at
    if vog_recorded_at is not None:
        vog = _vog_date(vog_recorded_at, now=now)
    elif clear_vog:
        vog = None
    statement = user.geheimhouding_recorded_at
    if geheimhouding is not None:
        statement = (statement or now) if geheimhouding else None
    new_roles = user.roles if roles is None else roles
    new_active = user.active if active is None else active
    changed: dict[str, tuple[object, object]] = {
        "VOG": (user.vog_recorded_at, vog),
        "geheimhouding": (user.geheimhouding_recorded_at, statement),
        "roles": (user.roles, new_roles),
        "active": (user.active, new_active),
    }
    said = [_change(name, new) for name, (old, new) in changed.items() if old != new]
    if not said:
        raise InvalidInput(f"nothing to change for {username!r}")
    async with write_transaction():
        updated = await partijen_db.update_user(
            user_id=user.id,
            roles=new_roles,
            vog_recorded_at=vog,
            geheimhouding_recorded_at=statement,
            active=new_active,
        )
        await audit.by_operator(
            Action.USER_UPDATE,
            f"user {username} ({user.id}): {', '.join(said)}",
            operator=operator,
            at=now,
        )
    return updated


def _change(name: str, new: object) -> str:
    if name == "roles" and isinstance(new, frozenset):
        return f"roles {','.join(sorted(new))}"
    if name == "active":
        return "activated" if new else "deactivated"
    if isinstance(new, datetime):
        return f"{name} {new.date().isoformat()}"
    return f"{name} removed"


async def list_tokens(*, username: str | None = None) -> list[ApiToken]:
    if username is not None and await partijen_db.user_by_username(username) is None:
        raise NotFound(f"no user named {username!r}")
    return await tokens_db.api_tokens(username=username)


async def revoke_token(
    token_id: uuid.UUID, *, operator: str, audit: AuditLog, clock: Clock
) -> ApiToken:
    """Revoke one API token at once; the next request with it is answered 401."""
    now = clock()
    async with write_transaction():
        revoked = await tokens_db.revoke_api_token(token_id=token_id, now=now)
        if revoked is None:
            raise NotFound(f"no live API token {token_id}")
        await audit.by_operator(
            Action.TOKEN_REVOKE,
            f"API token {token_id} of {revoked.username} ({revoked.label or 'no label'}) revoked",
            operator=operator,
            at=now,
        )
    return revoked


MAX_PUBLIC_KEY_LENGTH = 64 * 1024


async def read_encryption_key(armored: str, *, keys: CaseKeys) -> str:
    """The fingerprint of an armored public key able to encrypt, else InvalidInput."""
    if len(armored) > MAX_PUBLIC_KEY_LENGTH:
        raise InvalidInput(f"an OpenPGP public key has at most {MAX_PUBLIC_KEY_LENGTH} characters")
    try:
        key = await asyncio.to_thread(keys.read_public_key, armored)
    except KeyNotAvailable as exc:
        raise InvalidInput(
            f"not an OpenPGP public key that can encrypt: {exc}",
            code=RefusalCode.OPENPGP_KEY_INVALID,
        ) from None
    return key.fingerprint


async def register_my_public_key(
    context: RequestContext, *, armored: str, keys: CaseKeys, audit: AuditLog, clock: Clock
) -> str:
    """Register the caller's own OpenPGP key, for ``delivery=pgp``; return its fingerprint.

    A key that cannot encrypt (no usable encryption subkey) is refused: documents
    re-encrypted to it could not be sent.
    """
    record = audit.about(context, at=clock())
    try:
        fingerprint = await read_encryption_key(armored, keys=keys)
    except InvalidInput as exc:
        await record.deny(Action.USER_REGISTER_KEY_DENIED, str(exc))
        raise
    async with write_transaction():
        await partijen_db.set_user_public_key(user_id=context.actor.user_id, armored=armored)
        await record.succeed(Action.USER_REGISTER_KEY, f"OpenPGP key {fingerprint} registered")
    return fingerprint
