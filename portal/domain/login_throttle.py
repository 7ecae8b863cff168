"""How refused bearer tokens from one client address are recorded and, past a point, refused.

Every refused token used to write its own audit record, so anyone could grow the
append-only log at will. Per client address and per window:

- the first ``recorded_per_window`` refusals are recorded one by one (who tried, when);
- the rest are only counted; the count goes into one summary record, written at the
  first refusal after the window has ended;
- once ``block_after`` refusals fall in one window, the address is answered 429 for
  ``block_seconds``, before its token is even looked up. Refusals while blocked are
  counted too, so the summary says how hard the address kept trying.

Pure: the caller keeps :class:`FailureWindow` (in the database, shared by every app
process) and passes the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, kw_only=True)
class ThrottlePolicy:
    window_seconds: int = 60
    recorded_per_window: int = 5
    block_after: int = 20
    block_seconds: int = 300


@dataclass(frozen=True, kw_only=True)
class FailureWindow:
    """What is known about one address's refusals in its current window."""

    started_at: datetime
    failures: int
    """Refusals in this window, recorded or not."""
    unrecorded: int
    """Refusals in this window that no record names yet."""
    blocked_until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Summary:
    """The refusals of an ended window that were counted, not recorded one by one."""

    count: int
    since: datetime
    until: datetime


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """What to do about one more refused token (or blocked request) from an address."""

    window: FailureWindow
    record_it: bool
    summary: Summary | None


def forgettable(window: FailureWindow, *, now: datetime, policy: ThrottlePolicy) -> bool:
    """Whether the address's row may go: its window has ended and no block still runs.

    What the window counted but never recorded is then owed as a summary
    (:func:`leftover`): the next refusal would have written it, and none may come.
    """
    ended = now >= window.started_at + timedelta(seconds=policy.window_seconds)
    return ended and (window.blocked_until is None or now >= window.blocked_until)


def leftover(window: FailureWindow, *, policy: ThrottlePolicy) -> Summary | None:
    """The summary an ended window still owes, ending when the window did."""
    if not window.unrecorded:
        return None
    until = window.started_at + timedelta(seconds=policy.window_seconds)
    return Summary(count=window.unrecorded, since=window.started_at, until=until)


def retry_after(window: FailureWindow | None, *, now: datetime) -> int | None:
    """Seconds until the address may try again, or None when it is not blocked."""
    if window is None or window.blocked_until is None or now >= window.blocked_until:
        return None
    return max(1, math.ceil((window.blocked_until - now).total_seconds()))


def refuse(window: FailureWindow | None, *, now: datetime, policy: ThrottlePolicy) -> Refusal:
    """Count one refusal at ``now``: record it or only count it, and block when due.

    A window ends ``window_seconds`` after its first refusal; a block outlasts it. The
    refusal that opens a new window carries the old window's summary, if anything in it
    went unrecorded.
    """
    summary = None
    blocked_until = window.blocked_until if window else None
    if window is None or now >= window.started_at + timedelta(seconds=policy.window_seconds):
        if window is not None and window.unrecorded:
            summary = Summary(count=window.unrecorded, since=window.started_at, until=now)
        window = FailureWindow(started_at=now, failures=0, unrecorded=0)
    failures = window.failures + 1
    record_it = failures <= policy.recorded_per_window
    if failures == policy.block_after:
        blocked_until = now + timedelta(seconds=policy.block_seconds)
    if blocked_until is not None and now >= blocked_until:
        blocked_until = None
    return Refusal(
        window=FailureWindow(
            started_at=window.started_at,
            failures=failures,
            unrecorded=window.unrecorded + (0 if record_it else 1),
            blocked_until=blocked_until,
        ),
        record_it=record_it,
        summary=summary,
    )
