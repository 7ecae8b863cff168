"""The retention sweep on the portal as deployed (issue #10): PostgreSQL, versioned MinIO.

A case through +12 months after afschaling is destroyed (art. 11.2c): every object version
gone, its key row gone so a copy of the ciphertext taken before is useless (crypto-
shredding), its personal data gone from the database, and the audit chain still intact.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from crypto import CaseKeyMaterial, CaseKeys, DecryptionFailed, GnuPGHome, MasterKey
from portal.domain.retention import add_months
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal
from tests.web.live_api import POLICE_REPORT, LiveApi, audit_records
from tests.web.portal_client import PDF_HEAD


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"ret_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        # Production buckets keep versions: destruction must remove every one of them.
        portal.minio.set_bucket_versioning(
            bucket_name=portal.bucket, config=VersioningConfig(status=ENABLED)
        )
        yield portal


@pytest.fixture(scope="module")
def api(live: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=live.base_url, timeout=120) as http:
        yield LiveApi(live=live, http=http)


def _versions(live: LivePortal, prefix: str) -> list[str]:
    return [
        f"{item.object_name}@{item.version_id}"
        for item in live.minio.list_objects(
            bucket_name=live.bucket, prefix=prefix, recursive=True, include_version=True
        )
    ]


def _ciphertext(live: LivePortal, key: str) -> bytes:
    response = live.minio.get_object(bucket_name=live.bucket, object_name=key)
    try:
        return bytes(response.read())
    finally:
        response.close()
        response.release_conn()


def _opens_in_a_fresh_home(api: LiveApi, case_id: str, ciphertext: bytes) -> bool:
    """Whether ``ciphertext`` decrypts with all the portal still holds: the master key and
    the database, in a GnuPG home that never saw the case (as on a restored machine)."""
    live = api.live
    material = api.psql(
        "SELECT fingerprint || '|' || public_key || '|' || protected_secret_key "
        "FROM case_key WHERE casus = :'id';\n",
        id=case_id,
    )
    if not material:
        return False
    fingerprint, public_key, protected = material.split("|")
    master = MasterKey.load(live.data_dir / "master.key")
    home = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))
    try:
        keys = CaseKeys(GnuPGHome(home))
        out = io.BytesIO()
        try:
            keys.decrypt_for_case(
                CaseKeyMaterial(
                    fingerprint=fingerprint, public_key=public_key, protected_secret_key=protected
                ),
                master.secret_for_case(case_id),
                io.BytesIO(ciphertext),
                out.write,
            )
        except DecryptionFailed:
            return False
        return out.getvalue().startswith(PDF_HEAD)
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(home, ignore_errors=True)


def test_art11_2c_a_case_past_12_months_is_destroyed_for_good(api: LiveApi) -> None:
    live = api.live
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    case_id = str(case["id"])
    api.move_through(case_id, "triage")
    api.granted(case_id, "dave")
    api.move_through(case_id, "rto")
    document_id = api.uploaded(case_id, user="dave", metadata=POLICE_REPORT, file_name="pv.pdf")
    decided = datetime.now(UTC)
    moved = api.move(case_id, "afschaling", decided_at=decided)
    assert moved.status_code in {200, 201}, moved.text
    prefix = f"cases/{case_id}/"
    key = f"{prefix}{document_id}.pgp"
    copy = _ciphertext(live, key)
    # A second version of the object: destruction must not leave the older one behind.
    live.minio.put_object(
        bucket_name=live.bucket, object_name=key, data=io.BytesIO(copy), length=len(copy)
    )
    assert len(_versions(live, prefix)) == 2
    # The check after the sweep means something: before it, the copy opens.
    assert _opens_in_a_fresh_home(api, case_id, copy)
    due = add_months(decided, 12)

    early = live.cli("retention", "sweep", "--now", (due - timedelta(seconds=1)).isoformat())
    assert early.returncode == 0, early.stderr
    assert case_id not in early.stdout

    dry = live.cli("retention", "sweep", "--now", due.isoformat(), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would destroy case {case_id}" in dry.stdout
    assert len(_versions(live, prefix)) == 2, "a dry run changes nothing"
    assert api.psql("SELECT count(*) FROM document WHERE casus = :'id';\n", id=case_id) == "1"

    swept = live.cli("retention", "sweep", "--now", due.isoformat())
    assert swept.returncode == 0, swept.stderr
    assert f"destroyed case {case_id}: objects 1, versions 2" in swept.stdout
    # Its housekeeping ran on PostgreSQL too; a year on, every session has ended.
    assert "sign-in state: " in swept.stdout
    assert "sign-in state" not in dry.stdout

    assert _versions(live, prefix) == []
    for table, column in (
        ("case_key", "casus"),
        ("document", "casus"),
        ("access_grant", "casus"),
        ("case_handover", "casus"),
    ):
        counted = api.psql(
            f"SELECT count(*) FROM {table} WHERE {column} = :'id';\n",  # noqa: S608 - our own names
            id=case_id,
        )
        assert counted == "0", table
    tombstone = api.psql(
        "SELECT reference || '|' || coalesce(aanmelder::text, '-') || '|' || "
        "(destroyed_at IS NOT NULL)::text FROM casus WHERE id = :'id';\n",
        id=case_id,
    )
    assert tombstone == f"vernietigd-{case_id}|-|true"
    assert case["reference"] not in api.psql("SELECT string_agg(reference, ',') FROM casus;\n")
    # Crypto-shredding: the copy taken before opens with nothing the portal still holds.
    assert not _opens_in_a_fresh_home(api, case_id, copy)
    assert api.case(case_id, user="alice").status_code in {403, 404}

    records = asyncio.run(audit_records(live, action="case:destroy", case_id=case_id))
    assert len(records) == 1
    assert "versions 2" in records[0]["reason"]
    assert case["reference"] not in records[0]["reason"]
    assert "pv.pdf" not in records[0]["reason"]

    again = live.cli("retention", "sweep", "--now", (due + timedelta(days=1)).isoformat())
    assert again.returncode == 0, again.stderr
    assert case_id not in again.stdout
    verified = live.cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr

    _the_signed_report_checks_out_with_gpg_alone(
        api, case_id, hidden=(case["reference"], "pv.pdf"), record=records[0]["reason"]
    )
    _the_figures_are_kept_but_one_case_is_too_few_to_show(api, due=due)


def _the_signed_report_checks_out_with_gpg_alone(
    api: LiveApi, case_id: str, *, hidden: tuple[str, ...], record: str
) -> None:
    """Art. 9.4: the destruction's signed report, checked by anyone with gpg alone."""
    live = api.live
    outsider = Path(tempfile.mkdtemp(prefix="o", dir="/tmp"))
    try:
        exported = live.cli("retention", "report", case_id, "--dir", str(outsider / "out"))
        assert exported.returncode == 0, exported.stderr
        report = (outsider / "out" / "report.asc").read_text()
        assert f"case: {case_id}" in report
        assert "object versions deleted: 2" in report
        for text in hidden:
            assert text not in report
        # The case:destroy record names the report's hash.
        assert record.endswith(hashlib.sha256(report.encode()).hexdigest())
        gpg = ["gpg", "--homedir", str(outsider / "home"), "--batch"]
        (outsider / "home").mkdir(mode=0o700)
        imported = subprocess.run([*gpg, "--import", str(outsider / "out" / "key.asc")],
                                  capture_output=True, check=False)  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        checked = subprocess.run([*gpg, "--verify", str(outsider / "out" / "report.asc")],
                                 capture_output=True, check=False)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
    finally:
        subprocess.run(["gpgconf", "--homedir", str(outsider / "home"), "--kill", "all"],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(outsider, ignore_errors=True)


def _the_figures_are_kept_but_one_case_is_too_few_to_show(api: LiveApi, *, due: datetime) -> None:
    """Art. 11.3: the case's figures are kept; one case alone is not shown."""
    figures = api.live.cli("figures", "--json")
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout) == {"min_cases": 5, "periods": [], "withheld": True}
    kept = api.psql("SELECT count(*) || '|' || min(period) FROM case_figures;\n")
    assert kept == f"1|{due:%Y-%m}"
