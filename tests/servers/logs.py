"""The test servers' logs, kept past their servers, and the scan for leaked secrets.

Justifications and revoke reasons are personal data about a case; they belong in the
audit log and nowhere else (issue #9: "they travel in the URL and so land in the server's
access log"). Every test that sends one makes it with :func:`secret`, so it starts with
:data:`SECRET_MARKER`. Each launcher in ``tests.servers`` and ``tests.web.live`` hands its
log to :data:`server_logs` before it deletes its work directory, and at the end of the
session ``tests/conftest.py`` scans what was kept and fails the run if a marker is in it.

The scan must not pass because it saw nothing, so it also fails when secrets were sent but
no log was kept, or when a portal log holds no access line (the access log was off and
would have hidden a URL that carried one).
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SECRET_MARKER = "VERTROUWELIJK-"
"""Starts every justification and reason the tests send; only URL-safe characters, so a
percent-encoded query string carries it unchanged."""

PORTAL_LOG = "portal"
# An access line, uvicorn's (client - "METHOD /path?query HTTP/1.1" status) or the
# portal's own (portal.access: METHOD /path status duration client).
ACCESS_LINE = re.compile(rb'(GET|POST|PUT|PATCH|DELETE|HEAD) /\S*(?: HTTP/1\.[01]")? \d{3}\b')


@dataclass(frozen=True, kw_only=True)
class Finding:
    log: Path
    line: int
    excerpt: str

    def __str__(self) -> str:
        return f"{self.log}:{self.line}: {self.excerpt}"


@dataclass(frozen=True, kw_only=True)
class Scan:
    logs: tuple[Path, ...]
    findings: tuple[Finding, ...]
    problems: tuple[str, ...]
    """Why the scan cannot vouch for the logs, even though it found nothing."""

    @property
    def clean(self) -> bool:
        return not self.findings and not self.problems


def markers_in(log: Path, marker: str = SECRET_MARKER) -> list[Finding]:
    """Every line of ``log`` that holds ``marker``, read as bytes (logs need not be UTF-8)."""
    needle = marker.encode()
    found = []
    with log.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if needle in line:
                at = line.index(needle)
                excerpt = line[max(0, at - 80) : at + 80].decode(errors="replace").strip()
                found.append(Finding(log=log, line=number, excerpt=excerpt))
    return found


def scan_logs(logs: list[Path], *, secrets_sent: int, marker: str = SECRET_MARKER) -> Scan:
    problems = []
    if secrets_sent and not logs:
        problems.append(f"{secrets_sent} secrets were sent but no server log was kept")
    problems.extend(
        f"{log} holds no access line: a secret in a URL would not show"
        for log in logs
        if log.name.endswith(f"-{PORTAL_LOG}.log") and not ACCESS_LINE.search(log.read_bytes())
    )
    findings = [finding for log in logs for finding in markers_in(log, marker)]
    return Scan(logs=tuple(logs), findings=tuple(findings), problems=tuple(problems))


@dataclass
class ServerLogs:
    """Copies of the logs of every server this test process started."""

    _directory: Path | None = None
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    secrets_sent: int = 0

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="portal-server-logs-"))
        return self._directory

    def keep(self, kind: str, log: Path) -> None:
        """Copy ``log`` (of a server of ``kind``) before its server's directory goes."""
        if log.exists():
            shutil.copyfile(log, self.directory / f"{next(self._numbers):03d}-{kind}.log")

    def kept(self) -> list[Path]:
        return sorted(self._directory.glob("*.log")) if self._directory else []

    def scan(self) -> Scan:
        return scan_logs(self.kept(), secrets_sent=self.secrets_sent)

    def discard(self) -> None:
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


server_logs = ServerLogs()
"""This process's keeper, one per test session like logging's root logger: the launchers
are plain context managers that fixtures in several places use, without the pytest config."""


def secret(what: str) -> str:
    """A justification or reason text that the log scan will recognise if it leaks."""
    server_logs.secrets_sent += 1
    return f"{SECRET_MARKER}{what}-{uuid.uuid4().hex[:8]}"
