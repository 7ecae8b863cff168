"""Many small documents at once: the portal against bare gpg on the same machine (#14).

Run from the repository root::

    uv run python -m tests.bench.bench_small_documents          # rewrites its docs section
    uv run python -m tests.bench.bench_small_documents --quick  # fewer requests, prints only

Most briefings are PDFs of a few hundred KB to a few MB, so the everyday load is many
small transfers at once, where the fixed cost of each one counts. For each deployment,
the embedded default (SQLite, a directory of objects) and PostgreSQL with MinIO, the script
starts ``portal serve`` (the test suite's launchers, on 127.0.0.1 only), and measures:

1. **8 concurrent uploads** of distinct 1 MiB documents, as Carol (the aanmelder);
2. **32 concurrent downloads** of those documents, as Alice, read to the end and their
   SHA-256 checked;
3. **one client alone**, downloads one after another: the time each takes.

Beside them, in the same run and on the same machine, the work's own floor: bare ``gpg``
with an unprotected cv25519 key (what the case keys are), ``gpg -z0 -e`` of the same
1 MiB 8 at a time, ``gpg -d`` of its ciphertext 32 at a time and one at a time. The
portal's overhead per download is its single-client time minus bare ``gpg -d``'s.

Any answer but 200/201, a wrong digest or a cut body counts as an error. Every figure is
printed next to its baseline and the target of issue #14.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.bench.bench_documents import DOWNLOAD_PARAMS, PARTNER, UPLOADER, create_case
from tests.bench.report import REPOSITORY, measured_on, stop_on_sigterm, write_section
from tests.servers.postgres import postgres_server
from tests.servers.s3 import minio_server
from tests.web.live import ServedPortal, embedded_portal, live_portal
from tests.web.portal_client import AANMELDING_METADATA, PDF_HEAD, multipart_body

MIB = 1024 * 1024
DOCUMENT_BYTES = 1 * MIB
UPLOAD_CLIENTS = 8
DOWNLOAD_CLIENTS = 32
TIMEOUT = httpx.Timeout(60.0)
DOCS = REPOSITORY / "docs" / "performance.md"
BEGIN_MARKER = "<!-- bench_small_documents: generated, do not edit by hand -->"
END_MARKER = "<!-- /bench_small_documents -->"

TARGET_DOWNLOAD_RATIO = 0.5
TARGET_UPLOAD_RATIO = 0.5
TARGET_P99_SECONDS = 0.5
TARGET_OVERHEAD_SECONDS = 0.010


@dataclass(frozen=True)
class Sizes:
    uploads: int
    downloads: int
    alone: int

    @classmethod
    def of(cls, *, quick: bool) -> Sizes:
        return cls(uploads=32, downloads=128, alone=20) if quick else cls(64, 512, 50)


@dataclass
class Batch:
    """Transfers run ``clients`` at a time: their latencies, errors and wall time."""

    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan

    @property
    def mean(self) -> float:
        return statistics.fmean(self.latencies) if self.latencies else math.nan


def document_content(number: int) -> bytes:
    """A distinct, incompressible 1 MiB PDF-headed document."""
    return PDF_HEAD + number.to_bytes(8, "big") + os.urandom(DOCUMENT_BYTES - len(PDF_HEAD) - 8)


# --- bare gpg ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BareGpg:
    home: Path
    recipient: str
    ciphertext: Path
    plaintext: bytes

    def _gpg(self, *args: str, stdin: bytes | None = None) -> bytes:
        completed = subprocess.run(
            ["gpg", "--homedir", str(self.home), "--batch", "--quiet", *args],
            input=stdin,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return completed.stdout

    def encrypt(self) -> None:
        self._gpg("-z0", "--trust-model", "always", "-e", "-r", self.recipient,
                  stdin=self.plaintext)  # fmt: skip

    def decrypt(self) -> None:
        if hashlib.sha256(self._gpg("-d", str(self.ciphertext))).digest() != self.digest:
            raise RuntimeError("bare gpg -d gave back other bytes")

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.plaintext).digest()


@contextlib.contextmanager
def bare_gpg(workdir: Path) -> Iterator[BareGpg]:
    home = workdir / "bare-gnupg"
    home.mkdir(mode=0o700)
    base = ["gpg", "--homedir", str(home), "--batch", "--quiet"]
    subprocess.run(
        [*base, "--passphrase", "", "--quick-gen-key", "bench@bare.invalid",
         "future-default", "default", "never"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    plaintext = document_content(0)
    ciphertext = workdir / "bare.pgp"
    subprocess.run(
        [*base, "-z0", "--trust-model", "always", "-e", "-r", "bench@bare.invalid",
         "-o", str(ciphertext)],
        input=plaintext, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    try:
        yield BareGpg(home, "bench@bare.invalid", ciphertext, plaintext)
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )


def threaded(job: Callable[[], None], *, clients: int, total: int) -> Batch:
    batch = Batch(clients=clients)

    def timed() -> None:
        started = time.perf_counter()
        try:
            job()
        except (subprocess.SubprocessError, RuntimeError) as exc:
            batch.errors.append(type(exc).__name__)
            return
        batch.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in pool.map(lambda _: timed(), range(total)):
            pass
    batch.seconds = time.perf_counter() - started
    return batch


# --- the portal --------------------------------------------------------------------------


@dataclass(frozen=True)
class Uploaded:
    document_id: str
    sha256: str


async def concurrent_uploads(
    portal: ServedPortal, case_id: str, *, clients: int, total: int
) -> tuple[Batch, list[Uploaded]]:
    batch = Batch(clients=clients)
    uploaded: list[Uploaded] = []
    gate = asyncio.Semaphore(clients)
    bodies = [multipart_body(AANMELDING_METADATA, "kort.pdf", document_content(n + 1),
                             "application/pdf") for n in range(total)]  # fmt: skip

    async def one(client: httpx.AsyncClient, body: bytes, content_type: str) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                answer = await client.post(
                    f"/api/v1/cases/{case_id}/documents",
                    content=body,
                    headers={**portal.auth(UPLOADER), "Content-Type": content_type},
                )
            except httpx.HTTPError as exc:
                batch.errors.append(type(exc).__name__)
                return
            if answer.status_code != 201:
                batch.errors.append(f"{answer.status_code} {answer.text[:120]}")
                return
            batch.latencies.append(time.perf_counter() - started)
            document = answer.json()
            uploaded.append(Uploaded(str(document["id"]), str(document["sha256"])))

    async with httpx.AsyncClient(base_url=portal.base_url, timeout=TIMEOUT) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, body, kind) for body, kind in bodies))
        batch.seconds = time.perf_counter() - started
    return batch, uploaded


async def concurrent_downloads(
    portal: ServedPortal, documents: list[Uploaded], *, clients: int, total: int
) -> Batch:
    batch = Batch(clients=clients)
    gate = asyncio.Semaphore(clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(client: httpx.AsyncClient, document: Uploaded) -> None:
        async with gate:
            started = time.perf_counter()
            digest = hashlib.sha256()
            received = 0
            try:
                async with client.stream(
                    "GET",
                    f"/api/v1/documents/{document.document_id}/content",
                    params=DOWNLOAD_PARAMS,
                    headers=portal.auth("alice"),
                ) as answer:
                    if answer.status_code != 200:
                        await answer.aread()
                        batch.errors.append(f"{answer.status_code} {answer.text[:120]}")
                        return
                    async for chunk in answer.aiter_raw():
                        digest.update(chunk)
                        received += len(chunk)
            except httpx.HTTPError as exc:
                batch.errors.append(f"{type(exc).__name__} after {received} bytes")
                return
            if (received, digest.hexdigest()) != (DOCUMENT_BYTES, document.sha256):
                batch.errors.append(f"wrong body: {received} bytes")
                return
            batch.latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(
        base_url=portal.base_url, limits=limits, timeout=TIMEOUT
    ) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, documents[n % len(documents)]) for n in range(total)))
        batch.seconds = time.perf_counter() - started
    return batch


@dataclass(frozen=True)
class Deployment:
    name: str
    uploads: Batch
    downloads: Batch
    alone: Batch


def measure_portal(name: str, portal: ServedPortal, partij_id: str, sizes: Sizes) -> Deployment:
    case_id = create_case(portal, partij_id)
    uploads, documents = asyncio.run(
        concurrent_uploads(portal, case_id, clients=UPLOAD_CLIENTS, total=sizes.uploads)
    )
    if not documents:
        raise RuntimeError(f"{name}: no upload succeeded: {uploads.errors[:3]}")
    downloads = asyncio.run(
        concurrent_downloads(portal, documents, clients=DOWNLOAD_CLIENTS, total=sizes.downloads)
    )
    alone = asyncio.run(concurrent_downloads(portal, documents, clients=1, total=sizes.alone))
    return Deployment(name=name, uploads=uploads, downloads=downloads, alone=alone)


def partij_named(portal: ServedPortal, name: str) -> str:
    answer = httpx.get(
        f"{portal.base_url}/api/v1/partijen", headers=portal.auth("alice"), timeout=TIMEOUT
    )
    answer.raise_for_status()
    return next(str(p["id"]) for p in answer.json() if p["name"] == name)


# --- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    bare_encrypt: Batch
    bare_decrypt: Batch
    bare_alone: Batch
    deployments: list[Deployment]
    versions: dict[str, str]
    seconds: float


def measure(*, quick: bool, log: Callable[[str], None]) -> Results:
    sizes = Sizes.of(quick=quick)
    started = time.monotonic()
    deployments = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-small-")))
        bare = stack.enter_context(bare_gpg(workdir))
        log("bare gpg: encrypt 8 at a time, decrypt 32 at a time and alone")
        bare_encrypt = threaded(bare.encrypt, clients=UPLOAD_CLIENTS, total=sizes.uploads)
        bare_decrypt = threaded(bare.decrypt, clients=DOWNLOAD_CLIENTS, total=sizes.downloads)
        bare_alone = threaded(bare.decrypt, clients=1, total=sizes.alone)

        log("the embedded default: SQLite and a directory of objects")
        with embedded_portal(workdir / "embedded") as portal:
            deployments.append(
                measure_portal("embedded", portal, partij_named(portal, PARTNER), sizes)
            )
        log("PostgreSQL and MinIO")
        postgres = stack.enter_context(postgres_server())
        minio = stack.enter_context(minio_server(workdir))
        url = postgres.create_database(f"small_{time.time_ns() % 10**9}")
        with live_portal(database_url=url, minio=minio) as portal:
            deployments.append(
                measure_portal("PostgreSQL + MinIO", portal, partij_named(portal, PARTNER), sizes)
            )
        versions = {"PostgreSQL": postgres.version, "MinIO": f"{minio.server} {minio.version}"}
    return Results(
        bare_encrypt=bare_encrypt,
        bare_decrypt=bare_decrypt,
        bare_alone=bare_alone,
        deployments=deployments,
        versions=versions,
        seconds=time.monotonic() - started,
    )


# --- the report ----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def rows(results: Results) -> list[tuple[str, str, str, str]]:
    enc, dec, alone = results.bare_encrypt, results.bare_decrypt, results.bare_alone
    table = [
        ("bare `gpg -z0 -e`, 8 at a time", f"{enc.rate:.0f}/s", "", ""),
        (
            "bare `gpg -d`, 32 at a time",
            f"{dec.rate:.0f}/s, p99 {_ms(dec.percentile(0.99))}",
            "",
            "",
        ),
        ("bare `gpg -d`, alone", f"{_ms(alone.mean)} each", "", ""),
    ]
    for d in results.deployments:
        errors = len(d.uploads.errors) + len(d.downloads.errors) + len(d.alone.errors)
        overhead = d.alone.mean - alone.mean
        p99 = d.downloads.percentile(0.99)
        table += [
            (f"{d.name}: errors", str(errors), "0", _verdict(errors == 0)),
            (f"{d.name}: uploads, 8 clients", f"{d.uploads.rate:.0f}/s", "", ""),
            (f"{d.name}: uploads / bare encrypt", f"{d.uploads.rate / enc.rate:.2f}",
             f"≥ {TARGET_UPLOAD_RATIO}", _verdict(d.uploads.rate >= TARGET_UPLOAD_RATIO * enc.rate)),
            (f"{d.name}: downloads, 32 clients", f"{d.downloads.rate:.0f}/s", "", ""),
            (f"{d.name}: downloads / bare decrypt", f"{d.downloads.rate / dec.rate:.2f}",
             f"≥ {TARGET_DOWNLOAD_RATIO}",
             _verdict(d.downloads.rate >= TARGET_DOWNLOAD_RATIO * dec.rate)),
            (f"{d.name}: downloads p50 / p99", f"{_ms(d.downloads.percentile(0.5))} / {_ms(p99)}",
             "p99 < 500 ms" if d.name != "embedded" else "",
             _verdict(p99 < TARGET_P99_SECONDS) if d.name != "embedded" else ""),
            (f"{d.name}: one client, per download", _ms(d.alone.mean), "", ""),
            (f"{d.name}: overhead beyond bare gpg -d", _ms(overhead),
             f"< {_ms(TARGET_OVERHEAD_SECONDS)}", _verdict(overhead < TARGET_OVERHEAD_SECONDS)),
        ]  # fmt: skip
    return table


def error_lines(results: Results) -> list[str]:
    lines = []
    for d in results.deployments:
        for what, batch in (("upload", d.uploads), ("download", d.downloads), ("alone", d.alone)):
            counted: dict[str, int] = {}
            for error in batch.errors:
                counted[error] = counted.get(error, 0) + 1
            lines += [f"{d.name} {what}: {n} x {error}" for error, n in counted.items()]
    return lines


def render_markdown(results: Results, command: str) -> str:
    lines = [
        BEGIN_MARKER,
        *measured_on(seconds=results.seconds, command=command, versions=results.versions),
        "| measure | result | target | |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(results)),
        *(
            ["", "Errors:", "", *(f"- {line}" for line in error_lines(results))]
            if error_lines(results)
            else []
        ),
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_small_documents", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer requests; prints only")
    options = parser.parse_args(argv)
    stop_on_sigterm()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    results = measure(quick=options.quick, log=log)
    print()
    for a, b, c, d in rows(results):
        print(f"  {a:<48} {b:<28} {c:<14} {d}")
    for line in error_lines(results):
        print(f"  error: {line}")
    print(f"\nrun time {results.seconds / 60:.1f} min")
    if not options.quick:
        command = "uv run python -m tests.bench.bench_small_documents"
        write_section(DOCS, BEGIN_MARKER, END_MARKER, render_markdown(results, command))
        print(f"wrote {DOCS.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
