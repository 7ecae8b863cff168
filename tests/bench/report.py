"""What every benchmark writes beside its figures: the machine, the commit, its section."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import signal
import subprocess
from pathlib import Path
from typing import Any, NoReturn

REPOSITORY = Path(__file__).resolve().parents[2]


def machine(versions: dict[str, str]) -> dict[str, str]:
    """The machine measured on, with ``versions`` of the servers the run started."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    gpg = subprocess.run(
        ["gpg", "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout.splitlines()
    return {
        "CPU": model.group(1) if model else "unknown",
        "cores (nproc)": str(os.cpu_count()),
        "memory": f"{int(total.group(1)) / 1024 / 1024:.1f} GiB" if total else "unknown",
        "portal commit": portal_commit(),
        "Python": platform.python_version(),
        "GnuPG": gpg[0] if gpg else "unknown",
        **versions,
    }


def measured_on(*, seconds: float, command: str, versions: dict[str, str]) -> list[str]:
    """The opening lines of a generated section: when, how long, the command, the machine."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"Measured {when}, in {seconds / 60:.1f} min, with:",
        "",
        "```",
        command,
        "```",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine(versions).items()),
        "",
    ]


def portal_commit() -> str:
    """The commit measured, flagged when the working tree differs from it."""
    git = ["git", "-C", str(REPOSITORY)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not head:
        return "unknown"
    return f"{head} with uncommitted changes" if changed else head


def write_section(path: Path, begin: str, end: str, section: str, *, intro: str = "") -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) into ``path``.

    The section between the markers is replaced and the rest of the file kept; without
    the markers the section is appended, and a file that does not exist yet starts with
    ``intro``.
    """
    text = path.read_text() if path.exists() else intro
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        path.write_text(head + section.rstrip("\n") + tail)
        return
    separator = "\n" if text and not text.endswith("\n\n") else ""
    path.write_text(text + separator + section)


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so every server's context manager stops it."""

    def stop(signum: int, frame: Any) -> NoReturn:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
