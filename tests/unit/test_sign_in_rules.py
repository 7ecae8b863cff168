"""The sign-in rules (art. 12, Bijlage 3), table by table: slow down, lock, forget; sessions
that end; TOTP codes usable once; passwords long enough; what was typed as second factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.sign_in import (
    PasswordProblem,
    SecondFactor,
    SessionPolicy,
    SignInFailures,
    SignInPolicy,
    Wait,
    after_failure,
    failures_forgotten_before,
    must_wait,
    password_problem,
    second_factor_kind,
    session_alive,
    session_cutoffs,
    session_needs_touch,
    totp_step_usable,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = SignInPolicy(slow_after=3, lock_after=5, lock_seconds=900, slow_seconds=2)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def failures(count: int, *, locked_until: datetime | None = None) -> SignInFailures:
    return SignInFailures(failures=count, last_failed_at=T0, locked_until=locked_until)


@pytest.mark.parametrize(
    ("state", "now", "wait"),
    [
        pytest.param(None, at(0), None, id="no failures: go ahead"),
        pytest.param(failures(2), at(0), None, id="below slow_after: go ahead at once"),
        pytest.param(failures(3), at(1), Wait(seconds=1, locked=False), id="3rd: wait 2 s"),
        pytest.param(failures(3), at(2), None, id="3rd: after 2 s go ahead"),
        pytest.param(failures(4), at(3), Wait(seconds=1, locked=False), id="4th: wait 4 s"),
        pytest.param(
            failures(5, locked_until=at(900)), at(10), Wait(seconds=890, locked=True), id="locked"
        ),
        pytest.param(failures(5, locked_until=at(900)), at(900), None, id="lock over"),
        pytest.param(failures(4), at(900), None, id="failures forgotten after lock_seconds"),
    ],
)
def test_an_attempt_waits_while_slowed_down_or_locked(
    state: SignInFailures | None, now: datetime, wait: Wait | None
) -> None:
    assert must_wait(state, now=now, policy=POLICY) == wait


@pytest.mark.parametrize(
    ("state", "now", "count", "locked_now"),
    [
        pytest.param(None, at(0), 1, False, id="first failure"),
        pytest.param(failures(3), at(10), 4, False, id="fourth failure"),
        pytest.param(failures(4), at(10), 5, True, id="fifth failure locks"),
        pytest.param(
            failures(4), at(900), 1, False, id="after lock_seconds a failure is the first"
        ),
        pytest.param(
            failures(5, locked_until=at(900)), at(901), 1, False, id="after a lock, counted anew"
        ),
    ],
)
def test_failures_count_up_to_the_lock(
    state: SignInFailures | None, now: datetime, count: int, locked_now: bool
) -> None:
    failure = after_failure(state, now=now, policy=POLICY)
    assert failure.state.failures == count
    assert failure.state.last_failed_at == now
    assert failure.locked_now is locked_now
    assert failure.state.locked_until == (now + timedelta(seconds=900) if locked_now else None)


SESSIONS = SessionPolicy(idle_seconds=900, max_seconds=8 * 3600)


@pytest.mark.parametrize(
    ("created", "last_seen", "now", "alive"),
    [
        pytest.param(at(0), at(0), at(899), True, id="used within 15 minutes"),
        pytest.param(at(0), at(0), at(900), False, id="idle for 15 minutes"),
        pytest.param(at(0), at(8 * 3600 - 60), at(8 * 3600), False, id="8 hours after sign-in"),
        pytest.param(at(0), at(8 * 3600 - 60), at(8 * 3600 - 1), True, id="just under 8 hours"),
    ],
)
def test_a_session_ends_when_idle_or_too_old(
    created: datetime, last_seen: datetime, now: datetime, alive: bool
) -> None:
    assert (
        session_alive(created_at=created, last_seen_at=last_seen, now=now, policy=SESSIONS) is alive
    )


@pytest.mark.parametrize(
    ("step", "last_used", "usable"),
    [(100, None, True), (101, 100, True), (100, 100, False), (99, 100, False)],
    ids=["never used", "next step", "same step replayed", "earlier step"],
)
def test_a_totp_step_is_usable_once(step: int, last_used: int | None, usable: bool) -> None:
    assert totp_step_usable(step, last_used_step=last_used) is usable


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kort", PasswordProblem.TOO_SHORT),
        ("x" * 257, PasswordProblem.TOO_LONG),
        ("Alice.de.Vries", PasswordProblem.IS_USERNAME),
        ("paard batterij nietje", None),
    ],
)
def test_a_password_needs_length_and_is_not_the_username(
    password: str, problem: PasswordProblem | None
) -> None:
    assert password_problem(password, username="alice.de.vries") is problem


@pytest.mark.parametrize(
    ("entered", "kind"),
    [
        ("123456", (SecondFactor.TOTP, "123456")),
        (" 123 456 ", (SecondFactor.TOTP, "123456")),
        ("abcd-efgh-ijkl-mnop", (SecondFactor.RECOVERY_CODE, "ABCDEFGHIJKLMNOP")),
        ("12345", None),
        ("ABCD-EFGH-IJKL-MNO1", None),
        ("", None),
    ],
)
def test_what_was_typed_as_second_factor(
    entered: str, kind: tuple[SecondFactor, str] | None
) -> None:
    assert second_factor_kind(entered) == kind


@pytest.mark.parametrize(
    ("seconds_since_last_write", "writes"),
    [(0, False), (59, False), (60, True), (600, True)],
)
def test_a_session_is_touched_at_most_once_a_minute(
    seconds_since_last_write: int, writes: bool
) -> None:
    assert session_needs_touch(last_seen_at=T0, now=at(seconds_since_last_write)) is writes


@pytest.mark.parametrize("seconds", [899, 900, 901])
def test_the_sweep_forgets_failures_exactly_when_the_rules_stop_counting_them(
    seconds: int,
) -> None:
    now = at(seconds)
    counted = after_failure(failures(2), now=now, policy=POLICY).state.failures
    swept = failures_forgotten_before(now=now, policy=POLICY) >= T0
    assert swept is (counted == 1)


@pytest.mark.parametrize(
    ("created", "seen", "now"),
    [(0, 0, 899), (0, 0, 900), (0, 28_000, 28_799), (0, 28_000, 28_800)],
)
def test_the_sweep_deletes_a_session_exactly_when_it_is_no_longer_alive(
    created: int, seen: int, now: int
) -> None:
    policy = SessionPolicy(idle_seconds=900, max_seconds=8 * 3600)
    cutoffs = session_cutoffs(now=at(now), policy=policy)
    swept = at(seen) <= cutoffs.seen_before or at(created) <= cutoffs.begun_before
    alive = session_alive(created_at=at(created), last_seen_at=at(seen), now=at(now), policy=policy)
    assert swept is not alive
