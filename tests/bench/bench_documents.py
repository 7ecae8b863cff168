"""How fast and how lean the document path is, measured against the raw pipeline it wraps.

Run from the repository root::

    uv run python -m tests.bench.bench_documents          # full run, rewrites docs/performance.md
    uv run python -m tests.bench.bench_documents --quick  # 256 MiB, no 4 GiB case, prints only

It starts a throwaway PostgreSQL, MinIO and ``portal serve`` (the launchers of the test
suite), all on 127.0.0.1, and measures:

1. **Throughput, portal against raw.** The same incompressible, PDF-headed stream goes
   through the portal (multipart upload as Carol, download as Alice) and through the raw
   pipeline the portal is built from: ``gpg -z0 -e`` into ``Minio.put_object``, and
   ``get_object`` into ``gpg -d``. Each is run twice and the better run is kept, because
   the machine is shared and noisy.
2. **Server memory** during a 1 GiB and a 4 GiB upload (VmHWM of the server process; gpg
   runs as a child process and is not included).
3. **32 concurrent downloads** of one 10 MB document, three rounds.

Each figure is printed next to its target, PASS or MISS. This is a script, not a test:
nothing here is collected by pytest (no ``test_`` names).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

import httpx
from minio import Minio

from tests.bench.report import measured_on, stop_on_sigterm, write_section
from tests.servers.postgres import PostgresServer, postgres_server
from tests.servers.s3 import S3Endpoint, minio_server
from tests.web.live import LivePortal, ServedPortal, live_portal, reset_peak_rss, rss_bytes
from tests.web.portal_client import AANMELDING_METADATA, PDF_HEAD, multipart_stream

MB = 1_000_000
MIB = 1024 * 1024
GIB = 1024 * MIB
BLOCK_BYTES = 8 * MIB
"""One random block, repeated to make every stream: random enough that nothing compresses."""
CHUNK_BYTES = 1 * MIB
"""What the client hands to httpx or to gpg's stdin at a time, the same for both paths."""
PART_SIZE = 16 * MIB
ROUNDS = 2
"""Each throughput figure is the best of this many runs."""
CONCURRENT_REQUESTS = 32
CONCURRENT_ROUNDS = 3
CONCURRENT_DOCUMENT_BYTES = 10 * MB
OPERATION_TIMEOUT = 900.0
"""No single upload or download may take longer than this (seconds): the run fails instead."""
HTTP_TIMEOUT = httpx.Timeout(120.0)
CONCURRENT_TIMEOUT = httpx.Timeout(60.0)
"""32 x 10 MB is a few seconds' work; a request silent for a minute is stuck."""
REPOSITORY = Path(__file__).resolve().parents[2]
DOCS = REPOSITORY / "docs" / "performance.md"
BEGIN_MARKER = "<!-- bench_documents: generated, do not edit by hand -->"
END_MARKER = "<!-- /bench_documents -->"
PARTNER = "Gemeente Venlo"

TARGET_RATIO = 0.8
TARGET_RSS_GROWTH_MIB = 150
TARGET_PEAK_RATIO = 1.10


class BenchFailed(RuntimeError):
    """A measured operation did not do what it should (wrong status, wrong bytes, timeout)."""


# --- the bytes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plaintext:
    """``size`` bytes: one random block (PDF-headed, so the portal's sniffing accepts it)
    repeated. Produced lazily, in the same chunks for the portal and the raw pipeline."""

    size: int
    block: bytes

    @classmethod
    def of_size(cls, size: int, block: bytes) -> Plaintext:
        return cls(size=size, block=block)

    def chunks(self) -> Iterator[bytes]:
        sent = 0
        while sent < self.size:
            offset = sent % len(self.block)
            length = min(CHUNK_BYTES, len(self.block) - offset, self.size - sent)
            yield self.block[offset : offset + length]
            sent += length

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


def random_block() -> bytes:
    return PDF_HEAD + os.urandom(BLOCK_BYTES - len(PDF_HEAD))


class Deadline:
    """Ends a streaming loop that runs longer than ``OPERATION_TIMEOUT``."""

    def __init__(self, what: str, seconds: float = OPERATION_TIMEOUT) -> None:
        self._what = what
        self._until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._until:
            raise BenchFailed(f"{self._what} took longer than {OPERATION_TIMEOUT:.0f} s")


# --- CPU accounting --------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuTimes:
    """Seconds of CPU: the process itself (all threads) and its finished children (gpg)."""

    own: float
    children: float

    @classmethod
    def of_pid(cls, pid: int) -> CpuTimes:
        # Fields after the command name (which may hold spaces): utime is the 14th field.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime, cutime, cstime = (int(value) / _TICKS for value in fields[11:15])
        return cls(own=utime + stime, children=cutime + cstime)

    @classmethod
    def of_self(cls) -> CpuTimes:
        times = os.times()
        return cls(
            own=times.user + times.system, children=times.children_user + times.children_system
        )

    def __sub__(self, other: CpuTimes) -> CpuTimes:
        return CpuTimes(own=self.own - other.own, children=self.children - other.children)


@dataclass(frozen=True)
class Run:
    """One timed transfer: its duration, CPU spent, and the chunk sizes the reader saw."""

    seconds: float
    size: int
    cpu: CpuTimes
    chunk_sizes: tuple[int, ...] = ()

    @property
    def mb_per_s(self) -> float:
        return self.size / MB / self.seconds


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


# --- the portal side -------------------------------------------------------------------


def partij_id(postgres: PostgresServer, database: str, name: str) -> str:
    sql = f"SELECT id FROM partij WHERE name = '{name}'"  # noqa: S608 - a fixed demo name
    return postgres.psql(database, sql)


# What the procesregisseur downloads an aanmelding's documents for (art. 1.18).
DOWNLOAD_PARAMS = {"purpose": "screening"}
UPLOADER = "carol"
"""Carol, the casusregisseur of Gemeente Venlo, reports each case and provides its
documents in the aanmelding phase; Alice, the procesregisseur, downloads them."""


def create_case(portal: ServedPortal, reported_by: str) -> str:
    with httpx.Client(base_url=portal.base_url, timeout=HTTP_TIMEOUT) as client:
        response = client.post(
            "/api/v1/cases",
            json={
                "reference": f"BENCH-{time.time_ns()}",
                "reported_by": reported_by,
                "aanmelder": UPLOADER,
            },
            headers=portal.auth("alice"),
        )
        if response.status_code != 201:
            raise BenchFailed(f"creating a case: {response.status_code} {response.text}")
        return str(response.json()["id"])


def portal_upload(
    portal: LivePortal, case_id: str, plaintext: Plaintext, expected_sha256: str
) -> tuple[str, Run]:
    """Upload as the aanmelder, streamed as multipart; return the document id and the timing."""
    deadline = Deadline("a portal upload")

    def paced() -> Iterator[bytes]:
        for chunk in plaintext.chunks():
            deadline.check()
            yield chunk

    body, content_type = multipart_stream(
        AANMELDING_METADATA, "bench.pdf", paced(), "application/pdf"
    )
    cpu_before = CpuTimes.of_pid(portal.pid)
    started = time.perf_counter()
    with httpx.Client(base_url=portal.base_url, timeout=HTTP_TIMEOUT) as client:
        response = client.post(
            f"/api/v1/cases/{case_id}/documents",
            content=body,
            headers={**portal.auth(UPLOADER), "Content-Type": content_type},
        )
    seconds = time.perf_counter() - started
    cpu = CpuTimes.of_pid(portal.pid) - cpu_before
    if response.status_code != 201:
        raise BenchFailed(f"portal upload: {response.status_code} {response.text[:300]}")
    document = response.json()
    if document["sha256"] != expected_sha256 or document["size"] != plaintext.size:
        raise BenchFailed("portal upload: the server's digest or size differs from what was sent")
    return str(document["id"]), Run(seconds=seconds, size=plaintext.size, cpu=cpu)


def portal_download(portal: LivePortal, document_id: str, expected_sha256: str, size: int) -> Run:
    """Download as Alice for screening, hashing the body; keep the sizes of its chunks."""
    deadline = Deadline("a portal download")
    digest = hashlib.sha256()
    received = 0
    chunk_sizes: list[int] = []
    cpu_before = CpuTimes.of_pid(portal.pid)
    started = time.perf_counter()
    with (
        httpx.Client(base_url=portal.base_url, timeout=HTTP_TIMEOUT) as client,
        client.stream(
            "GET",
            f"/api/v1/documents/{document_id}/content",
            params=DOWNLOAD_PARAMS,
            headers=portal.auth("alice"),
        ) as response,
    ):
        if response.status_code != 200:
            response.read()
            raise BenchFailed(f"portal download: {response.status_code} {response.text[:300]}")
        for chunk in response.iter_raw():
            digest.update(chunk)
            received += len(chunk)
            chunk_sizes.append(len(chunk))
            deadline.check()
    seconds = time.perf_counter() - started
    cpu = CpuTimes.of_pid(portal.pid) - cpu_before
    if (digest.hexdigest(), received) != (expected_sha256, size):
        raise BenchFailed(f"portal download: {received} bytes with the wrong digest")
    return Run(seconds=seconds, size=received, cpu=cpu, chunk_sizes=tuple(chunk_sizes))


# --- the raw pipeline ------------------------------------------------------------------


@dataclass(frozen=True)
class RawPipeline:
    """gpg on the command line and the minio client, wired as directly as Python allows."""

    home: Path
    fingerprint: str
    minio: Minio
    bucket: str

    def _gpg(self, *args: str) -> list[str]:
        return ["gpg", "--homedir", str(self.home), "--batch", *args]

    def upload(self, plaintext: Plaintext, key: str, *, parallel_parts: int = 3) -> Run:
        """``gpg -z0 -e`` reading the plaintext on stdin, its stdout into ``put_object``."""
        deadline = Deadline("a raw upload")
        argv = self._gpg("-z0", "--trust-model", "always", "-e", "-r", self.fingerprint)
        cpu_before = CpuTimes.of_self()
        started = time.perf_counter()
        with _gpg_process(argv) as (process, errors):
            stdin, stdout = _pipes(process)

            def feed() -> None:
                with contextlib.suppress(BrokenPipeError):  # gpg died: its exit code says why
                    for chunk in plaintext.chunks():
                        deadline.check()
                        stdin.write(chunk)
                stdin.close()

            with _thread(feed, "raw-upload-feed"), _buffered(stdout) as ciphertext:
                self.minio.put_object(
                    bucket_name=self.bucket,
                    object_name=key,
                    data=ciphertext,
                    length=-1,
                    part_size=PART_SIZE,
                    num_parallel_uploads=parallel_parts,
                )
            _check_exit(process, errors, "raw upload: gpg -e")
        seconds = time.perf_counter() - started
        return Run(seconds=seconds, size=plaintext.size, cpu=CpuTimes.of_self() - cpu_before)

    def download(self, key: str, expected_sha256: str, size: int) -> Run:
        """``get_object`` into ``gpg -d`` on stdin; its stdout read and hashed."""
        deadline = Deadline("a raw download")
        digest = hashlib.sha256()
        received = 0
        chunk_sizes: list[int] = []
        cpu_before = CpuTimes.of_self()
        started = time.perf_counter()
        response = self.minio.get_object(bucket_name=self.bucket, object_name=key)
        try:
            with _gpg_process(self._gpg("-d")) as (process, errors):
                stdin, stdout = _pipes(process)

                def feed() -> None:
                    with contextlib.suppress(BrokenPipeError):
                        for data in response.stream(CHUNK_BYTES):
                            deadline.check()
                            stdin.write(data)
                    stdin.close()

                with _thread(feed, "raw-download-feed"), _buffered(stdout) as plaintext:
                    while chunk := plaintext.read(CHUNK_BYTES):
                        digest.update(chunk)
                        received += len(chunk)
                        chunk_sizes.append(len(chunk))
                        deadline.check()
                _check_exit(process, errors, "raw download: gpg -d")
        finally:
            response.close()
            response.release_conn()
        seconds = time.perf_counter() - started
        if (digest.hexdigest(), received) != (expected_sha256, size):
            raise BenchFailed(f"raw download: {received} bytes with the wrong digest")
        return Run(
            seconds=seconds,
            size=received,
            cpu=CpuTimes.of_self() - cpu_before,
            chunk_sizes=tuple(chunk_sizes),
        )


@contextlib.contextmanager
def raw_pipeline(minio: Minio, bucket: str) -> Iterator[RawPipeline]:
    """A throwaway Curve25519 key without passphrase, in a short GnuPG home under /tmp."""
    home = Path(tempfile.mkdtemp(prefix="gb", dir="/tmp"))
    try:
        gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
        subprocess.run(
            [*gpg, "--quick-gen-key", "bench <bench@bench.invalid>", "ed25519", "sign", "never"],
            capture_output=True,
            check=True,
            timeout=60,
        )
        listing = subprocess.run(
            ["gpg", "--homedir", str(home), "--batch", "--with-colons", "--list-keys"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        fingerprint = listing.split("fpr:::::::::")[1].split(":")[0]
        subprocess.run(
            [*gpg, "--quick-add-key", fingerprint, "cv25519", "encr", "never"],
            capture_output=True,
            check=True,
            timeout=60,
        )
        yield RawPipeline(home=home, fingerprint=fingerprint, minio=minio, bucket=bucket)
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
            timeout=30,
        )
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def _gpg_process(argv: list[str]) -> Iterator[tuple[subprocess.Popen[bytes], IO[bytes]]]:
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, bufsize=0
        )
        try:
            yield process, errors
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def _pipes(process: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    if process.stdin is None or process.stdout is None:  # pragma: no cover - both are PIPE
        raise BenchFailed("gpg started without pipes")
    return process.stdin, process.stdout


@contextlib.contextmanager
def _buffered(pipe: IO[bytes]) -> Iterator[BinaryIO]:
    # A buffered reader over the pipe: unbuffered pipe reads cost the minio client ~40 %.
    with open(pipe.fileno(), "rb", buffering=CHUNK_BYTES, closefd=False) as reader:
        yield reader


@contextlib.contextmanager
def _thread(target: Callable[[], None], name: str) -> Iterator[None]:
    failure: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join(timeout=OPERATION_TIMEOUT)
    if failure:
        raise failure[0]


def _check_exit(process: subprocess.Popen[bytes], errors: IO[bytes], what: str) -> None:
    returncode = process.wait(timeout=60)
    if returncode != 0:
        errors.seek(0)
        raise BenchFailed(f"{what} exited {returncode}: {errors.read()[-500:]!r}")


# --- memory ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    size: int
    baseline: int
    peak: int

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.baseline) / MIB


def upload_memory(portal: LivePortal, case_id: str, plaintext: Plaintext) -> tuple[Memory, Run]:
    expected = plaintext.sha256()
    baseline = rss_bytes(portal.pid)
    reset_peak_rss(portal.pid)
    _, run = portal_upload(portal, case_id, plaintext, expected)
    peak = rss_bytes(portal.pid, "VmHWM")
    return Memory(size=plaintext.size, baseline=baseline, peak=peak), run


# --- concurrency -----------------------------------------------------------------------


@dataclass
class Concurrency:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    received: int = 0
    seconds: float = 0.0
    rounds: int = 0

    @property
    def mb_per_s(self) -> float:
        return self.received / MB / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        # Nearest rank: with 96 samples p99 is the second slowest, never interpolated.
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


async def concurrent_downloads(
    portal: LivePortal, document_id: str, expected_sha256: str, size: int
) -> Concurrency:
    outcome = Concurrency()
    limits = httpx.Limits(
        max_connections=CONCURRENT_REQUESTS, max_keepalive_connections=CONCURRENT_REQUESTS
    )
    url = f"/api/v1/documents/{document_id}/content"

    async def one(client: httpx.AsyncClient) -> None:
        started = time.perf_counter()
        digest = hashlib.sha256()
        received = 0
        try:
            async with client.stream(
                "GET", url, params=DOWNLOAD_PARAMS, headers=portal.auth("alice")
            ) as response:
                if response.status_code != 200:
                    outcome.errors.append(f"status {response.status_code}")
                    return
                async for chunk in response.aiter_raw():
                    digest.update(chunk)
                    received += len(chunk)
        except httpx.HTTPError as exc:
            outcome.errors.append(f"{type(exc).__name__} after {received} bytes")
            return
        if (received, digest.hexdigest()) != (size, expected_sha256):
            outcome.errors.append(f"wrong body: {received} bytes")
            return
        outcome.latencies.append(time.perf_counter() - started)
        outcome.received += received

    async with httpx.AsyncClient(
        base_url=portal.base_url, limits=limits, timeout=CONCURRENT_TIMEOUT
    ) as client:
        for _ in range(CONCURRENT_ROUNDS):
            started = time.perf_counter()
            await asyncio.wait_for(
                asyncio.gather(*(one(client) for _ in range(CONCURRENT_REQUESTS))),
                timeout=OPERATION_TIMEOUT,
            )
            outcome.seconds += time.perf_counter() - started
            outcome.rounds += 1
            if outcome.errors:
                break  # the target is missed already; stuck requests make each round a minute
    return outcome


# --- the run ---------------------------------------------------------------------------


@dataclass
class Results:
    quick: bool
    size: int
    portal_upload: Run
    portal_download: Run
    raw_upload: Run
    raw_download: Run
    raw_upload_serial: Run
    memory: list[Memory]
    concurrency: Concurrency
    versions: dict[str, str]
    seconds: float = 0.0


def measure(*, quick: bool, log: Callable[[str], None]) -> Results:
    size = 256 * MIB if quick else GIB
    memory_sizes = [size] if quick else [GIB, 4 * GIB]
    block = random_block()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-")))
        log("starting PostgreSQL, MinIO and the portal (127.0.0.1 only)")
        postgres = stack.enter_context(postgres_server())
        database = f"bench_{time.time_ns() % 10**9}"
        database_url = postgres.create_database(database)
        minio_endpoint: S3Endpoint = stack.enter_context(minio_server(workdir))
        portal = stack.enter_context(
            live_portal(
                database_url=database_url,
                minio=minio_endpoint,
                # The default limit (2 GiB) would refuse the 4 GiB upload.
                environ={"PORTAL_MAX_UPLOAD_BYTES": str(max(memory_sizes) + GIB)},
            )
        )
        raw = stack.enter_context(raw_pipeline(portal.minio, portal.bucket))
        case_id = create_case(portal, partij_id(postgres, database, PARTNER))

        plaintext = Plaintext.of_size(size, block)
        expected = plaintext.sha256()
        uploads: dict[str, list[Run]] = {"portal": [], "raw": [], "raw, one part at a time": []}
        downloads: dict[str, list[Run]] = {"portal": [], "raw": []}
        document_id = ""
        for round_number in range(1, ROUNDS + 1):
            document_id, run = portal_upload(portal, case_id, plaintext, expected)
            uploads["portal"].append(run)
            log(f"round {round_number}: portal upload {run.mb_per_s:.0f} MB/s")
            key = f"bench-raw/{round_number}.pgp"
            run = raw.upload(plaintext, key)
            uploads["raw"].append(run)
            log(f"round {round_number}: raw upload {run.mb_per_s:.0f} MB/s")
            run = raw.upload(plaintext, f"bench-raw/{round_number}-serial.pgp", parallel_parts=1)
            uploads["raw, one part at a time"].append(run)
            log(f"round {round_number}: raw upload, one part at a time {run.mb_per_s:.0f} MB/s")
            run = portal_download(portal, document_id, expected, size)
            downloads["portal"].append(run)
            log(f"round {round_number}: portal download {run.mb_per_s:.0f} MB/s")
            run = raw.download(key, expected, size)
            downloads["raw"].append(run)
            log(f"round {round_number}: raw download {run.mb_per_s:.0f} MB/s")

        memory: list[Memory] = []
        for memory_size in memory_sizes:
            used, run = upload_memory(portal, case_id, Plaintext.of_size(memory_size, block))
            memory.append(used)
            log(
                f"upload of {memory_size // MIB} MiB: server peak +{used.growth_mib:.0f} MiB "
                f"({run.mb_per_s:.0f} MB/s)"
            )

        small = Plaintext.of_size(CONCURRENT_DOCUMENT_BYTES, block)
        small_sha256 = small.sha256()
        small_id, _ = portal_upload(portal, case_id, small, small_sha256)
        concurrency = asyncio.run(concurrent_downloads(portal, small_id, small_sha256, small.size))
        log(
            f"{concurrency.rounds} x {CONCURRENT_REQUESTS} concurrent downloads: "
            f"{concurrency.mb_per_s:.0f} MB/s, {len(concurrency.errors)} errors"
        )
        versions = {
            "PostgreSQL": postgres.version,
            "MinIO": f"{minio_endpoint.server} {minio_endpoint.version}",
        }
    return Results(
        quick=quick,
        size=size,
        portal_upload=best(uploads["portal"]),
        portal_download=best(downloads["portal"]),
        raw_upload=best(uploads["raw"]),
        raw_download=best(downloads["raw"]),
        raw_upload_serial=best(uploads["raw, one part at a time"]),
        memory=memory,
        concurrency=concurrency,
        versions=versions,
        seconds=time.monotonic() - started,
    )


# --- the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    measure: str
    value: str
    target: str
    passed: bool | None
    """None: a figure shown for context, with no target of its own."""

    @property
    def verdict(self) -> str:
        return "" if self.passed is None else ("PASS" if self.passed else "MISS")


def rows(results: Results) -> list[Row]:
    size = f"{results.size // MIB} MiB"
    up_ratio = results.portal_upload.mb_per_s / results.raw_upload.mb_per_s
    down_ratio = results.portal_download.mb_per_s / results.raw_download.mb_per_s
    table = [
        Row(f"upload {size}, portal", f"{results.portal_upload.mb_per_s:.0f} MB/s", "", None),
        Row(
            f"upload {size}, raw gpg → put_object",
            f"{results.raw_upload.mb_per_s:.0f} MB/s",
            "",
            None,
        ),
        Row(
            f"upload {size}, raw, one part at a time",
            f"{results.raw_upload_serial.mb_per_s:.0f} MB/s",
            "",
            None,
        ),
        Row(
            "upload portal / raw", f"{up_ratio:.2f}", f"≥ {TARGET_RATIO}", up_ratio >= TARGET_RATIO
        ),
        Row(f"download {size}, portal", f"{results.portal_download.mb_per_s:.0f} MB/s", "", None),
        Row(
            f"download {size}, raw get_object → gpg -d",
            f"{results.raw_download.mb_per_s:.0f} MB/s",
            "",
            None,
        ),
        Row(
            "download portal / raw",
            f"{down_ratio:.2f}",
            f"≥ {TARGET_RATIO}",
            down_ratio >= TARGET_RATIO,
        ),
    ]
    first = results.memory[0]
    table.append(
        Row(
            f"server RSS growth, {first.size // MIB} MiB upload",
            f"+{first.growth_mib:.0f} MiB (peak {first.peak / MIB:.0f} MiB)",
            f"≤ {TARGET_RSS_GROWTH_MIB} MiB",
            first.growth_mib <= TARGET_RSS_GROWTH_MIB,
        )
    )
    if len(results.memory) > 1:
        large = results.memory[1]
        peak_ratio = large.peak / first.peak
        growth_ratio = large.growth_mib / first.growth_mib if first.growth_mib > 0 else math.inf
        table += [
            Row(
                f"server RSS growth, {large.size // MIB} MiB upload",
                f"+{large.growth_mib:.0f} MiB (peak {large.peak / MIB:.0f} MiB)",
                "",
                None,
            ),
            Row("RSS growth 4 GiB / 1 GiB", f"{growth_ratio:.2f}", "", None),
            Row(
                "peak RSS 4 GiB / 1 GiB",
                f"{peak_ratio:.2f}",
                f"≤ {TARGET_PEAK_RATIO:.2f}",
                peak_ratio <= TARGET_PEAK_RATIO,
            ),
        ]
    concurrency = results.concurrency
    label = f"{concurrency.rounds} x {CONCURRENT_REQUESTS} concurrent downloads of 10 MB"
    table += [
        Row(f"{label}: throughput", f"{concurrency.mb_per_s:.0f} MB/s", "", None),
        Row(
            f"{label}: latency p50 / p99",
            f"{concurrency.percentile(0.5):.2f} s / {concurrency.percentile(0.99):.2f} s",
            "",
            None,
        ),
        Row(f"{label}: errors", str(len(concurrency.errors)), "0", not concurrency.errors),
    ]
    return table


def diagnostics(results: Results) -> list[str]:
    """Where the time goes: CPU per GiB on each side, and how the download body arrives."""
    lines = []
    for name, run in (
        ("portal upload", results.portal_upload),
        ("raw upload", results.raw_upload),
        ("portal download", results.portal_download),
        ("raw download", results.raw_download),
    ):
        per_gib = GIB / run.size
        side = "server" if name.startswith("portal") else "bench process"
        lines.append(
            f"{name}: {side} CPU {run.cpu.own * per_gib:.1f} s/GiB in Python "
            f"+ {run.cpu.children * per_gib:.1f} s/GiB in gpg, over {run.seconds:.1f} s"
        )
    for name, run in (("portal", results.portal_download), ("raw", results.raw_download)):
        sizes = run.chunk_sizes
        if sizes:
            lines.append(
                f"{name} download body: {len(sizes)} chunks read, median "
                f"{statistics.median(sizes) / 1024:.0f} KiB, largest {max(sizes) / 1024:.0f} KiB"
                + (" (httpcore reads the socket 64 KiB at a time)" if name == "portal" else "")
            )
    if results.concurrency.errors:
        lines.append("concurrent download errors: " + "; ".join(results.concurrency.errors[:5]))
    return lines


def render_table(table: list[Row]) -> list[str]:
    lines = ["| measure | result | target | |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.measure} | {r.value} | {r.target} | {r.verdict} |" for r in table]
    return lines


def render_markdown(results: Results, command: str) -> str:
    lines = [
        BEGIN_MARKER,
        *measured_on(seconds=results.seconds, command=command, versions=results.versions),
        (
            f"Throughput figures are the better of {ROUNDS} runs each (the machine is shared "
            "and noisy). MB is 10⁶ bytes; MiB is 2²⁰."
        ),
        "",
        *render_table(rows(results)),
        "",
        "Where the time goes (from the same runs):",
        "",
        *(f"- {line}" for line in diagnostics(results)),
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


DOC_INTRO = """\
# Performance of the document path

What one portal process does with large documents, next to the raw pipeline it wraps
(`gpg -z0` and the minio client, driven from Python without the portal in between), on
the machine named below. The figures are regenerated by the command shown; do not edit
the generated section by hand, rerun the script instead.

- **Throughput**: the same incompressible, PDF-headed stream (an 8 MiB random block
  repeated) goes through both paths: portal upload as Carol (streamed multipart) and
  download as Alice; raw `gpg --batch -z0 --trust-model always -e` on stdin into
  `put_object(length=-1, part_size=16 MiB)`, and `get_object` into `gpg -d`, its output
  hashed. Target: the portal at least 0.8 x raw, both ways. The raw upload uses the minio
  client's default of three parallel part uploads, the portal's `storage/s3.py` two; the row
  "one part at a time" is the raw path without parallel parts, to show what the
  parallelism is worth apart from the portal's own overhead.
- **Memory**: the server process's peak RSS (VmHWM, after resetting it) during an upload,
  against its RSS before. gpg runs as a child process and is not included. Targets: at most
  150 MiB growth for 1 GiB, and the 4 GiB upload's peak within 10 % of the 1 GiB one.
- **Concurrency**: 32 simultaneous downloads of one 10 MB document, three rounds; any
  non-200 answer, cut-off body, wrong digest or a minute without a byte counts as an
  error; a round with an error ends the test early. Target: none.

"""


def write_docs(results: Results, command: str, path: Path = DOCS) -> None:
    section = render_markdown(results, command)
    write_section(path, BEGIN_MARKER, END_MARKER, section, intro=DOC_INTRO)


def print_results(results: Results) -> None:
    table = rows(results)
    width = max(len(row.measure) for row in table)
    value_width = max(len(row.value) for row in table)
    print()
    print(f"throughput: best of {ROUNDS} runs each (the machine is noisy)")
    for row in table:
        print(
            f"  {row.measure:<{width}}  {row.value:<{value_width}}  {row.target:<8}  {row.verdict}"
        )
    print()
    for line in diagnostics(results):
        print(f"  {line}")
    print(f"\nrun time {results.seconds / 60:.1f} min")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_documents", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="256 MiB instead of 1 GiB, no 4 GiB upload; prints only, leaves the docs alone",
    )
    options = parser.parse_args(argv)
    stop_on_sigterm()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    results = measure(quick=options.quick, log=log)
    print_results(results)
    if options.quick:
        print("(--quick: docs/performance.md not rewritten)")
    else:
        write_docs(results, "uv run python -m tests.bench.bench_documents")
        print(f"wrote {DOCS.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
