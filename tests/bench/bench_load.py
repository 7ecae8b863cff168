"""Fifty people at once on two app processes: sign-in, listing, uploads and downloads.

Run from the repository root::

    uv run python -m tests.bench.bench_load           # full run, rewrites its docs section
    uv run python -m tests.bench.bench_load --quick   # 10 users for 15 s, prints only

It starts a throwaway PostgreSQL, MinIO and two ``portal serve`` processes on one
database and bucket (the launchers of the test suite, all on 127.0.0.1), adds one account
per simulated user (``tests.bench.load_accounts``), registers cases in the RTO phase with
every account granted, and runs locust (``tests/bench/locustfile.py``) headless twice:

1. **Baseline**: one user alone for 20 s, the same mix; the latency of each endpoint with
   nothing else running.
2. **Load**: 50 users for 60 s, half on each app process.

Then it checks what the run must show (issue #12 point 7):

- **zero errors**: any answer other than the one expected, a body whose SHA-256 differs
  from the upload's, a sign-in that does not end on the start page;
- **zero audit gaps**: every upload locust saw succeed has its ``document:upload`` record,
  and every download it read to the end and checked has both ``document:download`` and
  ``document:download:complete``, found by the request's own trace id;
- ``portal audit verify`` passing on the chain the run wrote.

Per endpoint it prints the requests, failures and p50/p99 latency, loaded beside the
baseline, and (without ``--quick``) writes them to docs/performance.md.
This is a script, not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.bench.bench_documents import CpuTimes
from tests.bench.report import REPOSITORY, measured_on, stop_on_sigterm, write_section
from tests.servers.postgres import postgres_server
from tests.servers.s3 import minio_server
from tests.web.live import LivePortal, another_process, live_portal
from tests.web.live_api import RTO_UPLOAD
from tests.web.portal_client import PDF_HEAD, multipart_body

USERS = 50
SECONDS = 60
SPAWN_RATE = 10
"""Users started per second: all fifty are at work after five seconds."""
BASELINE_SECONDS = 20
CASES = 5
SEED_DOCUMENTS_PER_CASE = 2
MB = 1_000_000
HTTP_TIMEOUT = httpx.Timeout(120.0)
RECORDS_WAIT = 30.0
"""How long a completion record may take to appear after the last byte was read."""
LOCUSTFILE = REPOSITORY / "tests" / "bench" / "locustfile.py"
DOCS = REPOSITORY / "docs" / "performance.md"
BEGIN_MARKER = "<!-- bench_load: generated, do not edit by hand -->"
END_MARKER = "<!-- /bench_load -->"
ALICE = "alice"
REPORTED_BY = "Gemeente Venlo"


class BenchFailed(RuntimeError):
    """The run could not be carried out (not: a figure missed its target)."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class LocustRun:
    users: int
    seconds: int
    endpoints: list[Endpoint]
    failures: list[str]
    completed: list[dict[str, str]]

    @property
    def total(self) -> Endpoint:
        return next(e for e in self.endpoints if e.name == "Aggregated")

    def of(self, name: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.name == name), None)


@dataclass(frozen=True)
class Results:
    quick: bool
    baseline: LocustRun
    load: LocustRun
    audit_gaps: list[str]
    verify: str
    verify_ok: bool
    verify_log: str
    uploaded_mb: float
    downloaded_mb: float
    portal_cpu: list[CpuTimes]
    """CPU seconds of each app process during the load, itself and its gpg children."""
    wall: float
    """Seconds the load run took, its stop timeout included."""
    versions: dict[str, str]
    seconds: float


# --- the portal and its data -----------------------------------------------------------


def add_accounts(portal: LivePortal, count: int) -> dict[str, str]:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.bench.load_accounts", str(count)],
        env=portal.environ,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise BenchFailed(f"adding the load accounts: {completed.stderr[-2000:]}")
    tokens: dict[str, str] = json.loads(completed.stdout)
    return tokens


def _expect(answer: httpx.Response, status: int | set[int], what: str) -> Any:
    if answer.status_code not in (status if isinstance(status, set) else {status}):
        raise BenchFailed(f"{what}: {answer.status_code} {answer.text[:300]}")
    return answer.json()


def prepare_cases(
    portal: LivePortal, partij_id: str, tokens: dict[str, str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Cases in the RTO phase with every account granted, each with a few documents."""
    alice = portal.auth(ALICE)
    cases: list[str] = []
    documents: list[dict[str, Any]] = []
    names = sorted(tokens)
    with httpx.Client(base_url=portal.base_url, timeout=HTTP_TIMEOUT) as http:
        for number in range(CASES):
            body = {
                "reference": f"LOAD-{time.time_ns()}",
                "reported_by": partij_id,
                "aanmelder": "carol",
            }
            case = _expect(http.post("/api/v1/cases", json=body, headers=alice), 201, "a case")
            case_id = str(case["id"])
            reason = {"reason": "belastingproef"}
            _expect(
                http.post(
                    f"/api/v1/cases/{case_id}/phase", json={"to": "triage", **reason}, headers=alice
                ),
                {200, 201},
                "to triage",
            )
            for name in names:
                _expect(
                    http.post(
                        f"/api/v1/cases/{case_id}/grants", json={"user": name}, headers=alice
                    ),
                    201,
                    f"granting {name}",
                )
            _expect(
                http.post(
                    f"/api/v1/cases/{case_id}/phase", json={"to": "rto", **reason}, headers=alice
                ),
                {200, 201},
                "to rto",
            )
            cases.append(case_id)
            for index in range(SEED_DOCUMENTS_PER_CASE):
                uploader = names[(number + index) % len(names)]
                content = PDF_HEAD + os.urandom((index + 1) * MB)
                payload, content_type = multipart_body(
                    RTO_UPLOAD, "voorbereiding.pdf", content, "application/pdf"
                )
                document = _expect(
                    http.post(
                        f"/api/v1/cases/{case_id}/documents",
                        content=payload,
                        headers={
                            "Authorization": f"Bearer {tokens[uploader]}",
                            "Content-Type": content_type,
                        },
                    ),
                    201,
                    "a seed document",
                )
                documents.append(
                    {"id": document["id"], "sha256": document["sha256"], "size": document["size"]}
                )
    return cases, documents


# --- locust ----------------------------------------------------------------------------


def run_locust(
    *, plan: dict[str, Any], users: int, seconds: int, workdir: Path, label: str
) -> LocustRun:
    results = workdir / f"{label}-completed.json"
    plan_file = workdir / f"{label}-plan.json"
    plan_file.write_text(json.dumps({**plan, "results": str(results)}))
    prefix = workdir / label
    command = [
        sys.executable, "-m", "locust",
        "--locustfile", str(LOCUSTFILE),
        "--headless",
        "--users", str(users),
        "--spawn-rate", str(min(users, SPAWN_RATE)),
        "--run-time", f"{seconds}s",
        # A task running when the time is up is finished, not cut: a cut upload would
        # count as an error of the portal.
        "--stop-timeout", "180",
        "--csv", str(prefix),
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        env={**os.environ, "LOAD_PLAN": str(plan_file)},
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 600,
    )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise BenchFailed(f"locust wrote no statistics: {completed.stderr[-3000:]}")
    endpoints = [
        Endpoint(
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            p50_ms=float(row["50%"] if row["50%"] != "N/A" else 0),
            p99_ms=float(row["99%"] if row["99%"] != "N/A" else 0),
            max_ms=float(row["Max Response Time"]),
        )
        for row in csv.DictReader(stats.open())
    ]
    with Path(f"{prefix}_failures.csv").open() as failures_file:
        failures = [
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(failures_file)
        ]
    done: list[dict[str, str]] = json.loads(results.read_text()) if results.exists() else []
    return LocustRun(
        users=users, seconds=seconds, endpoints=endpoints, failures=failures, completed=done
    )


# --- the audit trail -------------------------------------------------------------------

EXPECTED_RECORDS = {
    "upload": {"document:upload"},
    "download": {"document:download", "document:download:complete"},
}


def audit_gaps(
    psql: Callable[[str], str], completed: list[dict[str, str]], *, wait: float
) -> list[str]:
    """What each completed transfer lacks of its records, found by its trace id."""
    wanted = {item["trace_id"]: item for item in completed}
    deadline = time.monotonic() + wait
    while True:
        rows = psql(
            "SELECT trace_id || ' ' || action || ' ' || coalesce(document_id::text, '') "
            "FROM audit_event WHERE trace_id IS NOT NULL AND action LIKE 'document:%'"
        ).splitlines()
        found: dict[str, set[tuple[str, str]]] = {}
        for row in rows:
            trace_id, action, document_id = [*row.split(" "), ""][:3]
            if trace_id in wanted:
                found.setdefault(trace_id, set()).add((action, document_id))
        gaps = []
        for trace_id, item in wanted.items():
            have = {action for action, document in found.get(trace_id, set())
                    if document == item["document_id"]}  # fmt: skip
            missing = EXPECTED_RECORDS[item["kind"]] - have
            if missing:
                gaps.append(f"{item['kind']} {trace_id}: no {', '.join(sorted(missing))}")
        if not gaps or time.monotonic() > deadline:
            return gaps
        time.sleep(1)


# --- the run ---------------------------------------------------------------------------


def measure(*, quick: bool, log: Callable[[str], None]) -> Results:
    users, seconds = (10, 15) if quick else (USERS, SECONDS)
    baseline_seconds = 10 if quick else BASELINE_SECONDS
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-load-")))
        log("starting PostgreSQL, MinIO and two portal processes (127.0.0.1 only)")
        postgres = stack.enter_context(postgres_server())
        database = f"load_{time.time_ns() % 10**9}"
        minio = stack.enter_context(minio_server(workdir))
        first = stack.enter_context(
            live_portal(
                database_url=postgres.create_database(database),
                minio=minio,
                # As deployed: both processes copy their checkpoints to one locked bucket.
                environ={"PORTAL_AUDIT_WORM_BUCKET": f"{database.replace('_', '-')}-worm"},
            )
        )
        other = stack.enter_context(another_process(first))
        second, second_pid = other.base_url, other.pid

        log(f"adding {users} accounts and {CASES} cases in the RTO phase")
        # One more account than users: the baseline's, whose TOTP step the baseline uses.
        tokens = add_accounts(first, users + 1)
        partij_id = postgres.psql(database, f"SELECT id FROM partij WHERE name = '{REPORTED_BY}'")  # noqa: S608 - a fixed name
        cases, documents = prepare_cases(first, partij_id, tokens)
        plan = {
            "hosts": [first.base_url, second],
            "accounts": tokens,
            "cases": cases,
            "documents": documents,
        }
        log(f"baseline: 1 user for {baseline_seconds} s")
        alone, *others = sorted(tokens)
        baseline = run_locust(
            plan={**plan, "accounts": {alone: tokens[alone]}},
            users=1,
            seconds=baseline_seconds,
            workdir=workdir,
            label="baseline",
        )
        log(f"load: {users} users for {seconds} s on two processes")
        cpu_before = [CpuTimes.of_pid(pid) for pid in (first.pid, second_pid)]
        load_started = time.monotonic()
        load = run_locust(
            plan={**plan, "accounts": {name: tokens[name] for name in others}},
            users=users,
            seconds=seconds,
            workdir=workdir,
            label="load",
        )
        wall = time.monotonic() - load_started
        cpu = [
            CpuTimes.of_pid(pid) - before
            for pid, before in zip((first.pid, second_pid), cpu_before, strict=True)
        ]
        log(f"load: {load.total.requests} requests, {load.total.failures} failures")

        completed = baseline.completed + load.completed
        gaps = audit_gaps(lambda sql: postgres.psql(database, sql), completed, wait=RECORDS_WAIT)
        verify = first.cli("audit", "verify")
        sizes = {d["id"]: d["size"] for d in documents}
        uploaded = [c for c in load.completed if c["kind"] == "upload"]
        downloaded = [c for c in load.completed if c["kind"] == "download"]
        uploaded_bytes = _upload_sizes(postgres.psql, database, uploaded)
        sizes.update(uploaded_bytes)
        versions = {
            "PostgreSQL": postgres.version,
            "MinIO": f"{minio.server} {minio.version}",
            "locust": _locust_version(),
        }
    return Results(
        quick=quick,
        baseline=baseline,
        load=load,
        audit_gaps=gaps,
        verify=verify.stdout.strip(),
        verify_ok=verify.returncode == 0,
        verify_log=verify.stderr.strip(),
        uploaded_mb=sum(uploaded_bytes.values()) / MB,
        downloaded_mb=sum(sizes.get(c["document_id"], 0) for c in downloaded) / MB,
        portal_cpu=cpu,
        wall=wall,
        versions=versions,
        seconds=time.monotonic() - started,
    )


def _upload_sizes(
    psql: Callable[[str, str], str], database: str, uploaded: list[dict[str, str]]
) -> dict[str, int]:
    if not uploaded:
        return {}
    ids = ", ".join(f"'{c['document_id']}'" for c in uploaded)
    rows = psql(database, f"SELECT id || ' ' || size FROM document WHERE id IN ({ids})")  # noqa: S608 - ids the portal answered
    return {row.split()[0]: int(row.split()[1]) for row in rows.splitlines() if row.strip()}


def _locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


# --- the report ------------------------------------------------------------------------


def verdicts(results: Results) -> list[tuple[str, str, str, str]]:
    load = results.load
    errors = load.total.failures + results.baseline.total.failures
    uploads = sum(c["kind"] == "upload" for c in load.completed)
    downloads = sum(c["kind"] == "download" for c in load.completed)
    cores = os.cpu_count() or 1
    own = sum(c.own for c in results.portal_cpu)
    gpg = sum(c.children for c in results.portal_cpu)
    available = f"{results.wall * cores:.0f} s ({cores} cores x {results.wall:.0f} s)"
    verify = results.verify.splitlines()[0] if results.verify else "-"
    return [
        ("requests under load", str(load.total.requests), "", ""),
        ("errors (baseline and load)", str(errors), "0", _verdict(errors == 0)),
        ("completed uploads / downloads checked", f"{uploads} / {downloads}", "", ""),
        (
            "MB uploaded / downloaded under load",
            f"{results.uploaded_mb:.0f} / {results.downloaded_mb:.0f}",
            "",
            "",
        ),
        (
            "CPU of the app processes / of their gpg",
            f"{own:.0f} s / {gpg:.0f} s of {available}",
            "",
            "",
        ),
        ("audit gaps", str(len(results.audit_gaps)), "0", _verdict(not results.audit_gaps)),
        ("`portal audit verify`", verify, "passes", _verdict(results.verify_ok)),
    ]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def endpoint_rows(results: Results) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for endpoint in results.load.endpoints:
        alone = results.baseline.of(endpoint.name)
        name = "all requests" if endpoint.name == "Aggregated" else endpoint.name
        rows.append(
            (
                name,
                str(endpoint.requests),
                str(endpoint.failures),
                f"{alone.p50_ms:.0f}" if alone and alone.requests else "-",
                f"{endpoint.p50_ms:.0f}",
                f"{endpoint.p99_ms:.0f}",
                f"{endpoint.max_ms:.0f}",
            )
        )
    return rows


ENDPOINT_HEADERS = (
    "endpoint", "requests", "failures", "p50 ms, 1 user", "p50 ms", "p99 ms", "max ms",
)  # fmt: skip


def render_markdown(results: Results, command: str) -> str:
    load = results.load
    lines = [
        BEGIN_MARKER,
        *measured_on(seconds=results.seconds, command=command, versions=results.versions),
        (
            f"{load.users} users for {load.seconds} s on two app processes (baseline: one "
            f"user for {results.baseline.seconds} s). Latencies in ms include the whole "
            "body, up and down; the load generator shares the cores with the portal, "
            "PostgreSQL, MinIO and gpg."
        ),
        "",
        "| measure | result | target | |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(results)),
        "",
        "| " + " | ".join(ENDPOINT_HEADERS) + " |",
        "| " + " | ".join("---" for _ in ENDPOINT_HEADERS) + " |",
        *("| " + " | ".join(row) + " |" for row in endpoint_rows(results)),
        END_MARKER,
    ]
    return "\n".join(lines) + "\n"


DOC_INTRO = "# Performance\n\n"


def print_results(results: Results) -> None:
    print()
    for measure_name, value, target, verdict in verdicts(results):
        print(f"  {measure_name:<40} {value:<24} {target:<8} {verdict}")
    print()
    widths = [max(len(row[i]) for row in [ENDPOINT_HEADERS, *endpoint_rows(results)])
              for i in range(len(ENDPOINT_HEADERS))]  # fmt: skip
    for row in [ENDPOINT_HEADERS, *endpoint_rows(results)]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for failure in results.baseline.failures + results.load.failures:
        print(f"  failure: {failure}")
    print("  portal audit verify:")
    print("    " + results.verify.replace("\n", "\n    "))
    if results.verify_log:
        print("  portal audit verify said on stderr:")
        print("    " + results.verify_log.replace("\n", "\n    "))
    for gap in results.audit_gaps[:20]:
        print(f"  audit gap: {gap}")
    print(f"\nrun time {results.seconds / 60:.1f} min")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="10 users for 15 s; prints only, leaves the docs"
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
        write_section(
            DOCS, BEGIN_MARKER, END_MARKER, render_markdown(results, "uv run python -m "
            "tests.bench.bench_load"), intro=DOC_INTRO,
        )  # fmt: skip
        print(f"wrote {DOCS.relative_to(REPOSITORY)}")
    ok = not results.audit_gaps and results.verify_ok and results.load.total.failures == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
