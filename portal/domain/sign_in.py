"""Signing in to the web pages: failures, locks, sessions and second factors, as rules.

Art. 12 and Bijlage 3 ask for appropriate technical measures; for the pages that is a
password and a second factor (TOTP, RFC 6238) for every user, and sessions that end.

- **Failures are counted per account name, whether or not an account has that name**:
  an unknown name then slows down and locks exactly like a real one, so neither the
  answer nor its timing tells an outsider which names exist. After ``slow_after``
  failures each next attempt must wait, twice as long each time; at ``lock_after`` the
  name is locked for ``lock_seconds``. Failures older than that are forgotten.
- **A session ends** after ``idle_seconds`` without a request, or ``max_seconds`` after
  sign-in, whichever comes first.
- **A TOTP code is usable once**: a time step at or before the last one used is refused,
  so a code seen over someone's shoulder cannot be replayed within its window.

Pure: the caller keeps the state (in the database, shared by every app process) and
passes the time.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.domain.partijen import UserId


class SessionStage(enum.StrEnum):
    """How far a web session has come; only ``signed_in`` reaches the portal's pages."""

    SECOND_FACTOR = "second_factor"
    """The password was right; a TOTP code or a recovery code is awaited."""
    ENROL = "enrol"
    """The password was right (or just chosen); the second factor is to be set up."""
    SIGNED_IN = "signed_in"


@dataclass(frozen=True, kw_only=True)
class Credential:
    """How one user signs in; the secrets only as hash and sealed value."""

    user_id: UserId
    password_hash: str | None
    totp_secret_sealed: str | None
    totp_confirmed: bool
    totp_last_step: int | None


@dataclass(frozen=True, kw_only=True)
class WebSession:
    """A browser's session as the database holds it: never the id itself, only its hash."""

    id_hash: str
    user_id: UserId
    stage: SessionStage
    created_at: datetime
    last_seen_at: datetime
    csrf_secret: str


@dataclass(frozen=True, kw_only=True)
class SignInPolicy:
    slow_after: int = 3
    lock_after: int = 5
    lock_seconds: int = 900
    slow_seconds: int = 2
    """The wait after ``slow_after`` failures; it doubles with every further failure."""


@dataclass(frozen=True, kw_only=True)
class SignInFailures:
    """What is known about one account name's recent failed sign-ins."""

    failures: int
    last_failed_at: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Wait:
    """An attempt that may not be checked now: the name is locked, or must slow down."""

    seconds: int
    locked: bool


@dataclass(frozen=True, kw_only=True)
class Failure:
    """The state after one more failure, and whether that failure locked the name."""

    state: SignInFailures
    locked_now: bool


def _forgotten(state: SignInFailures, *, now: datetime, policy: SignInPolicy) -> bool:
    if state.locked_until is not None:
        return now >= state.locked_until
    return now - state.last_failed_at >= timedelta(seconds=policy.lock_seconds)


def failures_forgotten_before(*, now: datetime, policy: SignInPolicy) -> datetime:
    """Unlocked failures last counted at or before this moment are forgotten (as
    :func:`must_wait` and :func:`after_failure` treat them), and so are locks that ran out
    by ``now``: their rows may be deleted."""
    return now - timedelta(seconds=policy.lock_seconds)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def must_wait(state: SignInFailures | None, *, now: datetime, policy: SignInPolicy) -> Wait | None:
    """Whether an attempt for this name must be refused unchecked now, and for how long."""
    if state is None or _forgotten(state, now=now, policy=policy):
        return None
    if state.locked_until is not None:
        return Wait(seconds=_seconds(state.locked_until - now), locked=True)
    if state.failures < policy.slow_after:
        return None
    delay = timedelta(seconds=policy.slow_seconds * 2 ** (state.failures - policy.slow_after))
    if now >= state.last_failed_at + delay:
        return None
    return Wait(seconds=_seconds(state.last_failed_at + delay - now), locked=False)


def after_failure(state: SignInFailures | None, *, now: datetime, policy: SignInPolicy) -> Failure:
    """Count one failed attempt at ``now``; the ``lock_after``-th locks the name."""
    kept = state is not None and not _forgotten(state, now=now, policy=policy)
    earlier = state.failures if kept and state is not None else 0
    failures = earlier + 1
    if failures >= policy.lock_after:
        locked_until = now + timedelta(seconds=policy.lock_seconds)
        return Failure(
            state=SignInFailures(failures=failures, last_failed_at=now, locked_until=locked_until),
            locked_now=True,
        )
    return Failure(state=SignInFailures(failures=failures, last_failed_at=now), locked_now=False)


@dataclass(frozen=True, kw_only=True)
class SessionPolicy:
    idle_seconds: int = 15 * 60
    max_seconds: int = 8 * 3600


def session_alive(
    *, created_at: datetime, last_seen_at: datetime, now: datetime, policy: SessionPolicy
) -> bool:
    """A session lives until it has been idle too long or has reached its maximum age."""
    if now - last_seen_at >= timedelta(seconds=policy.idle_seconds):
        return False
    return now - created_at < timedelta(seconds=policy.max_seconds)


@dataclass(frozen=True, kw_only=True)
class SessionCutoffs:
    """A session seen at or before ``seen_before``, or begun at or before ``begun_before``,
    is over (:func:`session_alive`): its row may be deleted."""

    seen_before: datetime
    begun_before: datetime


def session_cutoffs(*, now: datetime, policy: SessionPolicy) -> SessionCutoffs:
    return SessionCutoffs(
        seen_before=now - timedelta(seconds=policy.idle_seconds),
        begun_before=now - timedelta(seconds=policy.max_seconds),
    )


# A session's last request is written at most once a minute: one UPDATE per page request
# would make every read a write. The idle limit then counts from up to a minute earlier,
# so a session may end that much sooner, never later.
TOUCH_INTERVAL = timedelta(minutes=1)


def session_needs_touch(*, last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


def totp_step_usable(step: int, *, last_used_step: int | None) -> bool:
    """A code's time step is usable only after the last step used (no replay)."""
    return last_used_step is None or step > last_used_step


class PasswordProblem(enum.StrEnum):
    TOO_SHORT = "too-short"
    TOO_LONG = "too-long"
    IS_USERNAME = "is-username"


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def password_problem(password: str, *, username: str) -> PasswordProblem | None:
    """Length is what makes a password strong (NIST SP 800-63B); no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.TOO_LONG
    if password.strip().lower() == username.lower():
        return PasswordProblem.IS_USERNAME
    return None


class SecondFactor(enum.StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery-code"


TOTP_CODE = re.compile(r"^[0-9]{6}$")
RECOVERY_CODE = re.compile(r"^[A-Z2-7]{16}$")
"""16 base32 characters: 80 random bits, so an unsalted SHA-256 of it cannot be searched."""


def second_factor_kind(entered: str) -> tuple[SecondFactor, str] | None:
    """Which second factor someone typed, normalised: six digits are a TOTP code; a
    recovery code may be typed with spaces or dashes and in either case."""
    compact = re.sub(r"[\s-]", "", entered)
    if TOTP_CODE.match(compact):
        return SecondFactor.TOTP, compact
    upper = compact.upper()
    if RECOVERY_CODE.match(upper):
        return SecondFactor.RECOVERY_CODE, upper
    return None
