"""Refused bearer tokens: recorded, counted or blocked per client address.

The rules are ``portal.domain.login_throttle``; the counts live in the database so that
every app process sees the same ones; the time is the injected clock's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.db import login_throttle as login_throttle_db
from portal.domain.actions import Action
from portal.domain.login_throttle import (
    ThrottlePolicy,
    forgettable,
    leftover,
    refuse,
    retry_after,
)
from portal.services.audit import Account, AuditLog

UNKNOWN_ADDRESS = "unknown"
"""Where the server could not tell the client's address: one shared window for all."""


@dataclass(frozen=True, kw_only=True)
class RefusedToken:
    client_address: str | None
    user_agent: str | None
    trace_id: str | None
    span_id: str | None


async def seconds_blocked(client_address: str | None, *, now: datetime) -> int | None:
    """How long the address must wait before a token of its is looked up again, if at all."""
    window = await login_throttle_db.failure_window(client_address or UNKNOWN_ADDRESS)
    return retry_after(window, now=now)


async def refuse_token(
    refused: RefusedToken,
    *,
    reason: str,
    audit: AuditLog,
    policy: ThrottlePolicy,
    now: datetime,
    action: Action = Action.AUTH_LOGIN_FAILED,
    account: Account | None = None,
) -> None:
    """Count one refused token (or a request refused while blocked) and record what the
    rules say: this refusal, the summary of the address's previous window, or neither.

    Refused sign-ins to the web pages count in the same window (``action``
    ``auth:signin:failed``): one address guessing passwords or tokens is one address."""
    address = refused.client_address or UNKNOWN_ADDRESS
    async with login_throttle_db.locked_failure_window(address, now=now) as window:
        refusal = refuse(window, now=now, policy=policy)
        await login_throttle_db.save_failure_window(address, refusal.window)
    if refusal.summary is not None:
        await audit.failed_login(
            reason=_summary_reason(refusal.summary.count),
            client_address=refused.client_address,
            user_agent=None,
            trace_id=refused.trace_id,
            span_id=refused.span_id,
            at=refusal.summary.until,
            since=refusal.summary.since,
        )
    if refusal.record_it:
        await audit.failed_login(
            reason=reason,
            client_address=refused.client_address,
            user_agent=refused.user_agent,
            trace_id=refused.trace_id,
            span_id=refused.span_id,
            at=now,
            action=action,
            account=account,
        )


async def forget_ended_windows(*, audit: AuditLog, policy: ThrottlePolicy, now: datetime) -> int:
    """Delete the windows of addresses that stopped trying; how many went.

    Without this the table keeps a row for every address that was ever refused. A window
    that counted refusals it never recorded owes their summary: it is written here, since
    the refusal that would have written it may never come. Each row is taken under its
    lock, so a refusal counted by another process at the same moment is not lost.
    """
    moment = now - timedelta(seconds=policy.window_seconds)
    forgotten = 0
    for address in await login_throttle_db.addresses_started_before(moment):
        async with login_throttle_db.locked_failure_window(address, now=now) as window:
            if not forgettable(window, now=now, policy=policy):
                continue
            await login_throttle_db.delete_failure_window(address)
        forgotten += 1
        if (owed := leftover(window, policy=policy)) is not None:
            await audit.failed_login(
                reason=_summary_reason(owed.count),
                client_address=None if address == UNKNOWN_ADDRESS else address,
                user_agent=None,
                trace_id=None,
                span_id=None,
                at=owed.until,
                since=owed.since,
            )
    return forgotten


def _summary_reason(count: int) -> str:
    return (
        f"{count} more refused API tokens or sign-ins from this address, "
        "counted, not recorded one by one"
    )
