"""Case keys against the real gpg: every property the portal's encryption promises.

Each test gets its own GnuPG home under a short /tmp path (the agent socket lives in it)
and stops that home's gpg-agent on teardown.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from crypto import (
    MASTER_KEY_LENGTH,
    CaseKeyMaterial,
    CaseKeys,
    DecryptionFailed,
    EncryptionFailed,
    GnuPGHome,
    GnuPGUnavailable,
    InvalidMasterKey,
    KeyGenerationFailed,
    KeyNotAvailable,
    MasterKey,
    PublicKey,
    open_ciphertext_for_case,
    open_plaintext_for_case,
)
from tests.memory import MIB, peak_rss_growth

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.conftest import RunReport

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")

MB = 1000 * 1000
MEMORY_BOUND_MIB = 64


@contextmanager
def short_gnupg_dir() -> Iterator[Path]:
    """A fresh directory under /tmp, short enough for the agent socket; agent stopped after."""
    path = Path(tempfile.mkdtemp(prefix="g", dir="/tmp"))
    try:
        yield path
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(path), "--kill", "gpg-agent"], check=False, timeout=30
        )
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def case_keys_in_fresh_home() -> Iterator[CaseKeys]:
    with short_gnupg_dir() as path:
        yield CaseKeys(GnuPGHome(path))


@pytest.fixture
def keys() -> Iterator[CaseKeys]:
    with case_keys_in_fresh_home() as case_keys:
        yield case_keys


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def material(keys: CaseKeys, master: MasterKey) -> CaseKeyMaterial:
    return keys.generate_case_key("case-1", secret=master.secret_for_case("case-1"))


def encrypt_bytes(
    keys: CaseKeys, recipients: list[CaseKeyMaterial | PublicKey], data: bytes
) -> bytes:
    ciphertext = io.BytesIO()
    keys.encrypt_for_case(recipients, io.BytesIO(data), ciphertext.write)
    return ciphertext.getvalue()


def decrypt_bytes(keys: CaseKeys, material: CaseKeyMaterial, secret: str, data: bytes) -> bytes:
    plaintext = io.BytesIO()
    keys.decrypt_for_case(material, secret, io.BytesIO(data), plaintext.write)
    return plaintext.getvalue()


def pseudo_random(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 -- reproducible test data, not a secret


class PseudoRandomSource:
    """``size`` bytes of deterministic, incompressible data, hashed as they are read.

    A 16 MiB pseudo-random block is generated once and then read in a cycle: the period is
    far beyond any compressor's window (zlib 32 KiB, bzip2 900 kB), so the data stays
    incompressible, and the source runs at memory speed instead of bounding the figure.
    """

    BLOCK = 16 * MIB

    def __init__(self, size: int, *, seed: int = 20260301) -> None:
        self._block = pseudo_random(seed).randbytes(self.BLOCK)
        self._view = memoryview(self._block)
        self._offset = 0
        self._left = size
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        count = self._left if size < 0 else min(size, self._left)
        chunk = bytearray()
        while len(chunk) < count:
            take = min(count - len(chunk), self.BLOCK - self._offset)
            chunk += self._view[self._offset : self._offset + take]
            self._offset = (self._offset + take) % self.BLOCK
        self._left -= count
        self.sha256.update(chunk)
        return bytes(chunk)


# --- round trips -------------------------------------------------------------------------


def test_small_document_round_trips_and_each_recipient_can_decrypt(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    document = b"verslag MDO 2026-03-01\n" * 10
    with case_keys_in_fresh_home() as partij_keys:
        partij = partij_keys.generate_case_key("partij", secret="partij own passphrase")
        partij_public = keys.read_public_key(partij.public_key)

        ciphertext = encrypt_bytes(keys, [material, partij_public], document)

        assert document not in ciphertext
        assert (
            decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext) == document
        )
        assert decrypt_bytes(partij_keys, partij, "partij own passphrase", ciphertext) == document


@pytest.mark.slow
def test_300_mb_round_trip_streams_with_bounded_memory(
    keys: CaseKeys,
    master: MasterKey,
    material: CaseKeyMaterial,
    tmp_path: Path,
    run_report: RunReport,
) -> None:
    size = 300 * MB
    source = PseudoRandomSource(size)  # its 16 MiB block exists before the measurement starts
    ciphertext_path = tmp_path / "document.gpg"

    with ciphertext_path.open("wb") as ciphertext, peak_rss_growth() as encrypt_peak:
        started = time.perf_counter()
        keys.encrypt_for_case([material], source, ciphertext.write)
        encrypt_seconds = time.perf_counter() - started

    decrypted = hashlib.sha256()
    decrypted_size = 0

    def sink(chunk: bytes) -> None:
        nonlocal decrypted_size
        decrypted.update(chunk)
        decrypted_size += len(chunk)

    with ciphertext_path.open("rb") as stored, peak_rss_growth() as decrypt_peak:
        started = time.perf_counter()
        keys.decrypt_for_case(material, master.secret_for_case("case-1"), stored, sink)
        decrypt_seconds = time.perf_counter() - started

    assert decrypted_size == size
    assert decrypted.hexdigest() == source.sha256.hexdigest()
    # Incompressible input and no compression: the ciphertext is the size of the plaintext.
    assert size < ciphertext_path.stat().st_size < size + MIB
    run_report.figure(
        f"crypto: 300 MB encrypt peak +{encrypt_peak.growth_mib:.1f} MiB at "
        f"{size / MB / encrypt_seconds:.0f} MB/s, decrypt peak +{decrypt_peak.growth_mib:.1f} MiB "
        f"at {size / MB / decrypt_seconds:.0f} MB/s"
    )
    assert encrypt_peak.growth_mib < MEMORY_BOUND_MIB
    assert decrypt_peak.growth_mib < MEMORY_BOUND_MIB


def test_decrypts_from_an_empty_cache_given_only_the_material_and_secret(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"intake form")

    with case_keys_in_fresh_home() as other_instance:
        secret = master.secret_for_case("case-1")
        assert decrypt_bytes(other_instance, material, secret, ciphertext) == b"intake form"


def test_encrypts_from_an_empty_cache_given_only_the_material(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    with case_keys_in_fresh_home() as other_instance:
        ciphertext = encrypt_bytes(other_instance, [material], b"intake form")

    assert (
        decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext)
        == b"intake form"
    )


# --- failing closed ----------------------------------------------------------------------


def test_wrong_secret_fails(keys: CaseKeys, material: CaseKeyMaterial) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"x" * 200_000)

    with pytest.raises(DecryptionFailed, match="wrong secret"):
        decrypt_bytes(keys, material, "not the case secret", ciphertext)


def test_wrong_secret_fails_right_after_a_good_decrypt(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"hulpverleningsplan")
    assert decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext)

    # The agent caches passphrases for 600 s by default: this fails only with ttl 0.
    with pytest.raises(DecryptionFailed, match="wrong secret"):
        decrypt_bytes(keys, material, master.secret_for_case("case-2"), ciphertext)


def test_empty_secret_fails(keys: CaseKeys, material: CaseKeyMaterial) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"hulpverleningsplan")

    with pytest.raises(DecryptionFailed, match="no usable secret"):
        decrypt_bytes(keys, material, "", ciphertext)


def test_ciphertext_of_another_case_fails_with_this_case_key(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    with case_keys_in_fresh_home() as elsewhere:
        other = elsewhere.generate_case_key("case-2", secret=master.secret_for_case("case-2"))
        ciphertext = encrypt_bytes(elsewhere, [other], b"not for case 1")

    with pytest.raises(DecryptionFailed, match="not encrypted to case key"):
        decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext)


def test_ciphertext_of_another_case_in_the_same_cache_is_refused(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    other = keys.generate_case_key("case-2", secret=master.secret_for_case("case-2"))
    ciphertext = encrypt_bytes(keys, [other], b"not for case 1")

    with pytest.raises(DecryptionFailed):
        decrypt_bytes(keys, material, master.secret_for_case("case-2"), ciphertext)


def test_tampered_ciphertext_raises_decryption_failed(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = bytearray(encrypt_bytes(keys, [material], pseudo_random(7).randbytes(MIB)))
    ciphertext[len(ciphertext) // 2] ^= 0x01

    with pytest.raises(DecryptionFailed, match="integrity"):
        decrypt_bytes(keys, material, master.secret_for_case("case-1"), bytes(ciphertext))


def test_truncated_ciphertext_raises_decryption_failed(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = encrypt_bytes(keys, [material], pseudo_random(8).randbytes(MIB))

    with pytest.raises(DecryptionFailed):
        decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext[:-100])


def test_destroyed_key_leaves_the_ciphertext_undecryptable(
    keys: CaseKeys, master: MasterKey
) -> None:
    material = keys.generate_case_key("case-9", secret=master.secret_for_case("case-9"))
    ciphertext = encrypt_bytes(keys, [material], b"dossier")
    fingerprint = material.fingerprint

    keys.forget_case_key(fingerprint)
    del material  # the portal deletes the database row: no copy of the key survives

    home = keys.home.path
    assert list((home / "private-keys-v1.d").iterdir()) == []
    # Even the right secret opens nothing: gpg itself finds no secret key.
    decrypted = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--passphrase-fd", "0", "--decrypt"],
        input=master.secret_for_case("case-9").encode() + b"\n" + ciphertext,
        capture_output=True,
        check=False,
    )
    assert decrypted.returncode != 0
    assert b"dossier" not in decrypted.stdout
    assert b"No secret key" in decrypted.stderr


def test_a_key_gone_from_the_cache_behind_its_back_fails_once_and_is_imported_again(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    """The cache notes which secret keys it holds instead of asking gpg every time."""
    secret = master.secret_for_case("case-1")
    ciphertext = encrypt_bytes(keys, [material], b"verslag")
    assert decrypt_bytes(keys, material, secret, ciphertext) == b"verslag"
    # Another process on the same home (or an operator) removes the key.
    CaseKeys(GnuPGHome(keys.home.path)).forget_case_key(material.fingerprint)

    with pytest.raises(DecryptionFailed):
        decrypt_bytes(keys, material, secret, ciphertext)
    assert decrypt_bytes(keys, material, secret, ciphertext) == b"verslag"


def test_a_public_key_gone_behind_the_caches_back_fails_one_encryption_only(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    secret = master.secret_for_case("case-1")
    assert decrypt_bytes(keys, material, secret, encrypt_bytes(keys, [material], b"a")) == b"a"
    CaseKeys(GnuPGHome(keys.home.path)).forget_case_key(material.fingerprint)

    with pytest.raises(EncryptionFailed):
        encrypt_bytes(keys, [material], b"b")
    ciphertext = encrypt_bytes(keys, [material], b"c")
    with case_keys_in_fresh_home() as elsewhere:
        assert decrypt_bytes(elsewhere, material, secret, ciphertext) == b"c"


def test_a_forgotten_key_is_not_taken_for_cached(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    secret = master.secret_for_case("case-1")
    ciphertext = encrypt_bytes(keys, [material], b"verslag")
    assert decrypt_bytes(keys, material, secret, ciphertext) == b"verslag"

    keys.forget_case_key(material.fingerprint)

    # The next decryption imports the key again rather than trusting its note.
    assert decrypt_bytes(keys, material, secret, ciphertext) == b"verslag"


def test_forgetting_a_key_the_cache_never_held_is_a_no_op(keys: CaseKeys) -> None:
    keys.forget_case_key("0" * 40)


def test_public_key_blob_holding_a_secret_key_is_refused(material: CaseKeyMaterial) -> None:
    with case_keys_in_fresh_home() as other_instance:
        smuggled = PublicKey(
            fingerprint=material.fingerprint, public_key=material.protected_secret_key
        )
        with pytest.raises(KeyNotAvailable):
            encrypt_bytes(other_instance, [smuggled], b"x")


def test_material_whose_key_does_not_match_its_fingerprint_is_refused(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    other = keys.generate_case_key("case-2", secret=master.secret_for_case("case-2"))
    ciphertext = encrypt_bytes(keys, [material], b"x")
    forged = CaseKeyMaterial(
        fingerprint=material.fingerprint,
        public_key=other.public_key,
        protected_secret_key=other.protected_secret_key,
    )

    with case_keys_in_fresh_home() as other_instance, pytest.raises(KeyNotAvailable):
        decrypt_bytes(other_instance, forged, master.secret_for_case("case-2"), ciphertext)


def test_failing_plaintext_source_raises_encryption_failed(
    keys: CaseKeys, material: CaseKeyMaterial
) -> None:
    class BrokenSource:
        def read(self, _size: int = -1, /) -> bytes:
            raise ConnectionResetError("upload cut off")

    with pytest.raises(EncryptionFailed, match="reading the plaintext failed"):
        keys.encrypt_for_case([material], BrokenSource(), io.BytesIO().write)


def test_failing_sink_error_propagates_unchanged(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = encrypt_bytes(keys, [material], pseudo_random(9).randbytes(MIB))

    def disconnected(_chunk: bytes) -> None:
        raise BrokenPipeError("client went away")

    with pytest.raises(BrokenPipeError, match="client went away"):
        keys.decrypt_for_case(
            material, master.secret_for_case("case-1"), io.BytesIO(ciphertext), disconnected
        )


# --- what the ciphertext and the key look like -------------------------------------------


def test_ciphertext_has_no_compression_and_no_file_name(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"a" * 10_000)
    secret = master.secret_for_case("case-1")

    with short_gnupg_dir() as scratch:
        subprocess.run(
            ["gpg", "--homedir", str(scratch), "--batch", "--import"],
            input=material.protected_secret_key.encode(),
            capture_output=True,
            check=True,
        )
        packets = subprocess.run(
            [
                *("gpg", "--homedir", str(scratch), "--batch"),
                *("--pinentry-mode", "loopback", "--passphrase-fd", "0", "--list-packets"),
            ],
            input=secret.encode() + b"\n" + ciphertext,
            capture_output=True,
            check=True,
        ).stdout.decode()

    assert ":literal data packet:" in packets
    assert 'name=""' in packets
    assert ":compressed packet:" not in packets  # though 10 000 x "a" compresses to nothing


def test_case_key_is_ed25519_with_a_cv25519_encryption_subkey(
    keys: CaseKeys, master: MasterKey, run_report: RunReport
) -> None:
    started = time.perf_counter()
    material = keys.generate_case_key("case-7", secret=master.secret_for_case("case-7"))
    run_report.figure(
        f"crypto: case key generation {1000 * (time.perf_counter() - started):.0f} ms"
    )

    with short_gnupg_dir() as scratch:
        listing = subprocess.run(
            ["gpg", "--homedir", str(scratch), "--with-colons", "--show-keys"],
            input=material.public_key.encode(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    records = [line.split(":") for line in listing.splitlines()]
    primary = next(r for r in records if r[0] == "pub")
    subkeys = [r for r in records if r[0] == "sub"]
    uid = next(r for r in records if r[0] == "uid")

    assert (primary[16], primary[6]) == ("ed25519", "")  # curve; no expiry
    assert set(primary[11]) >= {"c", "s"}
    assert [(sub[16], sub[11]) for sub in subkeys] == [("cv25519", "e")]
    assert uid[9] == "case case-7 <case-case-7@rto-portal.invalid>"


# --- master key --------------------------------------------------------------------------


def test_secret_for_case_differs_per_case_and_per_master_key(master: MasterKey) -> None:
    other_master = MasterKey.generate()

    secrets = {
        master.secret_for_case("case-1"),
        master.secret_for_case("case-2"),
        other_master.secret_for_case("case-1"),
    }

    assert len(secrets) == 3
    assert master.secret_for_case("case-1") == master.secret_for_case("case-1")
    assert all(len(secret) == 64 for secret in secrets)


def test_secret_for_case_refuses_a_case_id_that_could_inject_gpg_parameters(
    master: MasterKey,
) -> None:
    with pytest.raises(ValueError, match="case id"):
        master.secret_for_case("case-1\nPassphrase: x")


def test_master_key_file_is_written_0600_and_loads_back(master: MasterKey, tmp_path: Path) -> None:
    path = tmp_path / "master.key"

    master.write(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert MasterKey.load(path).secret_for_case("c") == master.secret_for_case("c")
    assert "redacted" in repr(master)


def test_master_key_is_never_overwritten(master: MasterKey, tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    master.write(path)

    with pytest.raises(FileExistsError):
        MasterKey.generate().write(path)


def test_master_key_of_wrong_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.key"
    path.write_text("00" * (MASTER_KEY_LENGTH - 1) + "\n")
    path.chmod(0o600)

    with pytest.raises(InvalidMasterKey, match="32 bytes"):
        MasterKey.load(path)
    with pytest.raises(InvalidMasterKey, match="32 bytes"):
        MasterKey.from_bytes(b"\x00" * 16)


def test_group_readable_master_key_file_is_refused(master: MasterKey, tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    master.write(path)
    path.chmod(0o640)

    with pytest.raises(InvalidMasterKey, match="owner only"):
        MasterKey.load(path)


# --- the GnuPG home ----------------------------------------------------------------------


def test_home_is_private_and_never_caches_passphrases(keys: CaseKeys) -> None:
    home = keys.home.path

    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    agent_conf = (home / "gpg-agent.conf").read_text()
    assert "default-cache-ttl 0" in agent_conf
    assert "max-cache-ttl 0" in agent_conf


def test_home_path_too_long_for_the_agent_socket_is_refused() -> None:
    with pytest.raises(GnuPGUnavailable, match="over the limit"):
        GnuPGHome(Path(tempfile.gettempdir()) / ("g" * 100))


def test_missing_gpg_binary_raises_gnupg_unavailable() -> None:
    with short_gnupg_dir() as path:
        home = GnuPGHome(path, gpg_binary="/nonexistent/gpg")
        with pytest.raises(GnuPGUnavailable):
            home.check()


def test_check_passes_on_a_usable_home(keys: CaseKeys) -> None:
    GnuPGHome(keys.home.path).check()


# --- concurrency -------------------------------------------------------------------------


def test_sixteen_concurrent_decrypts_all_succeed(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    documents = [pseudo_random(n).randbytes(256 * 1024) for n in range(16)]
    ciphertexts = [encrypt_bytes(keys, [material], document) for document in documents]
    secret = master.secret_for_case("case-1")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(
            pool.map(lambda data: decrypt_bytes(keys, material, secret, data), ciphertexts)
        )

    assert results == documents


def test_eight_concurrent_key_generations_all_succeed(keys: CaseKeys, master: MasterKey) -> None:
    case_ids = [f"case-{n}" for n in range(8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        materials = list(
            pool.map(
                lambda case_id: keys.generate_case_key(
                    case_id, secret=master.secret_for_case(case_id)
                ),
                case_ids,
            )
        )

    assert len({m.fingerprint for m in materials}) == 8
    for case_id, generated in zip(case_ids, materials, strict=True):
        ciphertext = encrypt_bytes(keys, [generated], case_id.encode())
        secret = master.secret_for_case(case_id)
        assert decrypt_bytes(keys, generated, secret, ciphertext) == case_id.encode()


def test_concurrent_decrypts_from_an_empty_cache_import_the_key_once(
    master: MasterKey, material: CaseKeyMaterial, keys: CaseKeys
) -> None:
    ciphertext = encrypt_bytes(keys, [material], b"gedeeld")
    secret = master.secret_for_case("case-1")

    with case_keys_in_fresh_home() as other_instance, ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda _: decrypt_bytes(other_instance, material, secret, ciphertext), range(8)
            )
        )

    assert results == [b"gedeeld"] * 8


def _gpg_failing_key_generation(directory: Path, times: int) -> Path:
    """A gpg that refuses its first ``times`` key generations as gpg-agent now and then does."""
    wrapper = directory / "gpg"
    count = directory / "refused"
    wrapper.write_text(
        "#!/bin/sh\n"
        'case " $* " in *" --gen-key "*)\n'
        f"  n=$(cat {count} 2>/dev/null || echo 0)\n"
        f'  if [ "$n" -lt {times} ]; then echo $((n + 1)) > {count}; cat > /dev/null\n'
        '    echo "[GNUPG:] ERROR key_generate 67108970" >&2; exit 2; fi;;\n'
        "esac\n"
        f'exec {shutil.which("gpg")} "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


def test_a_key_generation_refused_by_the_agent_is_tried_again(master: MasterKey) -> None:
    with short_gnupg_dir() as path, short_gnupg_dir() as bin_dir:
        keys = CaseKeys(GnuPGHome(path, gpg_binary=str(_gpg_failing_key_generation(bin_dir, 2))))
        generated = keys.generate_case_key("case-9", secret=master.secret_for_case("case-9"))
        assert (bin_dir / "refused").read_text().strip() == "2"
        ciphertext = encrypt_bytes(keys, [generated], b"toch gelukt")
        assert decrypt_bytes(keys, generated, master.secret_for_case("case-9"), ciphertext) == (
            b"toch gelukt"
        )


def test_a_key_generation_refused_every_time_fails_clearly(master: MasterKey) -> None:
    with short_gnupg_dir() as path, short_gnupg_dir() as bin_dir:
        keys = CaseKeys(GnuPGHome(path, gpg_binary=str(_gpg_failing_key_generation(bin_dir, 9))))
        with pytest.raises(KeyGenerationFailed, match="gpg created no key for case case-9"):
            keys.generate_case_key("case-9", secret=master.secret_for_case("case-9"))
        assert (bin_dir / "refused").read_text().strip() == "3"


def test_a_keyring_write_waits_while_an_operation_looks_keys_up(keys: CaseKeys) -> None:
    # In another process, as a second app instance on the same home would be.
    home = keys.home
    script = (
        "import sys; from pathlib import Path; from crypto import GnuPGHome\n"
        "home = GnuPGHome(Path(sys.argv[1]))\n"
        "with home.keyring_write():\n"
        "    print('written', flush=True)\n"
    )
    with home.operation() as reading:
        writer = subprocess.Popen(
            [sys.executable, "-c", script, str(home.path)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)
        assert writer.poll() is None  # still waiting for the reader
        reading.done()
        out, _ = writer.communicate(timeout=30)
    assert out == "written\n"


def test_an_operation_can_write_the_keyring_while_others_read_it(keys: CaseKeys) -> None:
    home = keys.home
    with home.operation() as reading, home.keyring_write():
        pass
    reading.done()  # a second end is harmless
    started = threading.Event()
    release = threading.Event()

    def read() -> None:
        with home.operation():
            started.set()
            release.wait(timeout=30)

    reader = threading.Thread(target=read)
    reader.start()
    started.wait(timeout=30)
    writing_done = threading.Event()

    def write() -> None:
        with home.keyring_write():
            writing_done.set()

    writing = threading.Thread(target=write)
    writing.start()
    assert not writing_done.wait(timeout=0.5)  # the other thread's read holds it off
    release.set()
    assert writing_done.wait(timeout=30)
    reader.join()
    writing.join()


def test_decrypts_never_fail_while_case_keys_are_created_on_the_same_home(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    # Without the shared keyring hold, about one decrypt in 150 here failed with
    # "keydb_search failed: No such file or directory" while gpg replaced pubring.kbx.
    document = pseudo_random(5).randbytes(64 * 1024)
    ciphertext = encrypt_bytes(keys, [material], document)
    secret = master.secret_for_case("case-1")
    stop = threading.Event()
    failures: list[str] = []
    decrypted = [0]

    def decrypt_until_stopped() -> None:
        while not stop.is_set():
            try:
                assert decrypt_bytes(keys, material, secret, ciphertext) == document
                decrypted[0] += 1
            except (DecryptionFailed, AssertionError) as exc:
                failures.append(str(exc))

    readers = [threading.Thread(target=decrypt_until_stopped) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for n in range(12):
            case_id = f"case-busy-{n}"
            generated = keys.generate_case_key(case_id, secret=master.secret_for_case(case_id))
            keys.forget_case_key(generated.fingerprint)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert decrypted[0] > 50


# --- pull-style encryption ---------------------------------------------------------------


def test_ciphertext_reader_yields_a_decryptable_ciphertext(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    document = pseudo_random(11).randbytes(3 * MIB)

    with open_ciphertext_for_case(keys, [material], io.BytesIO(document)) as reader:
        ciphertext = reader.read()

    assert decrypt_bytes(keys, material, master.secret_for_case("case-1"), ciphertext) == document


def test_ciphertext_reader_raises_instead_of_ending_when_encryption_fails(
    keys: CaseKeys, material: CaseKeyMaterial
) -> None:
    class CutOffUpload:
        def __init__(self) -> None:
            self._chunks = [b"x" * 65536] * 4

        def read(self, _size: int = -1, /) -> bytes:
            if self._chunks:
                return self._chunks.pop()
            raise ConnectionResetError("upload cut off")

    with (
        open_ciphertext_for_case(keys, [material], CutOffUpload()) as reader,
        pytest.raises(EncryptionFailed),
    ):
        reader.read()


def test_leaving_the_ciphertext_reader_early_stops_the_worker(
    keys: CaseKeys, material: CaseKeyMaterial
) -> None:
    source = PseudoRandomSource(50 * MB)
    before = threading.active_count()

    with open_ciphertext_for_case(keys, [material], source) as reader:
        assert reader.read(1000)

    assert threading.active_count() <= before  # no worker or gpg pump thread left behind


def test_plaintext_reader_yields_the_document(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    document = pseudo_random(12).randbytes(3 * MIB)
    ciphertext = encrypt_bytes(keys, [material], document)

    with open_plaintext_for_case(
        keys, material, master.secret_for_case("case-1"), io.BytesIO(ciphertext)
    ) as reader:
        assert reader.read() == document


def test_plaintext_reader_raises_instead_of_ending_on_a_tampered_ciphertext(
    keys: CaseKeys, master: MasterKey, material: CaseKeyMaterial
) -> None:
    ciphertext = bytearray(encrypt_bytes(keys, [material], b"x" * MIB))
    ciphertext[len(ciphertext) // 2] ^= 0x01

    with (
        open_plaintext_for_case(
            keys, material, master.secret_for_case("case-1"), io.BytesIO(bytes(ciphertext))
        ) as reader,
        pytest.raises(DecryptionFailed),
    ):
        reader.read()
