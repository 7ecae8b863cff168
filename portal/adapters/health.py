"""Readiness: can this process serve documents right now?"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

import msgspec

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[None]]
PROBE_TIMEOUT_SECONDS = 5.0
READINESS_CACHE_SECONDS = 5.0


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    ready: bool
    checks: dict[str, str]
    """Per dependency ``"ok"`` or a short reason; never a secret or a stack trace."""


async def _run(name: str, probe: Probe) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe(), timeout=PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("readiness: %s did not answer within %.0f s", name, PROBE_TIMEOUT_SECONDS)
        return name, "timeout"
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency means not ready
        log.warning("readiness: %s failed: %s", name, exc)
        return name, f"failed: {type(exc).__name__}"
    return name, "ok"


async def check_readiness(probes: Mapping[str, Probe]) -> Readiness:
    results = await asyncio.gather(*(_run(name, probe) for name, probe in probes.items()))
    checks = dict(results)
    return Readiness(ready=all(v == "ok" for v in checks.values()), checks=checks)


class CachedReadiness:
    """The last readiness result, reused for ``READINESS_CACHE_SECONDS``.

    ``/health/ready`` is anonymous, and every probe costs a database round trip, an object
    store request and three gpg processes: unthrottled, anyone could make the portal fork
    gpg at will. Callers within the same few seconds share one probe (concurrent ones wait
    for it rather than start their own). The cache is in this process's memory on purpose:
    readiness is a fact about this process, which the load balancer asks each one about,
    so it is not state that app processes must share through the database.
    """

    def __init__(
        self,
        probes: Mapping[str, Probe],
        *,
        ttl_seconds: float = READINESS_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probes = probes
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._last: tuple[float, Readiness] | None = None

    async def check(self) -> Readiness:
        async with self._lock:
            now = self._monotonic()
            if self._last is None or now - self._last[0] >= self._ttl:
                self._last = (now, await check_readiness(self._probes))
            return self._last[1]
