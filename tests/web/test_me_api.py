"""Who am I, which partijen are there, and my own OpenPGP key, through the API.

The cast: Alice the procesregisseur; Bob, a deelnemer at a GGZ institution; Carol, a
casusregisseur at the municipality, who provides the document.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.db import partijen as partijen_db
from portal.db.tables import AuditEvent
from tests.web.portal_client import PortalClient, pdf_bytes

KEYS = Path(__file__).parent.parent / "keys"
ENCRYPTING = (KEYS / "bob-encrypting.pub.asc").read_text()
SIGN_ONLY = (KEYS / "sign-only.pub.asc").read_text()


async def test_me_names_my_partij_roles_and_grants_with_their_ends(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-ME-1", phase="triage", granted=("bob",))
    other = await portal.create_case("ZVH-ME-2", granted=())
    response = await portal.http.get("/api/v1/me", headers=portal.auth("bob"))
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["username"] == "bob"
    assert me["partij"]["name"] == "Vincent van Gogh voor geestelijke gezondheid"
    assert me["partij"]["id"] == portal.partij_ids[me["partij"]["name"]]
    assert me["roles"] == ["deelnemer"]
    assert me["screened"] is True
    assert me["has_openpgp_key"] is False
    assert [case["id"] for case in me["cases"]] == [case_id]
    assert other not in [case["id"] for case in me["cases"]]
    (grant,) = me["grants"]
    assert grant["case_id"] == case_id
    assert grant["case_reference"] == "ZVH-ME-1"
    assert grant["active"] is True
    assert grant["ends_at"] is None  # until afschaling, which has not been decided yet


async def test_me_shows_a_revoked_grant_as_ended(portal: PortalClient) -> None:
    case_id = await portal.create_case("ZVH-ME-3", phase="triage")
    grant_id = await portal.grant(case_id, "bob")
    revoked = await portal.http.post(
        f"/api/v1/grants/{grant_id}/revoke", json={"reason": "klaar"}, headers=portal.auth("alice")
    )
    assert revoked.status_code == 200
    (grant,) = (await portal.http.get("/api/v1/me", headers=portal.auth("bob"))).json()["grants"]
    assert grant["active"] is False
    assert grant["ends_at"] == revoked.json()["revoked_at"]


async def test_every_signed_in_user_can_list_the_partijen(portal: PortalClient) -> None:
    response = await portal.http.get("/api/v1/partijen", headers=portal.auth("bob"))
    assert response.status_code == 200
    assert {p["name"]: p["id"] for p in response.json()} == portal.partij_ids
    assert (await portal.http.get("/api/v1/partijen")).status_code == 401


async def test_an_encrypting_key_is_registered_and_shown_in_me(portal: PortalClient) -> None:
    response = await portal.http.put(
        "/api/v1/me/openpgp-key", json={"public_key": ENCRYPTING}, headers=portal.auth("bob")
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["fingerprint"]) == 40
    me = (await portal.http.get("/api/v1/me", headers=portal.auth("bob"))).json()
    assert me["has_openpgp_key"] is True
    row = await AuditEvent.select().where(AuditEvent.action == "user:register-key").first()
    assert row is not None
    assert response.json()["fingerprint"] in row["reason"]


@pytest.mark.parametrize(
    ("public_key", "says"),
    [
        pytest.param(SIGN_ONLY, "no usable encryption key", id="sign-only"),
        pytest.param("not a key at all", "found 0 key(s)", id="garbage"),
        pytest.param(ENCRYPTING + SIGN_ONLY, "found 2 key(s)", id="two-keys"),
        # Found by the fuzzing (test_api_fuzzing.py): a 500 while python-gnupg encoded it.
        pytest.param("\U000312b2" + ENCRYPTING, "ASCII", id="not-ascii"),
    ],
)
async def test_a_key_that_cannot_encrypt_is_refused(
    portal: PortalClient, public_key: str, says: str
) -> None:
    response = await portal.http.put(
        "/api/v1/me/openpgp-key", json={"public_key": public_key}, headers=portal.auth("bob")
    )
    assert response.status_code == 400, response.text
    assert says in response.json()["detail"]
    me = (await portal.http.get("/api/v1/me", headers=portal.auth("bob"))).json()
    assert me["has_openpgp_key"] is False
    assert await AuditEvent.count().where(AuditEvent.action == "user:register-key:denied") == 1


@pytest.fixture
def bob_home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="gk-", dir="/tmp"))
    subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--import", str(KEYS / "bob-encrypting.sec.asc")],
        capture_output=True, check=True,
    )  # fmt: skip
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    shutil.rmtree(home, ignore_errors=True)


async def test_a_key_registered_through_the_api_is_used_by_delivery_pgp(
    portal: PortalClient, bob_home: Path
) -> None:
    case_id = await portal.create_case("ZVH-ME-4", reported_by="Gemeente Venlo", aanmelder="carol")
    content = pdf_bytes(b"alleen voor bob " * 200)
    doc = (await portal.upload(case_id, content, user="carol")).json()["id"]
    # Alice registers the key (one the test holds the secret of) and takes delivery with it.
    registered = await portal.http.put(
        "/api/v1/me/openpgp-key", json={"public_key": ENCRYPTING}, headers=portal.auth("alice")
    )
    assert registered.status_code == 200
    response = await portal.download(doc, user="alice", justification=None, delivery="pgp")
    assert response.status_code == 200, response.text
    assert b"alleen voor bob" not in response.content
    decrypted = subprocess.run(
        ["gpg", "--homedir", str(bob_home), "--batch", "--decrypt"],
        input=response.content, capture_output=True, check=True,
    )  # fmt: skip
    assert decrypted.stdout == content


async def test_a_registered_key_that_cannot_encrypt_is_refused_409_before_any_permit(
    portal: PortalClient,
) -> None:
    case_id = await portal.create_case("ZVH-ME-5", reported_by="Gemeente Venlo", aanmelder="carol")
    doc = (await portal.upload(case_id, pdf_bytes(), user="carol")).json()["id"]
    alice = await partijen_db.user_by_username("alice")
    assert alice is not None
    # A key that slipped past registration (set in the database directly) cannot encrypt.
    await partijen_db.set_user_public_key(user_id=alice.id, armored=SIGN_ONLY)
    response = await portal.download(doc, user="alice", justification=None, delivery="pgp")
    assert response.status_code == 409, response.text
    assert "cannot be encrypted to" in response.json()["detail"]
    assert await AuditEvent.count().where(AuditEvent.action == "document:download") == 0
    assert await AuditEvent.count().where(AuditEvent.action == "document:download:denied") == 1
