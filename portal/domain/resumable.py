"""Resumable uploads (tus): the states an upload passes through, and when its stage is whole.

A resumable upload is not yet a document. It is admitted by the same rules as a direct
upload when it is created, its bytes are kept sealed in a stage until the last one is in,
and then it is finalised into a document exactly as a direct upload is, or refused.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


class UploadStatus(enum.StrEnum):
    PENDING = "pending"
    """Bytes are still to come."""
    FINALISING = "finalising"
    """Every byte is in; a job turns the stage into a document (any app process may)."""
    DONE = "done"
    """The document exists; the stage is gone."""
    REFUSED = "refused"
    """The file was refused at finalisation (its type, its size, the rules); nothing kept."""


@dataclass(frozen=True, kw_only=True)
class StagedPart:
    """One sealed record of the stage: the plaintext bytes [start, start + size)."""

    start: int
    size: int


def stage_problem(parts: Sequence[StagedPart], *, length: int) -> str | None:
    """Why ``parts`` (in order) do not make up the whole file of ``length`` bytes, or None.

    Finalising trusts nothing but this: a part missing, doubled or out of place means the
    stage is not the file the client sent, and it must not become a document.
    """
    expected = 0
    for part in parts:
        if part.size <= 0:
            return f"the part at {part.start} is empty"
        if part.start != expected:
            return f"the stage has a part at {part.start} where {expected} was expected"
        expected += part.size
    if expected != length:
        return f"the stage holds {expected} of {length} bytes"
    return None


def expiry_after(last_activity: datetime, *, ttl: timedelta) -> datetime:
    """When an upload with no activity since ``last_activity`` may be swept away."""
    return last_activity + ttl
