"""Each case's own OpenPGP key: created with the case, kept in the database, shredded at the end.

The database row is the truth; the GnuPG home of each app process only caches keys, so
any process can encrypt or decrypt for any case. The secret key in the row is locked with
a passphrase derived from the master key: a database dump alone opens nothing. Deleting
the row and the cached copy is the crypto-shredding of the case (art. 11.2c): the
ciphertext left in the object store, or in any backup of it, can no longer be read.

The process that destroys a case forgets its cached copy at once; every other process
forgets it at its next :func:`forget_destroyed_case_keys` (``PORTAL_KEY_CACHE_SWEEP_SECONDS``,
run by each app process and by every retention sweep). Until then the copy is useless to
the portal itself, since every decryption starts from the row, but it is a copy that the
master key would open: a stolen disk must not hold one past that interval.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from crypto import CaseKeyMaterial, CaseKeys, MasterKey
from portal.db import case_keys as case_keys_db
from portal.services.clock import Clock
from portal.services.errors import NotFound

log = logging.getLogger(__name__)


async def create_case_key(
    *, case_id: UUID, keys: CaseKeys, master_key: MasterKey, clock: Clock
) -> CaseKeyMaterial:
    secret = master_key.secret_for_case(str(case_id))
    # gpg is a blocking subprocess: keep it off the event loop.
    material = await asyncio.to_thread(keys.generate_case_key, str(case_id), secret=secret)
    await case_keys_db.insert_case_key(case_id=case_id, material=material, now=clock())
    return material


async def case_key(case_id: UUID) -> CaseKeyMaterial:
    material = await case_keys_db.case_key(case_id)
    if material is None:
        raise NotFound(f"case {case_id} has no key: it was destroyed or never created")
    return material


async def destroy_case_key(*, case_id: UUID, keys: CaseKeys) -> bool:
    """Shred a case's key everywhere this process can reach; True if there was one.

    Other app processes may still hold a cached copy in their own GnuPG home. Without the
    row they cannot be asked to decrypt for the case (every decryption starts from the
    row), and each forgets its copy at its next :func:`forget_destroyed_case_keys`. So
    does this process, if it is killed between the row and the cache.
    """
    fingerprint = await case_keys_db.delete_case_key(case_id)
    if fingerprint is None:
        return False
    await asyncio.to_thread(keys.forget_case_key, fingerprint)
    return True


async def forget_destroyed_case_keys(*, keys: CaseKeys) -> int:
    """Forget every cached case key whose row is gone; return how many were forgotten.

    The row is the truth: a key this cache holds without one belongs to a destroyed case
    (destroyed by another process, or by this one killed before it forgot the copy). A key
    generated a moment ago whose row is not yet committed may be forgotten too: harmless,
    since the cache is rebuilt from the row when the key is next used.
    """
    cached = await asyncio.to_thread(keys.cached_case_keys)
    on_record = await case_keys_db.fingerprints_on_record(cached)
    stale = sorted(set(cached) - on_record)
    for fingerprint in stale:
        await asyncio.to_thread(keys.forget_case_key, fingerprint)
        log.info("forgot the cached key of destroyed case %s", cached[fingerprint])
    return len(stale)


async def forget_destroyed_case_keys_periodically(*, interval: float, keys: CaseKeys) -> None:
    """Every ``interval`` seconds, :func:`forget_destroyed_case_keys`; never raises."""
    while True:
        await asyncio.sleep(interval)
        try:
            await forget_destroyed_case_keys(keys=keys)
        except Exception:
            log.exception(
                "forgetting the cached keys of destroyed cases failed; retrying in %d s", interval
            )
