"""Peak resident memory of this process during a block, for the bounded-memory tests.

Linux keeps a high-water mark of resident memory (VmHWM). Writing "5" to
/proc/self/clear_refs resets it to the current RSS, so the growth of the mark over a
block is the most the block added, however briefly. Child processes (gpg, servers) are
not counted here: their memory is theirs and bounded by their own design.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024


def _status_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{name} missing from /proc/self/status")


@dataclass
class PeakGrowth:
    """Filled in when the block ends: how far peak RSS rose above the RSS at its start."""

    baseline_bytes: int = 0
    peak_bytes: int = 0
    growth_bytes: int = field(default=0)

    @property
    def growth_mib(self) -> float:
        return self.growth_bytes / MIB


@contextmanager
def peak_rss_growth() -> Iterator[PeakGrowth]:
    """Measure how much the block raised this process's peak resident memory."""
    result = PeakGrowth()
    Path("/proc/self/clear_refs").write_text("5")
    result.baseline_bytes = _status_kib("VmRSS") * 1024
    yield result
    result.peak_bytes = _status_kib("VmHWM") * 1024
    result.growth_bytes = max(0, result.peak_bytes - result.baseline_bytes)
