"""Session-wide fixtures: the real servers and the figures the run reports."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.servers.fixtures_postgres",
    "tests.servers.fixtures_s3",
    "tests.servers.fixtures_database",
]

_SERVICES_KEY = pytest.StashKey[dict[str, str]]()
_FIGURES_KEY = pytest.StashKey[list[str]]()


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
