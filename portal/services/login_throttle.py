"""Refused bearer tokens: recorded, counted or blocked per client address.

The rules are ``portal.domain.login_throttle``; the counts live in the database so that
every app process sees the same ones; the time is the injected clock's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.db import login_throttle as login_throttle_db
from portal.domain.actions import Action
from portal.domain.login_throttle import ThrottlePolicy, refuse, retry_after
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
            reason=(
                f"{refusal.summary.count} more refused API tokens or sign-ins from this "
                "address, counted, not recorded one by one"
            ),
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
