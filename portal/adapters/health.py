"""Readiness: can this process serve documents right now?"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import msgspec

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[None]]
PROBE_TIMEOUT_SECONDS = 5.0


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
