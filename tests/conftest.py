"""Session-wide fixtures: the real servers and the figures the run reports."""

from __future__ import annotations

import pytest

from tests.servers.logs import SECRET_MARKER, Scan, server_logs

pytest_plugins = [
    "tests.servers.fixtures_postgres",
    "tests.servers.fixtures_s3",
    "tests.servers.fixtures_database",
]

_SERVICES_KEY = pytest.StashKey[dict[str, str]]()
_FIGURES_KEY = pytest.StashKey[list[str]]()
_LOG_SCAN_KEY = pytest.StashKey[Scan]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_SERVICES_KEY] = {}
    config.stash[_FIGURES_KEY] = []


class RunReport:
    """What this run used and measured, printed at the end of the test session."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def service(self, name: str, description: str) -> None:
        self._config.stash[_SERVICES_KEY][name] = description

    def figure(self, text: str) -> None:
        self._config.stash[_FIGURES_KEY].append(text)


@pytest.fixture(scope="session")
def run_report(pytestconfig: pytest.Config) -> RunReport:
    return RunReport(pytestconfig)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run if a justification or reason reached any server's log (issue #9).

    trylast: after the runner has torn down the session fixtures, so every server has
    stopped and handed over its complete log.
    """
    scan = server_logs.scan()
    session.config.stash[_LOG_SCAN_KEY] = scan
    if not scan.clean:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif scan.logs:
        server_logs.discard()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    services = config.stash.get(_SERVICES_KEY, {})
    figures = config.stash.get(_FIGURES_KEY, [])
    terminalreporter.section("servers used")
    if services:
        for name, description in sorted(services.items()):
            terminalreporter.write_line(f"{name}: {description}")
    else:
        terminalreporter.write_line("none started (no integration test ran)")
    if figures:
        terminalreporter.section("measured")
        for text in figures:
            terminalreporter.write_line(text)
    scan = config.stash.get(_LOG_SCAN_KEY, None)
    if scan is not None and (scan.logs or not scan.clean):
        terminalreporter.section("server logs", red=not scan.clean, green=scan.clean)
        for problem in scan.problems:
            terminalreporter.write_line(f"FAILED: {problem}", red=True)
        for finding in scan.findings:
            terminalreporter.write_line(f"FAILED: {SECRET_MARKER} in {finding}", red=True)
        if scan.clean:
            terminalreporter.write_line(
                f"{len(scan.logs)} logs scanned, no {SECRET_MARKER} text in any"
            )
        elif scan.logs:
            terminalreporter.write_line(f"kept for reading: {scan.logs[0].parent}")
