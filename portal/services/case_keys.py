"""Each case's own OpenPGP key: created with the case, kept in the database, shredded at the end.

The database row is the truth; the GnuPG home of each app process only caches keys, so
any process can encrypt or decrypt for any case. The secret key in the row is locked with
a passphrase derived from the master key: a database dump alone opens nothing. Deleting
the row and the cached copy is the crypto-shredding of the case (art. 11.2c): the
ciphertext left in the object store, or in any backup of it, can no longer be read.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from crypto import CaseKeyMaterial, CaseKeys, MasterKey
from portal.db import case_keys as case_keys_db
from portal.services.clock import Clock
from portal.services.errors import NotFound


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
    row), and the cached secret stays locked by the master-key-derived passphrase.
    """
    fingerprint = await case_keys_db.delete_case_key(case_id)
    if fingerprint is None:
        return False
    await asyncio.to_thread(keys.forget_case_key, fingerprint)
    return True
