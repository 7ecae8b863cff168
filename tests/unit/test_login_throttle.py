"""The refused-token rules (issue #12), table by table: record, count, summarise, block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.login_throttle import (
    FailureWindow,
    Summary,
    ThrottlePolicy,
    forgettable,
    leftover,
    refuse,
    retry_after,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(window_seconds=60, recorded_per_window=5, block_after=20, block_seconds=300)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def window(
    failures: int, unrecorded: int = 0, *, blocked_until: datetime | None = None
) -> FailureWindow:
    return FailureWindow(
        started_at=T0, failures=failures, unrecorded=unrecorded, blocked_until=blocked_until
    )


@pytest.mark.parametrize(
    ("before", "now", "after", "record_it", "summary"),
    [
        pytest.param(None, at(0), window(1), True, None, id="first refusal opens a window"),
        pytest.param(window(4), at(10), window(5), True, None, id="the 5th is still recorded"),
        pytest.param(window(5), at(10), window(6, 1), False, None, id="the 6th is only counted"),
        pytest.param(
            window(18, 13), at(10), window(19, 14), False, None, id="19 refusals do not block"
        ),
        pytest.param(
            window(19, 14),
            at(10),
            window(20, 15, blocked_until=at(310)),
            False,
            None,
            id="the 20th blocks for 300 s",
        ),
        pytest.param(
            window(20, 15, blocked_until=at(310)),
            at(20),
            window(21, 16, blocked_until=at(310)),
            False,
            None,
            id="refusals while blocked count without extending the block",
        ),
        pytest.param(
            window(5),
            at(60),
            FailureWindow(started_at=at(60), failures=1, unrecorded=0),
            True,
            None,
            id="a new window with nothing unrecorded has no summary",
        ),
        pytest.param(
            window(100, 95, blocked_until=at(310)),
            at(61),
            FailureWindow(started_at=at(61), failures=1, unrecorded=0, blocked_until=at(310)),
            True,
            Summary(count=95, since=T0, until=at(61)),
            id="the first refusal after the window carries its summary; the block outlasts it",
        ),
        pytest.param(
            window(20, 15, blocked_until=at(310)),
            at(400),
            FailureWindow(started_at=at(400), failures=1, unrecorded=0),
            True,
            Summary(count=15, since=T0, until=at(400)),
            id="an ended block is lifted",
        ),
    ],
)
def test_a_refused_token_is_recorded_counted_or_blocked(
    before: FailureWindow | None,
    now: datetime,
    after: FailureWindow,
    record_it: bool,
    summary: Summary | None,
) -> None:
    refusal = refuse(before, now=now, policy=POLICY)
    assert refusal.window == after
    assert refusal.record_it is record_it
    assert refusal.summary == summary


@pytest.mark.parametrize(
    ("state", "now", "seconds"),
    [
        pytest.param(None, at(0), None, id="an unknown address waits for nothing"),
        pytest.param(window(3), at(0), None, id="an unblocked address waits for nothing"),
        pytest.param(window(20, blocked_until=at(300)), at(0), 300, id="a fresh block"),
        pytest.param(window(20, blocked_until=at(300)), at(299.5), 1, id="rounded up"),
        pytest.param(window(20, blocked_until=at(300)), at(300), None, id="an ended block"),
    ],
)
def test_a_blocked_address_is_told_how_long_to_wait(
    state: FailureWindow | None, now: datetime, seconds: int | None
) -> None:
    assert retry_after(state, now=now) == seconds


def test_100_refusals_in_one_window_record_5_and_count_the_rest() -> None:
    state = None
    recorded = 0
    for n in range(100):
        refusal = refuse(state, now=at(n * 0.1), policy=POLICY)
        state = refusal.window
        recorded += refusal.record_it
    assert recorded == 5
    assert state is not None
    assert state.unrecorded == 95
    assert recorded + state.unrecorded == 100


@pytest.mark.parametrize(
    ("state", "now", "gone"),
    [
        pytest.param(window(3), at(59), False, id="a running window stays"),
        pytest.param(window(3), at(60), True, id="an ended window may go"),
        pytest.param(window(20, blocked_until=at(300)), at(120), False, id="a block outlasts it"),
        pytest.param(window(20, blocked_until=at(300)), at(300), True, id="until the block ends"),
    ],
)
def test_a_window_may_be_forgotten_once_it_and_its_block_have_ended(
    state: FailureWindow, now: datetime, gone: bool
) -> None:
    assert forgettable(state, now=now, policy=POLICY) is gone


def test_a_forgotten_window_owes_the_summary_of_what_it_only_counted() -> None:
    assert leftover(window(5), policy=POLICY) is None
    assert leftover(window(9, 4), policy=POLICY) == Summary(count=4, since=T0, until=at(60))
