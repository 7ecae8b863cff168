"""Where documents are kept and how they are locked: what uploads and downloads share."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from crypto import CaseKeys, MasterKey
from storage import ObjectStore

READ_CHUNK = 256 * 1024
"""How much one read from gpg or the store asks for: fewer, larger hops through Python."""


@dataclass(frozen=True, kw_only=True)
class Vault:
    """The object store, the case keys and their master key: built by the composition root."""

    store: ObjectStore
    keys: CaseKeys
    master_key: MasterKey
    max_upload_bytes: int
    sniff: Callable[[bytes], str]
    transfers: Executor
    """Threads for transfers alone: a transfer never waits for a thread a reader holds."""
