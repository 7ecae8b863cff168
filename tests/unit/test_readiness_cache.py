"""Readiness probes are shared for a few seconds, then run again."""

from __future__ import annotations

from portal.adapters.health import CachedReadiness


async def test_a_readiness_result_is_reused_within_its_ttl_and_renewed_after() -> None:
    calls = 0
    now = 0.0

    async def probe() -> None:
        nonlocal calls
        calls += 1

    cache = CachedReadiness({"gpg": probe}, ttl_seconds=5, monotonic=lambda: now)
    for moment in (0.0, 1.0, 4.9):
        now = moment
        assert (await cache.check()).ready
    assert calls == 1
    now = 5.0
    await cache.check()
    assert calls == 2
