"""Real servers for the integration tests, started on 127.0.0.1 and free ports.

Each launcher is a context manager that starts one server in a temporary directory,
waits until it serves, yields how to reach it, and stops it again. The session fixtures
in ``tests/conftest.py`` use them and record which servers ran, so the test report can
say so. A server whose software is missing is skipped with the reason, except where
``PORTAL_TEST_REQUIRE`` names it (CI does): then the run fails instead.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def required_services() -> frozenset[str]:
    """Services the run must not skip, from ``PORTAL_TEST_REQUIRE`` (comma separated)."""
    raw = os.environ.get("PORTAL_TEST_REQUIRE", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def wait_until(ready: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``ready`` until it answers True, or fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not become ready within {timeout:.0f} s")
