"""What a destruction keeps, on SQLite and PostgreSQL with real gpg: the case's figures
(art. 11.3) and its signed report (art. 9.4, 11.2c), written with the erasure or not at all.

The report is checked as an outsider would: the ``gpg`` binary, in a GnuPG home that holds
nothing but the portal's public key.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from crypto import CaseKeys, SigningFailed, SigningKeys
from portal.db import cases as cases_db
from portal.db.tables import (
    AuditEvent,
    CaseFiguresRow,
    CaseKey,
    Casus,
    DestructionReport,
    Document,
    SigningKey,
)
from portal.domain.actions import Action
from portal.domain.cases import Phase
from portal.domain.partijen import Role
from portal.services.audit import RequestContext
from portal.services.audit_chain import AUDIT_KEY_PURPOSE
from portal.services.figures import operator_figures
from storage import ObjectStore
from tests.integration.test_legal_holds import _zvh_user
from tests.integration.test_retention import (
    AUDIT,
    DECIDED,
    DUE,
    FILE_NAME,
    PSEUDONYM,
    REFERENCE,
    _a_decided_case,
    _sweep,
    keys,
    store,
)

__all__ = ["keys", "store"]  # the fixtures, shared with the sweep's own tests

TRIAGE_AT = DECIDED + timedelta(days=2)
RTO_AT = DECIDED + timedelta(days=5)
AFSCHALING_AT = DECIDED + timedelta(days=9)


async def _a_case_with_a_history(keys: CaseKeys, store: ObjectStore) -> UUID:
    """The decided case of the sweep's tests, with its phases and two downloads on record."""
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    await Casus.update({Casus.phase_changed_at: AFSCHALING_AT}).where(Casus.id == case_id)
    case = await cases_db.case_by_id(case_id)
    assert case is not None
    alice = RequestContext(actor=await _zvh_user(Role.PROCESREGISSEUR))
    for phase, at in [
        (Phase.TRIAGE, TRIAGE_AT),
        (Phase.RTO, RTO_AT),
        (Phase.AFSCHALING, AFSCHALING_AT),
    ]:
        await AUDIT.about(alice, at=at, case=replace(case, phase=phase)).succeed(
            Action.CASE_PHASE, f"to {phase}"
        )
    for _ in range(2):
        await AUDIT.about(alice, at=RTO_AT, case=case).permit(
            Action.DOCUMENT_DOWNLOAD, "for monitoring"
        )
    # Refused downloads are no downloads.
    await AUDIT.about(alice, at=RTO_AT, case=case).deny(Action.DOCUMENT_DOWNLOAD, "refused")
    return case_id


async def _figures_rows() -> list[dict[str, Any]]:
    return list(await CaseFiguresRow.select().output(load_json=True))


async def _report_of(case_id: UUID) -> dict[str, Any]:
    row = await DestructionReport.select().where(DestructionReport.casus == case_id).first()
    assert row is not None
    return dict(row)


@pytest.fixture
def outsider() -> Iterator[Path]:
    """A GnuPG home of someone with nothing but the gpg binary (short path: its sockets)."""
    home = Path(tempfile.mkdtemp(prefix="o", dir="/tmp"))
    home.chmod(0o700)
    yield home
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False
    )
    shutil.rmtree(home, ignore_errors=True)


def _gpg(home: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--status-fd", "1", *args],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
    )


async def test_art11_3_the_sweep_keeps_the_cases_figures_and_nothing_that_names_it(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    case_id = await _a_case_with_a_history(keys, store)

    await _sweep(keys, store)

    [row] = await _figures_rows()
    assert row["period"] == f"{DUE:%Y-%m}"
    assert row["days_per_phase"] == {"aanmelding": 2, "triage": 3, "rto": 4, "afschaling": 356}
    assert row["days_decided_to_destroyed"] == (DUE - DECIDED).days
    assert (row["documents"], row["downloads"], row["grants"]) == (1, 2, 1)
    assert row["partij_kinds"] == ["college"]
    assert (row["outcome"], row["rule"]) == ("afgeschaald", "timetable")
    # Nothing to join it back by: no case id, no partij, no moment finer than the month.
    assert set(row) == {"id", "period", "rule", "outcome", "days_per_phase",
                        "days_decided_to_destroyed", "partij_kinds", "documents",
                        "downloads", "grants"}  # fmt: skip
    assert str(case_id) not in repr(row)
    assert not any(isinstance(value, datetime) for value in row.values())


async def test_art9_4_the_destruction_report_verifies_with_plain_gpg_and_names_nothing_personal(
    database: str, keys: CaseKeys, store: ObjectStore, outsider: Path
) -> None:
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    case_key = await CaseKey.select(CaseKey.fingerprint).where(CaseKey.casus == case_id).first()
    assert case_key is not None

    [done] = (await _sweep(keys, store)).done

    report = await _report_of(case_id)
    text: str = report["signed_text"]
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
    assert f"case: {case_id}" in text
    assert f"case key: {case_key['fingerprint']} (destroyed)" in text
    assert "objects deleted: 2\nobject versions deleted: 2" in text
    assert "  document: 1\n" in text
    assert "rule: timetable" in text
    for personal in (REFERENCE, FILE_NAME, PSEUDONYM, "MARKER", "Venlo", "toelichting", "Anna"):
        assert personal not in text
    # The case:destroy record points to the report: its id and the hash of its text.
    sha256 = hashlib.sha256(text.encode()).hexdigest()
    assert (report["sha256"], done.report_sha256, done.report_id) == (sha256, sha256, report["id"])
    [record] = await AuditEvent.select(AuditEvent.reason).where(
        (AuditEvent.action == "case:destroy") & (AuditEvent.case_id == str(case_id))
    )
    assert f"report {report['id']} sha256 {sha256}" in record["reason"]

    key = await SigningKey.select().where(SigningKey.purpose == AUDIT_KEY_PURPOSE).first()
    assert key is not None
    assert report["key_fingerprint"] == key["fingerprint"]
    imported = _gpg(outsider, "--import", data=key["public_key"].encode())
    assert imported.returncode == 0, imported.stderr
    good = _gpg(outsider, "--verify", data=text.encode())
    assert good.returncode == 0, good.stderr
    assert f"VALIDSIG {key['fingerprint']}".encode() in good.stdout
    tampered = text.replace("objects deleted: 2", "objects deleted: 0")
    assert tampered != text
    bad = _gpg(outsider, "--verify", data=tampered.encode())
    assert bad.returncode != 0
    assert b"BADSIG" in bad.stdout


async def test_a_failed_signature_rolls_the_erasure_back_and_the_next_sweep_keeps_one_of_each(
    database: str, keys: CaseKeys, store: ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures, report, record and erasure are one transaction: a failure inside it (here
    gpg's) leaves none of them, and the rerun writes each once."""
    case_id = await _a_decided_case(keys, store, reference=REFERENCE)
    sign_clear = SigningKeys.sign_clear

    def failing(*args: Any, **kwargs: Any) -> str:
        raise SigningFailed("gpg was killed")

    monkeypatch.setattr(SigningKeys, "sign_clear", failing)
    with pytest.raises(SigningFailed):
        await _sweep(keys, store)

    assert await CaseFiguresRow.count() == 0
    assert await DestructionReport.count() == 0
    assert await Document.count().where(Document.casus == case_id) == 1, "rolled back"
    assert await AuditEvent.count().where(AuditEvent.action == "case:destroy") == 0

    monkeypatch.setattr(SigningKeys, "sign_clear", sign_clear)
    await _sweep(keys, store, now=DUE + timedelta(days=1))
    await _sweep(keys, store, now=DUE + timedelta(days=2))

    assert await CaseFiguresRow.count() == 1
    report = await _report_of(case_id)
    # The key went before the failure: the rerun reports it without its fingerprint.
    assert "case key: destroyed by an earlier, interrupted run" in report["signed_text"]
    assert await AuditEvent.count().where(AuditEvent.action == "case:destroy") == 1
    assert await Document.count().where(Document.casus == case_id) == 0


async def test_the_figures_are_aggregated_per_month_once_there_are_enough_cases(
    database: str, keys: CaseKeys, store: ObjectStore
) -> None:
    for number in range(5):
        case_id = await _a_decided_case(keys, store, reference=f"ZVH-F-{number}")
        await Casus.update({Casus.closed_reason: "niet_toegelaten" if number else None}).where(
            Casus.id == case_id
        )
    await _sweep(keys, store)

    figures = await operator_figures(since=DUE.date(), until=DUE.date())
    before = await operator_figures(since=None, until=(DUE - timedelta(days=31)).date())

    [period] = figures.periods
    assert (period.first_month, period.cases, period.documents) == (f"{DUE:%Y-%m}", 5, 5)
    assert period.outcomes == {"afgeschaald": 1, "niet_toegelaten": 4}
    assert period.partij_kinds == {"college": 5}
    assert (before.periods, before.withheld) == ([], False)
