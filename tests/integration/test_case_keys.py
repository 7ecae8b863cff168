"""Case keys live in the database, locked by the master key; the GnuPG home is only a cache."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from crypto import CaseKeyMaterial, CaseKeys, DecryptionFailed, GnuPGHome, MasterKey
from portal.db.tables import CaseKey, Casus, Partij
from portal.services.case_keys import (
    case_key,
    create_case_key,
    destroy_case_key,
    forget_destroyed_case_keys,
)
from portal.services.errors import NotFound

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PLAINTEXT = b"Verslag RTO: marker-7f3a9c plan van aanpak\n" * 100


def clock() -> datetime:
    return NOW


@pytest.fixture
def gnupg_homes() -> Iterator[list[Path]]:
    """Two short GnuPG homes: two app processes' caches, as on two machines."""
    homes = [Path(tempfile.mkdtemp(prefix="g", dir="/tmp")) for _ in range(2)]
    yield homes
    for home in homes:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(home, ignore_errors=True)


async def _a_case(reference: str = "ZVH-2026-001") -> UUID:
    partij = await Partij.insert(
        Partij(name=f"Gemeente Venlo {reference}", kind="college", created_at=NOW)
    ).returning(Partij.id)
    casus = await Casus.insert(
        Casus(reference=reference, reported_by=partij[0]["id"], created_at=NOW)
    ).returning(Casus.id)
    return UUID(str(casus[0]["id"]))


def _encrypt(keys: CaseKeys, material: CaseKeyMaterial) -> bytes:
    out = io.BytesIO()
    keys.encrypt_for_case([material], io.BytesIO(PLAINTEXT), out.write)
    return out.getvalue()


async def test_another_process_decrypts_from_the_database_alone(
    database: str, gnupg_homes: list[Path]
) -> None:
    master = MasterKey.generate()
    writer = CaseKeys(GnuPGHome(gnupg_homes[0]))
    case_id = await _a_case()
    material = await create_case_key(case_id=case_id, keys=writer, master_key=master, clock=clock)
    ciphertext = _encrypt(writer, material)
    assert b"marker-7f3a9c" not in ciphertext

    # A second process with an empty cache has only the database row and the master key.
    reader = CaseKeys(GnuPGHome(gnupg_homes[1]))
    stored = await case_key(case_id)
    out = io.BytesIO()
    reader.decrypt_for_case(
        stored, master.secret_for_case(str(case_id)), io.BytesIO(ciphertext), out.write
    )
    assert out.getvalue() == PLAINTEXT


async def test_the_stored_secret_key_is_useless_without_the_master_key(
    database: str, gnupg_homes: list[Path]
) -> None:
    keys = CaseKeys(GnuPGHome(gnupg_homes[0]))
    case_id = await _a_case()
    material = await create_case_key(
        case_id=case_id, keys=keys, master_key=MasterKey.generate(), clock=clock
    )
    ciphertext = _encrypt(keys, material)
    row = await CaseKey.select().first()
    assert row is not None
    assert "PRIVATE KEY" in row["protected_secret_key"]
    stranger = CaseKeys(GnuPGHome(gnupg_homes[1]))
    with pytest.raises(DecryptionFailed):
        stranger.decrypt_for_case(
            await case_key(case_id),
            MasterKey.generate().secret_for_case(str(case_id)),
            io.BytesIO(ciphertext),
            io.BytesIO().write,
        )


async def test_a_destroyed_case_key_leaves_its_ciphertext_unreadable(
    database: str, gnupg_homes: list[Path]
) -> None:
    master = MasterKey.generate()
    keys = CaseKeys(GnuPGHome(gnupg_homes[0]))
    case_id = await _a_case()
    material = await create_case_key(case_id=case_id, keys=keys, master_key=master, clock=clock)
    ciphertext = _encrypt(keys, material)

    assert await destroy_case_key(case_id=case_id, keys=keys)
    assert await CaseKey.count() == 0
    with pytest.raises(NotFound, match="destroyed"):
        await case_key(case_id)
    # Even with the master key, this process's cache no longer holds the secret key.
    listing = await asyncio.to_thread(
        subprocess.run,
        ["gpg", "--homedir", str(gnupg_homes[0]), "--list-secret-keys", material.fingerprint],
        capture_output=True,
        check=False,
    )
    assert listing.returncode != 0
    assert not await destroy_case_key(case_id=case_id, keys=keys)
    assert b"marker-7f3a9c" not in ciphertext


async def test_another_process_forgets_its_copy_of_a_key_destroyed_elsewhere(
    database: str, gnupg_homes: list[Path]
) -> None:
    master = MasterKey.generate()
    destroyer = CaseKeys(GnuPGHome(gnupg_homes[0]))
    reader = CaseKeys(GnuPGHome(gnupg_homes[1]))
    case_id, kept_id = await _a_case(), await _a_case("ZVH-2026-002")
    material = await create_case_key(
        case_id=case_id, keys=destroyer, master_key=master, clock=clock
    )
    kept = await create_case_key(case_id=kept_id, keys=destroyer, master_key=master, clock=clock)
    ciphertext = _encrypt(destroyer, material)
    # The reader decrypted once, so its home caches the secret key.
    reader.decrypt_for_case(
        material, master.secret_for_case(str(case_id)), io.BytesIO(ciphertext), io.BytesIO().write
    )
    reader.decrypt_for_case(
        kept,
        master.secret_for_case(str(kept_id)),
        io.BytesIO(_encrypt(destroyer, kept)),
        io.BytesIO().write,
    )
    assert reader.cached_case_keys() == {
        material.fingerprint: str(case_id),
        kept.fingerprint: str(kept_id),
    }

    assert await destroy_case_key(case_id=case_id, keys=destroyer)
    assert material.fingerprint in reader.cached_case_keys()  # until its next sweep
    assert await forget_destroyed_case_keys(keys=reader) == 1

    assert reader.cached_case_keys() == {kept.fingerprint: str(kept_id)}
    # gpg itself, given the right secret, finds no key in the reader's home.
    decrypted = await asyncio.to_thread(
        subprocess.run,
        [
            "gpg",
            "--homedir",
            str(gnupg_homes[1]),
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--decrypt",
        ],
        input=master.secret_for_case(str(case_id)).encode() + b"\n" + ciphertext,
        capture_output=True,
        check=False,
    )
    assert decrypted.returncode != 0
    assert b"marker-7f3a9c" not in decrypted.stdout
    assert await forget_destroyed_case_keys(keys=reader) == 0
