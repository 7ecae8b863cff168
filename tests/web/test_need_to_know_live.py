"""Need-to-know on the portal as deployed (issue #9): PostgreSQL, MinIO, gpg, a real server.

Access is "enkel voor zover noodzakelijk voor hun rol in een specifieke Casus" (art. 9.6):
per person and per case, never per partij or per role alone. Each finding of the issue is
one scenario here; "refused" means both the answer the API specifies and a record of the
refusal in ``audit_event``.

The cast (``portal demo``): Alice the procesregisseur, Carol the casusregisseur of Gemeente
Venlo who reports the case (its aanmelder), Dave a police partner and Jan his colleague,
Ida the police FG, Bob a GGZ participant, Karin a participant for Woonwenz, Erin the ZVH
manager, Frank the ZVH administratief.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from portal.db.tables import AuditEvent
from portal.domain.retention import add_months
from tests.servers.logs import secret
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.conftest import MovableClock
from tests.web.live import LivePortal, live_portal
from tests.web.live_api import (
    AANMELDING_UPLOAD,
    POLICE_REPORT,
    RTO_UPLOAD,
    ZVH,
    LiveApi,
    audit_records,
    awaited_records,
    last_seq,
    refusals,
    traceparent,
)
from tests.web.portal_client import PDF_HEAD, PortalClient

MIB = 1024 * 1024
NOT_FOUND = 404
REFUSED = {403, 404}


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"ntk_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        yield portal


@pytest.fixture(scope="module")
def api(live: LivePortal) -> Iterator[LiveApi]:
    with httpx.Client(base_url=live.base_url, timeout=120) as http:
        yield LiveApi(live=live, http=http)


def _case_in_rto(api: LiveApi, *, participants: tuple[str, ...]) -> dict[str, str]:
    """A case reported by Carol for Gemeente Venlo, in the RTO, with a grant per participant."""
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    case_id = str(case["id"])
    api.move_through(case_id, "triage")
    grants = {user: api.granted(case_id, user) for user in participants}
    api.move_through(case_id, "rto")
    return {"case": case_id, **grants}


def _pdf(size: int, seed: int) -> bytes:
    return PDF_HEAD + random.Random(seed).randbytes(size - len(PDF_HEAD))  # noqa: S311 - test data


def _forced_user(api: LiveApi, username: str, *, partij: str, role: str) -> str:
    """A user holding a ZVH role at another partij, forced into the database past the CLI.

    Defence in depth: should such a row ever exist (an old import, a hand edit), the rules
    must still give it nothing. Returns its API token.
    """
    added = api.live.cli(
        "user", "add", username, "--partij", partij, "--role", "deelnemer", "--vog",
        "--geheimhouding",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    api.psql(
        "UPDATE portal_user SET roles = :'roles' WHERE username = :'name';\n",
        roles=f'["{role}"]',
        name=username,
    )
    issued = api.live.cli("token", "create", username)
    if issued.returncode == 0:
        return issued.stdout.strip().splitlines()[-1]
    # The CLI may refuse a misconfigured user: store a token the way portal/db/tokens.py does.
    token = secrets.token_urlsafe(32)
    api.psql(
        'INSERT INTO api_token (id, "user", token_hash, label, created_at) '
        "SELECT :'id', id, :'hash', 'test', now() FROM portal_user WHERE username = :'name';\n",
        id=str(uuid.uuid4()),
        hash=hashlib.sha256(token.encode()).hexdigest(),
        name=username,
    )
    return token


# Finding 1 ------------------------------------------------------------------------------


async def test_art11_2a_an_afgeschaalde_case_is_for_the_zvh_administratief_not_a_housing_corporation(
    api: LiveApi, live: LivePortal
) -> None:
    """Finding 1: the restricted regime was granted on role alone, whatever the partij."""
    case = _case_in_rto(api, participants=("dave", "karin"))
    case_id = case["case"]
    report = api.uploaded(case_id, user="dave", metadata=POLICE_REPORT, file_name="pv.pdf")
    moved = api.move(case_id, "afschaling", decided_at=datetime.now(UTC))
    assert moved.status_code in {200, 201}, moved.text

    refused = api.live.cli(
        "user", "add", "woonadmin", "--partij", "Woonwenz", "--role", "administratief",
        "--vog", "--geheimhouding",
    )  # fmt: skip
    assert refused.returncode != 0
    assert "administratief" in refused.stdout + refused.stderr
    assert "woonadmin" not in api.psql("SELECT username FROM portal_user;\n").split()

    token = _forced_user(api, "woonadmin", partij="Woonwenz", role="administratief")
    api.live.tokens["woonadmin"] = token
    before = await last_seq(live)
    assert case_id not in api.listed_case_ids("woonadmin")
    assert api.case(case_id, user="woonadmin").status_code in REFUSED
    assert api.case_documents(case_id, user="woonadmin").status_code in REFUSED
    assert api.document(report, user="woonadmin").status_code in REFUSED
    download = api.download(
        report, user="woonadmin", purpose="overdracht", justification=secret("woonadmin")
    )
    assert download.status_code in REFUSED
    assert PDF_HEAD not in download.content
    on_record = await refusals(live, after=before, actor="woonadmin")
    assert any(action.startswith("case:") for action in on_record), on_record
    assert await refusals(live, after=before, actor="woonadmin", document_id=report)

    # Karin took part for Woonwenz; afschaling ended that at once.
    before = await last_seq(live)
    assert api.case(case_id, user="karin").status_code == NOT_FOUND
    assert await refusals(live, after=before, actor="karin", case_id=case_id)

    # The ZVH's own administratief keeps access for the first six months (art. 11.2a).
    assert api.case_documents(case_id, user="frank").status_code == 200
    assert case_id in api.listed_case_ids("frank")


# Finding 2 ------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["jan", "ida"], ids=["colleague", "fg"])
async def test_art9_6_provider_colleague_and_fg_see_nothing_of_the_case(
    api: LiveApi, live: LivePortal, outsider: str
) -> None:
    """Finding 2: every user of a providing partij read its documents and the whole case."""
    case = _case_in_rto(api, participants=("dave",))
    case_id = case["case"]
    report = api.uploaded(
        case_id, user="dave", metadata=POLICE_REPORT, file_name="proces-verbaal-4471.pdf"
    )
    own = api.download(report, user="dave", purpose="toestandsbeeld", justification=secret("pv"))
    assert own.status_code == 200, own.text

    before = await last_seq(live)
    assert case_id not in api.listed_case_ids(outsider)
    answers = [
        api.case(case_id, user=outsider),
        api.case_documents(case_id, user=outsider),
        api.http.get(f"/api/v1/cases/{case_id}/grants", headers=api.auth(outsider)),
    ]
    assert [answer.status_code for answer in answers] == [NOT_FOUND] * len(answers)
    for answer in answers:
        assert "proces-verbaal-4471" not in answer.text
    download = api.download(
        report, user=outsider, purpose="toestandsbeeld", justification=secret(outsider)
    )
    metadata = api.document(report, user=outsider)
    if outsider == "jan":
        # Art. 2.1, 3.5c: a partner of the providing partij stays controller of its document
        # and sees that one document's metadata (to re-approve it, decide its further use),
        # but reading its contents needs a part in the case.
        assert metadata.status_code == 200
        assert download.status_code == 403
        assert "part in the case" in download.json()["detail"]
    else:
        # Art. 24.4: the FG supervises; it is no controller and reads nothing of the case.
        assert [metadata.status_code, download.status_code] == [NOT_FOUND, NOT_FOUND]
        assert "proces-verbaal-4471" not in metadata.text + download.text
    assert await refusals(live, after=before, actor=outsider, case_id=case_id)
    assert await refusals(live, after=before, actor=outsider, document_id=report)


# Finding 3 ------------------------------------------------------------------------------


async def test_art11_2b_a_manager_sees_no_case_it_has_no_part_in_and_only_the_zvh_withdraws(
    api: LiveApi, live: LivePortal
) -> None:
    """Finding 3: a manager of any partij saw every case, admitted itself, withdrew partijen.

    The archive half is ``test_art11_2b_the_manager_admits_others_to_the_archive_never_itself``.
    """
    open_case = _case_in_rto(api, participants=("bob",))["case"]
    api.uploaded(open_case, user="bob", metadata=RTO_UPLOAD, file_name="ggz-beeld-9113.pdf")
    before = await last_seq(live)
    # The register entry (reference, phase, dates, assignees) is the manager's to see; the
    # case itself (its documents, file names and grants) is not (art. 9.6, 11.2b).
    entry = api.case(open_case, user="erin")
    assert entry.status_code in {200, NOT_FOUND}
    answers = [
        api.case_documents(open_case, user="erin"),
        api.http.get(f"/api/v1/cases/{open_case}/grants", headers=api.auth("erin")),
    ]
    assert [answer.status_code for answer in answers] == [NOT_FOUND] * len(answers)
    for answer in (entry, *answers):
        assert "ggz-beeld-9113" not in answer.text
        assert "grants" not in answer.json()
    assert len(await refusals(live, after=before, actor="erin", case_id=open_case)) >= 2

    # A manager outside the ZVH, forced past the CLI, withdraws nothing and sees nothing.
    api.live.tokens["venlomanager"] = _forced_user(
        api, "venlomanager", partij="Gemeente Venlo", role="manager"
    )
    nester = api.partij_id("Nester")
    before = await last_seq(live)
    withdraw = api.http.post(
        f"/api/v1/partijen/{nester}/withdraw", headers=api.auth("venlomanager")
    )
    assert withdraw.status_code in REFUSED
    assert api.case(open_case, user="venlomanager").status_code in REFUSED
    assert open_case not in api.listed_case_ids("venlomanager")
    on_record = await refusals(live, after=before, actor="venlomanager")
    assert "partij:withdraw:denied" in on_record
    assert any(action.startswith("case:") for action in on_record), on_record
    statuses = {p["name"]: p["status"] for p in api.http.get(
        "/api/v1/partijen", headers=api.auth("alice")).json()}  # fmt: skip
    assert statuses["Nester"] == "active"


async def test_art11_2b_the_manager_admits_others_to_the_archive_never_itself(
    portal: PortalClient, clock: MovableClock
) -> None:
    """Finding 3, the archive: in process (SQLite), on the movable clock.

    The live server runs on the real clock, and decided_at may not lie before the case's
    last phase change, so a case moved through its phases today reaches the archive only
    in six months: the clock has to move, which only the in-process portal allows. Its
    reasons go to no server log, so they are not made with ``secret``.
    """
    created = await portal.http.post(
        "/api/v1/cases",
        json={
            "reference": f"ARCHIEF-{time.time_ns()}",
            "reported_by": portal.partij_ids["Gemeente Venlo"],
            "aanmelder": "carol",
        },
        headers=portal.auth("alice"),
    )
    assert created.status_code == 201, created.text
    case_id = str(created.json()["id"])
    for to in ("triage", "rto", "afschaling"):
        body: dict[str, Any] = {"to": to, "reason": f"besluit {to}"}
        if to == "afschaling":
            body["decided_at"] = clock.now.isoformat()
        moved = await portal.http.post(
            f"/api/v1/cases/{case_id}/phase", json=body, headers=portal.auth("alice")
        )
        assert moved.status_code in {200, 201}, moved.text
        clock.advance(minutes=1)
    clock.move_to(add_months(clock.now, 7))
    until = (clock.now + timedelta(days=30)).isoformat()
    admissions = f"/api/v1/cases/{case_id}/archive-admissions"

    itself = await portal.http.post(
        admissions,
        json={"user": "erin", "reason": "eigen inzage", "until": until},
        headers=portal.auth("erin"),
    )
    assert itself.status_code == 409, itself.text
    refused = await AuditEvent.select(AuditEvent.action).where(
        (AuditEvent.actor_username == "erin")
        & (AuditEvent.outcome == "deny")
        & (AuditEvent.case_id == case_id)
    )
    assert refused, "the manager's self-admission is not on record"
    # Henk, a procesregisseur not on the case, may see its register entry; the case itself
    # (its documents) only once admitted.
    documents = f"/api/v1/cases/{case_id}/documents"
    assert (await portal.http.get(documents, headers=portal.auth("henk"))).status_code == NOT_FOUND
    admitted = await portal.http.post(
        admissions,
        json={"user": "henk", "reason": "inzageverzoek van betrokkene", "until": until},
        headers=portal.auth("erin"),
    )
    assert admitted.status_code in {200, 201, 204}, admitted.text
    assert (await portal.http.get(documents, headers=portal.auth("henk"))).status_code == 200
    # Past six months the administratief's access of art. 11.2a has ended.
    assert (await portal.http.get(documents, headers=portal.auth("frank"))).status_code == NOT_FOUND


# Finding 4 ------------------------------------------------------------------------------


async def test_art9_6_a_revoked_participant_sees_nothing_of_the_case_not_even_later_uploads(
    api: LiveApi, live: LivePortal
) -> None:
    """Finding 4: a revoked participant kept the case, including files uploaded afterwards."""
    case = _case_in_rto(api, participants=("bob",))
    case_id = case["case"]
    # Alice provides them: a police document would need a justification, beside the point here.
    earlier = api.uploaded(case_id, user="alice", metadata=RTO_UPLOAD, file_name="eerder.pdf")
    assert api.download(earlier, user="bob", purpose="toestandsbeeld").status_code == 200

    revoked = api.revoke(case["bob"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False
    later = api.uploaded(case_id, user="alice", metadata=RTO_UPLOAD, file_name="later.pdf")

    before = await last_seq(live)
    assert case_id not in api.listed_case_ids("bob")
    answers = [api.case(case_id, user="bob"), api.case_documents(case_id, user="bob")]
    for document in (earlier, later):
        answers.append(api.document(document, user="bob"))
        answers.append(api.download(document, user="bob", purpose="toestandsbeeld"))
    assert [answer.status_code for answer in answers] == [NOT_FOUND] * len(answers)
    assert "later.pdf" not in "".join(answer.text for answer in answers)
    assert await refusals(live, after=before, actor="bob", case_id=case_id)
    for document in (earlier, later):
        assert await refusals(live, after=before, actor="bob", document_id=document)


# Finding 5 ------------------------------------------------------------------------------


async def test_eight_simultaneous_grants_for_one_user_make_exactly_one(
    api: LiveApi, live: LivePortal
) -> None:
    """Finding 5: six simultaneous grants for one user created six active grants."""
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    case_id = str(case["id"])
    api.move_through(case_id, "triage")
    before = await last_seq(live)
    async with httpx.AsyncClient(base_url=live.base_url, timeout=60) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/cases/{case_id}/grants",
                    json={"user": "bob"},
                    headers=live.auth("alice"),
                )
                for _ in range(8)
            )
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 7, [answer.text for answer in answers]

    bob = api.psql("SELECT id FROM portal_user WHERE username = 'bob';\n")
    grants = api.http.get(f"/api/v1/cases/{case_id}/grants", headers=api.auth("alice")).json()
    assert [g["active"] for g in grants if str(g["user_id"]) == bob] == [True]
    rows = api.psql(
        "SELECT count(*) FROM access_grant WHERE casus = :'case' AND \"user\" = :'bob';\n",
        case=case_id,
        bob=bob,
    )
    assert rows == "1"
    assert len(await refusals(live, after=before, actor="alice", case_id=case_id)) == 7


# Finding 6 (NOW) --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def screening_document(api: LiveApi) -> tuple[str, bytes]:
    """A 3 MiB document Carol provided at aanmelding, which Alice reads for the screening."""
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    content = _pdf(3 * MIB, seed=6)
    document = api.uploaded(
        str(case["id"]), user="carol", metadata=AANMELDING_UPLOAD, content=content
    )
    return document, content


def _address(live: LivePortal) -> tuple[str, int]:
    host, port = live.base_url.removeprefix("http://").split(":")
    return host, int(port)


def _raw_get(
    live: LivePortal, path: str, *, user: str, trace: str, body_bytes: int | None
) -> tuple[bytes, bytes]:
    """GET over a bare socket: headers, then ``body_bytes`` of the body (all when None),
    then close at once, as a client that has what it was promised does."""
    host, port = _address(live)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        # A small receive window, so a cut-off client really leaves the server unfinished.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        connection.settimeout(60)
        connection.connect((host, port))
        connection.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Bearer {live.tokens[user]}\r\ntraceparent: {trace}\r\n"
                "Connection: keep-alive\r\n\r\n"
            ).encode()
        )
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            assert chunk, "the server closed before its headers"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        wanted = length if body_bytes is None else body_bytes
        while len(body) < wanted:
            chunk = connection.recv(min(65536, wanted - len(body)))
            assert chunk, "the server closed before the end of the body"
            body += chunk
        return head, body[:wanted]


def _curl(live: LivePortal, url: str, *, user: str, trace: str, out: Path) -> None:
    subprocess.run(
        ["/usr/bin/curl", "--silent", "--show-error", "--fail", "--output", str(out),
         "--header", f"Authorization: Bearer {live.tokens[user]}",
         "--header", f"traceparent: {trace}", url],
        check=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("client", ["curl", "httpx", "socket-closing-after-the-last-byte"])
async def test_art8_a_download_read_to_the_last_byte_is_recorded_complete(
    api: LiveApi,
    live: LivePortal,
    screening_document: tuple[str, bytes],
    client: str,
    tmp_path: Path,
) -> None:
    """Finding 6: downloads read to the last byte were recorded ``document:download:failed``."""
    document, content = screening_document
    header, trace_id = traceparent()
    path = f"/api/v1/documents/{document}/content?purpose=screening"
    if client == "curl":
        out = tmp_path / "download.pdf"
        _curl(live, live.base_url + path, user="alice", trace=header, out=out)
        received = out.read_bytes()
    elif client == "httpx":
        async with httpx.AsyncClient(base_url=live.base_url, timeout=60) as http:
            response = await http.get(path, headers={**live.auth("alice"), "traceparent": header})
        assert response.status_code == 200, response.text
        received = response.content
    else:
        head, received = _raw_get(live, path, user="alice", trace=header, body_bytes=None)
        assert head.startswith(b"HTTP/1.1 200")
    assert hashlib.sha256(received).digest() == hashlib.sha256(content).digest()

    permit = await audit_records(live, trace_id=trace_id, action="document:download")
    assert [row["document_id"] for row in permit] == [document]
    ended = await awaited_records(
        live, trace_id=trace_id, action="document:download:complete", document_id=document
    )
    every = [(row["action"], row["reason"]) for row in await audit_records(live, trace_id=trace_id)]
    assert len(ended) == 1, every
    assert not await audit_records(live, trace_id=trace_id, action="document:download:failed")


async def test_art8_a_download_cut_off_before_the_end_stays_failed(
    api: LiveApi, live: LivePortal
) -> None:
    case = api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")
    content = _pdf(24 * MIB, seed=66)
    document = api.uploaded(
        str(case["id"]), user="carol", metadata=AANMELDING_UPLOAD, content=content
    )
    header, trace_id = traceparent()
    path = f"/api/v1/documents/{document}/content?purpose=screening"
    head, received = _raw_get(live, path, user="alice", trace=header, body_bytes=MIB)
    assert head.startswith(b"HTTP/1.1 200")
    assert received == content[:MIB]

    ended = await awaited_records(
        live, within=30, trace_id=trace_id, action="document:download:failed"
    )
    assert [row["document_id"] for row in ended] == [document]
    assert not await audit_records(live, trace_id=trace_id, action="document:download:complete")


# Finding 7 (NOW) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "purpose", ["s" * 41, "screening\x00"], ids=["purpose-over-40-characters", "purpose-with-nul"]
)
async def test_a_download_with_a_malformed_purpose_is_refused_400_and_on_record(
    api: LiveApi, live: LivePortal, screening_document: tuple[str, bytes], purpose: str
) -> None:
    """Finding 7: on PostgreSQL this answered 503 and left no record at all."""
    document, _ = screening_document
    before = await last_seq(live)
    # httpx sends the NUL as %00, as any client must.
    response = api.http.get(
        f"/api/v1/documents/{document}/content",
        params={"purpose": purpose},
        headers=api.auth("alice"),
    )
    assert response.status_code == 400, response.text
    on_record = await refusals(live, after=before, actor="alice", document_id=document)
    assert on_record == ["document:download:denied"]


# Finding 8 --------------------------------------------------------------------------------


async def test_justifications_and_reasons_travel_in_the_body_never_in_the_url(
    api: LiveApi, live: LivePortal
) -> None:
    """Finding 8: they travelled in the URL and so landed in the server's access log.

    The one sent in the URL below is marked too: the portal must refuse it and must not
    write it into its own log either (the log scan at the end of the session checks that).
    """
    case = _case_in_rto(api, participants=("dave", "bob"))
    case_id = case["case"]
    report = api.uploaded(case_id, user="dave", metadata=POLICE_REPORT, file_name="pv.pdf")
    url = f"/api/v1/documents/{report}/content"

    before = await last_seq(live)
    in_url = api.http.get(
        url,
        params={"purpose": "toestandsbeeld", "justification": secret("in-de-url")},
        headers=api.auth("alice"),
    )
    assert in_url.status_code == 400, in_url.text
    assert await refusals(live, after=before, actor="alice", document_id=report)

    in_json = secret("json")
    as_json = api.http.post(
        url, json={"purpose": "toestandsbeeld", "justification": in_json},
        headers=api.auth("alice"),
    )  # fmt: skip
    assert as_json.status_code == 200, as_json.text
    in_form = secret("formulier")
    as_form = api.http.post(
        url, data={"purpose": "toestandsbeeld", "justification": in_form},
        headers=api.auth("alice"),
    )  # fmt: skip
    assert as_form.status_code == 200, as_form.text
    permits = await audit_records(
        live, after=before, action="document:download", document_id=report
    )
    assert [row["justification"] for row in permits] == [in_json, in_form]

    revoked = api.revoke(case["bob"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert await audit_records(live, after=before, action="grant:revoke", case_id=case_id)


async def test_the_portal_log_shows_every_request_line_so_the_log_scan_sees_a_leak(
    api: LiveApi, live: LivePortal
) -> None:
    """The end-of-session scan is only worth something if the access log is on (NOW)."""
    probe = f"/api/v1/cases/{uuid.uuid4()}"
    assert api.http.get(probe, headers=api.auth("alice")).status_code == NOT_FOUND
    deadline = time.monotonic() + 10
    while probe.encode() not in live.server_log.read_bytes():
        assert time.monotonic() < deadline, "the portal's access log does not show requests"
        await asyncio.sleep(0.2)


def test_partijen_name_the_zvh(api: LiveApi) -> None:
    """The cast this module relies on: one ZVH partij (spec of issue #9)."""
    response = api.http.get("/api/v1/partijen", headers=api.auth("alice"))
    assert response.status_code == 200, response.text
    partijen: list[dict[str, Any]] = response.json()
    assert [p["kind"] for p in partijen if p["name"] == ZVH] == ["zvh"]
