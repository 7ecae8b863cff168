"""Credentials, recovery codes, failed sign-ins, web sessions and enrolment links.

Every one-time thing (a TOTP time step, a recovery code, an enrolment link) is used up by
one conditional UPDATE, so two app processes racing for the same code cannot both win.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from portal.db.tables import EnrolmentLink, RecoveryCode, SignInFailure, UserCredential, WebSession
from portal.db.transactions import write_transaction
from portal.domain import sign_in
from portal.domain.partijen import UserId


def _credential(row: dict[str, Any]) -> sign_in.Credential:
    return sign_in.Credential(
        user_id=UserId(UUID(str(row["user"]))),
        password_hash=row["password_hash"],
        totp_secret_sealed=row["totp_secret_sealed"],
        totp_confirmed=row["totp_confirmed_at"] is not None,
        totp_last_step=row["totp_last_step"],
    )


async def credential_of(user_id: UserId) -> sign_in.Credential | None:
    row = await UserCredential.select().where(UserCredential.user == user_id).first()
    return _credential(row) if row else None


async def _ensure_credential(user_id: UserId) -> None:
    await UserCredential.insert(UserCredential(user=user_id)).on_conflict(
        target=UserCredential.user, action="DO NOTHING"
    )


async def set_password(user_id: UserId, password_hash: str, *, now: datetime) -> None:
    await _ensure_credential(user_id)
    await UserCredential.update(
        {UserCredential.password_hash: password_hash, UserCredential.password_set_at: now}
    ).where(UserCredential.user == user_id)


async def set_unconfirmed_totp(user_id: UserId, sealed_secret: str | None) -> None:
    """A new TOTP seed awaiting its first code (None: one is made at enrolment); any
    earlier second factor is gone."""
    await _ensure_credential(user_id)
    await UserCredential.update(
        {
            UserCredential.totp_secret_sealed: sealed_secret,
            UserCredential.totp_confirmed_at: None,
            UserCredential.totp_last_step: None,
        }
    ).where(UserCredential.user == user_id)


async def confirm_totp(user_id: UserId, *, step: int, now: datetime) -> bool:
    """Confirm the unconfirmed seed with the step of its first code; False if it was
    confirmed meanwhile (by another request with the same code)."""
    confirmed = await (
        UserCredential.update(
            {UserCredential.totp_confirmed_at: now, UserCredential.totp_last_step: step}
        )
        .where((UserCredential.user == user_id) & UserCredential.totp_confirmed_at.is_null())
        .returning(UserCredential.id)
    )
    return bool(confirmed)


async def claim_totp_step(user_id: UserId, step: int) -> bool:
    """Use up ``step``: True only if it is later than every step used before."""
    claimed = await (
        UserCredential.update({UserCredential.totp_last_step: step})
        .where(
            (UserCredential.user == user_id)
            & UserCredential.totp_confirmed_at.is_not_null()
            & (UserCredential.totp_last_step.is_null() | (UserCredential.totp_last_step < step))
        )
        .returning(UserCredential.id)
    )
    return bool(claimed)


async def replace_recovery_codes(
    user_id: UserId, code_hashes: Sequence[str], *, now: datetime
) -> None:
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    if code_hashes:
        await RecoveryCode.insert(
            *(RecoveryCode(user=user_id, code_hash=h, created_at=now) for h in code_hashes)
        )


async def use_recovery_code(user_id: UserId, code_hash: str, *, now: datetime) -> bool:
    used = await (
        RecoveryCode.update({RecoveryCode.used_at: now})
        .where(
            (RecoveryCode.user == user_id)
            & (RecoveryCode.code_hash == code_hash)
            & RecoveryCode.used_at.is_null()
        )
        .returning(RecoveryCode.id)
    )
    return bool(used)


async def unused_recovery_codes(user_id: UserId) -> int:
    return int(
        await RecoveryCode.count().where(
            (RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null()
        )
    )


def _failures(row: dict[str, Any]) -> sign_in.SignInFailures | None:
    if not row["failures"]:
        return None
    return sign_in.SignInFailures(
        failures=int(row["failures"]),
        last_failed_at=row["last_failed_at"],
        locked_until=row["locked_until"],
    )


async def failures_of(name_key: str) -> sign_in.SignInFailures | None:
    row = await SignInFailure.select().where(SignInFailure.name_key == name_key).first()
    return _failures(row) if row else None


@asynccontextmanager
async def locked_failures(
    name_key: str, *, now: datetime
) -> AsyncIterator[sign_in.SignInFailures | None]:
    """The name's failures, read in a write transaction that :func:`save_failures` joins,
    so that two processes counting a failure of the same name count two (the row is made
    first, as for ``login_failure_window``, so there is a row to lock on PostgreSQL)."""
    async with write_transaction():
        await SignInFailure.insert(
            SignInFailure(name_key=name_key, failures=0, last_failed_at=now)
        ).on_conflict(target=SignInFailure.name_key, action="DO NOTHING")
        query = SignInFailure.select().where(SignInFailure.name_key == name_key)
        if isinstance(SignInFailure._meta.db, PostgresEngine):
            query = query.lock_rows("UPDATE")
        row = await query.first()
        yield _failures(row) if row else None


async def save_failures(name_key: str, state: sign_in.SignInFailures) -> None:
    await SignInFailure.update(
        {
            SignInFailure.failures: state.failures,
            SignInFailure.last_failed_at: state.last_failed_at,
            SignInFailure.locked_until: state.locked_until,
        }
    ).where(SignInFailure.name_key == name_key)


async def forget_failures(name_key: str) -> None:
    await SignInFailure.delete().where(SignInFailure.name_key == name_key)


async def insert_session(
    *, id_hash: str, user_id: UserId, stage: sign_in.SessionStage, csrf_secret: str, now: datetime
) -> None:
    await WebSession.insert(
        WebSession(
            id_hash=id_hash,
            user=user_id,
            stage=stage,
            created_at=now,
            last_seen_at=now,
            csrf_secret=csrf_secret,
        )
    )


async def session_by_hash(id_hash: str) -> sign_in.WebSession | None:
    row = await WebSession.select().where(WebSession.id_hash == id_hash).first()
    if row is None:
        return None
    return sign_in.WebSession(
        id_hash=row["id_hash"],
        user_id=UserId(UUID(str(row["user"]))),
        stage=sign_in.SessionStage(row["stage"]),
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        csrf_secret=row["csrf_secret"],
    )


async def touch_session(id_hash: str, *, now: datetime) -> None:
    await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id_hash == id_hash)


async def delete_session(id_hash: str) -> bool:
    deleted = (
        await WebSession.delete().where(WebSession.id_hash == id_hash).returning(WebSession.id_hash)
    )
    return bool(deleted)


async def delete_sessions_of(user_id: UserId) -> None:
    await WebSession.delete().where(WebSession.user == user_id)


async def insert_enrolment_link(
    *, token_hash: str, user_id: UserId, now: datetime, expires_at: datetime
) -> None:
    # One live link per user: a new one makes any earlier one useless.
    await EnrolmentLink.delete().where(EnrolmentLink.user == user_id)
    await EnrolmentLink.insert(
        EnrolmentLink(token_hash=token_hash, user=user_id, created_at=now, expires_at=expires_at)
    )


async def enrolment_link_user(token_hash: str, *, now: datetime) -> UserId | None:
    """The user of a live (unused, unexpired) link, without using it up."""
    row = (
        await EnrolmentLink.select(EnrolmentLink.user)
        .where(
            (EnrolmentLink.token_hash == token_hash)
            & EnrolmentLink.used_at.is_null()
            & (EnrolmentLink.expires_at > now)
        )
        .first()
    )
    return UserId(UUID(str(row["user"]))) if row else None


async def use_enrolment_link(token_hash: str, *, now: datetime) -> UserId | None:
    used = await (
        EnrolmentLink.update({EnrolmentLink.used_at: now})
        .where(
            (EnrolmentLink.token_hash == token_hash)
            & EnrolmentLink.used_at.is_null()
            & (EnrolmentLink.expires_at > now)
        )
        .returning(EnrolmentLink.user)
    )
    return UserId(UUID(str(used[0]["user"]))) if used else None


async def delete_forgotten_failures(*, counted_before: datetime, now: datetime) -> int:
    """Delete the failure counts the rules no longer look at (see
    ``portal.domain.sign_in.failures_forgotten_before``); how many went."""
    deleted = (
        await SignInFailure.delete()
        .where(
            (
                SignInFailure.locked_until.is_null()
                & (SignInFailure.last_failed_at <= counted_before)
            )
            | (SignInFailure.locked_until <= now)
        )
        .returning(SignInFailure.name_key)
    )
    return len(deleted)


async def delete_ended_sessions(cutoffs: sign_in.SessionCutoffs) -> int:
    deleted = (
        await WebSession.delete()
        .where(
            (WebSession.last_seen_at <= cutoffs.seen_before)
            | (WebSession.created_at <= cutoffs.begun_before)
        )
        .returning(WebSession.id_hash)
    )
    return len(deleted)


async def delete_dead_enrolment_links(*, now: datetime) -> int:
    """Links used or expired open nothing any more (:func:`enrolment_link_user`)."""
    deleted = (
        await EnrolmentLink.delete()
        .where(EnrolmentLink.used_at.is_not_null() | (EnrolmentLink.expires_at <= now))
        .returning(EnrolmentLink.token_hash)
    )
    return len(deleted)
