"""Legal holds, early destruction, the calendar and a provider's removal on the portal as
deployed: PostgreSQL and a versioned MinIO bucket (issue "Retention", points 6, 7, 8).

Done when: a held case survives the 12-month sweep and goes with the first sweep after the
hold is lifted. The sweep runs as the operator would, with ``--now`` a year on.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig

from portal.domain.retention import add_months
from tests.servers.logs import secret
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal
from tests.web.live_api import POLICE_REPORT, LiveApi, audit_records, last_seq

MANAGER, PROCESREGISSEUR, DEELNEMER, PROVIDER = "erin", "alice", "bob", "dave"


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"hold_{int(time.time() * 1000) % 10**9}")
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


def _second_version(live: LivePortal, key: str) -> None:
    response = live.minio.get_object(bucket_name=live.bucket, object_name=key)
    try:
        copy = bytes(response.read())
    finally:
        response.close()
        response.release_conn()
    live.minio.put_object(
        bucket_name=live.bucket, object_name=key, data=io.BytesIO(copy), length=len(copy)
    )


def _case_with_a_document(api: LiveApi) -> tuple[str, str, datetime]:
    """A case past afschaling with dave's document in two object versions."""
    case_id = str(api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")["id"])
    api.move_through(case_id, "triage")
    api.granted(case_id, PROVIDER)
    api.move_through(case_id, "rto")
    document_id = api.uploaded(case_id, user=PROVIDER, metadata=POLICE_REPORT)
    decided = datetime.now(UTC)
    moved = api.move(case_id, "afschaling", decided_at=decided)
    assert moved.status_code in {200, 201}, moved.text
    _second_version(api.live, f"cases/{case_id}/{document_id}.pgp")
    assert len(_versions(api.live, f"cases/{case_id}/")) == 2
    return case_id, document_id, decided


def _post(api: LiveApi, path: str, *, user: str, reason: str | None = None) -> httpx.Response:
    body = {"reason": reason if reason is not None else secret("reden")}
    return api.http.post(f"/api/v1{path}", json=body, headers=api.auth(user))


def _count(api: LiveApi, table: str, column: str, value: str) -> str:
    return api.psql(
        f"SELECT count(*) FROM {table} WHERE {column} = :'v';\n",  # noqa: S608 - our own names
        v=value,
    )


def _calendar(api: LiveApi, user: str, **params: str) -> list[dict[str, Any]]:
    response = api.http.get("/api/v1/retention", params=params, headers=api.auth(user))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def _records(api: LiveApi, *, after: int, **equal: str) -> list[dict[str, Any]]:
    return asyncio.run(audit_records(api.live, after=after, **equal))


def _held_by_the_manager(api: LiveApi, case_id: str, *, start: int) -> None:
    # Only the manager holds: the procesregisseur is refused on record, a deelnemer does
    # not learn the case exists.
    refused = _post(api, f"/cases/{case_id}/legal-hold", user=PROCESREGISSEUR)
    assert refused.status_code == 403, refused.text
    hidden = _post(api, f"/cases/{case_id}/legal-hold", user=DEELNEMER)
    assert hidden.status_code == 404, hidden.text
    assert [r["actor_username"] for r in _records(api, after=start, action="case:hold:denied")] == [
        PROCESREGISSEUR
    ]
    assert _records(api, after=start, action="case:read:denied", actor_username=DEELNEMER)

    held = _post(api, f"/cases/{case_id}/legal-hold", user=MANAGER)
    assert held.status_code == 201, held.text
    twice = _post(api, f"/cases/{case_id}/legal-hold", user=MANAGER)
    assert twice.status_code == 409, twice.text
    [placed] = _records(api, after=start, action="case:hold", case_id=case_id)
    assert placed["actor_username"] == MANAGER
    shown = api.case(case_id, user=PROCESREGISSEUR).json()
    assert shown["held"] is True
    assert shown["held_since"] == held.json()["placed_at"]


def _on_the_calendars(api: LiveApi, case_id: str, *, due: datetime) -> None:
    # Art. 9.4: on the calendar of its procesregisseur and the manager, held; a deelnemer's
    # calendar is empty.
    [entry] = [e for e in _calendar(api, PROCESREGISSEUR) if e["case_id"] == case_id]
    assert (entry["held"], entry["regime"], entry["next_event"]) == (True, "restricted", "archive")
    assert case_id in {e["case_id"] for e in _calendar(api, MANAGER)}
    assert _calendar(api, DEELNEMER) == []
    assert case_id in {e["case_id"] for e in _calendar(api, PROCESREGISSEUR, until=str(due.date()))}
    before = add_months(due, -6) - timedelta(days=1)
    assert case_id not in {e["case_id"] for e in _calendar(api, MANAGER, until=str(before.date()))}


def test_a_held_case_survives_the_12_month_sweep_and_goes_with_the_first_after_the_lift(
    api: LiveApi,
) -> None:
    live = api.live
    case_id, _, decided = _case_with_a_document(api)
    prefix = f"cases/{case_id}/"
    due = add_months(decided, 12)
    start = asyncio.run(last_seq(live))
    _held_by_the_manager(api, case_id, start=start)
    _on_the_calendars(api, case_id, due=due)

    # Early destruction is refused while the case is held.
    early = _post(api, f"/cases/{case_id}/destroy", user=PROCESREGISSEUR)
    assert early.status_code == 409, early.text
    assert _records(api, after=start, action="case:destroy-early:denied", case_id=case_id)

    dry = live.cli("retention", "sweep", "--now", due.isoformat(), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"held case {case_id}" in dry.stdout
    assert f"would destroy case {case_id}" not in dry.stdout
    swept = live.cli("retention", "sweep", "--now", due.isoformat())
    assert swept.returncode == 0, swept.stderr
    assert f"held case {case_id}: due {due:%Y-%m-%d}, under a legal hold since" in swept.stdout
    assert f"destroyed case {case_id}" not in swept.stdout
    assert "VERTROUWELIJK" not in swept.stdout, "the hold's reason stays out of the output"
    # Everything is still there: both object versions, the key, the rows.
    assert len(_versions(live, prefix)) == 2
    assert _count(api, "case_key", "casus", case_id) == "1"
    assert _count(api, "document", "casus", case_id) == "1"
    assert not _records(api, after=start, action="case:destroy", case_id=case_id)
    calendar = live.cli("retention", "calendar", "--now", due.isoformat(), "--json")
    assert calendar.returncode == 0, calendar.stderr
    assert case_id in calendar.stdout

    lifted = _post(api, f"/cases/{case_id}/legal-hold/lift", user=MANAGER)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lifted_at"] is not None
    assert _records(api, after=start, action="case:release-hold", case_id=case_id)
    assert api.case(case_id, user=PROCESREGISSEUR).json()["held"] is False

    after = live.cli("retention", "sweep", "--now", (due + timedelta(days=1)).isoformat())
    assert after.returncode == 0, after.stderr
    assert f"destroyed case {case_id}: objects 1, versions 2" in after.stdout
    assert _versions(live, prefix) == []
    for table in ("case_key", "document", "legal_hold", "access_grant"):
        assert _count(api, table, "casus", case_id) == "0", table
    assert len(_records(api, after=start, action="case:destroy", case_id=case_id)) == 1

    # A hold asked for once the case is gone is refused with the reason, not "no case".
    too_late = _post(api, f"/cases/{case_id}/legal-hold", user=MANAGER)
    assert too_late.status_code == 409, too_late.text
    assert "destroyed on" in too_late.json()["detail"]
    verified = live.cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_art9_4_the_procesregisseur_destroys_a_decided_case_early_on_record(api: LiveApi) -> None:
    live = api.live
    case_id, _, _ = _case_with_a_document(api)
    start = asyncio.run(last_seq(live))

    refused = _post(api, f"/cases/{case_id}/destroy", user="henk")  # not its procesregisseur
    assert refused.status_code == 403, refused.text
    destroyed = _post(api, f"/cases/{case_id}/destroy", user=PROCESREGISSEUR)

    assert destroyed.status_code == 200, destroyed.text
    assert (destroyed.json()["versions"], destroyed.json()["key_destroyed"]) == (2, True)
    assert _versions(live, f"cases/{case_id}/") == []
    for table in ("case_key", "document", "access_grant"):
        assert _count(api, table, "casus", case_id) == "0", table
    tombstone = api.psql("SELECT reference FROM casus WHERE id = :'id';\n", id=case_id)
    assert tombstone == f"vernietigd-{case_id}"
    [decision] = _records(api, after=start, action="case:destroy-early", case_id=case_id)
    [done] = _records(api, after=start, action="case:destroy", case_id=case_id)
    assert decision["actor_username"] == done["actor_username"] == PROCESREGISSEUR
    assert "versions 2" in done["reason"]
    assert _records(api, after=start, action="case:destroy-early:denied", actor_username="henk")
    assert api.case(case_id, user=PROCESREGISSEUR).status_code == 404


def test_an_open_case_is_not_destroyed_early(api: LiveApi) -> None:
    case_id = str(api.register_case(reported_by="Gemeente Venlo", aanmelder="carol")["id"])

    refused = _post(api, f"/cases/{case_id}/destroy", user=PROCESREGISSEUR)

    assert refused.status_code == 409, refused.text
    assert _count(api, "case_key", "casus", case_id) == "1"


def test_art2_1_the_provider_removes_its_own_document_every_version(api: LiveApi) -> None:
    live = api.live
    case_id, document_id, _ = _case_with_a_document(api)
    key = f"cases/{case_id}/{document_id}.pgp"
    start = asyncio.run(last_seq(live))

    not_theirs = _post(api, f"/documents/{document_id}/remove", user=PROCESREGISSEUR)
    assert not_theirs.status_code == 403, not_theirs.text
    assert len(_versions(live, key)) == 2
    removed = _post(api, f"/documents/{document_id}/remove", user=PROVIDER)

    assert removed.status_code == 200, removed.text
    assert removed.json()["versions"] == 2
    assert _versions(live, key) == []
    assert _count(api, "document", "id", document_id) == "0"
    assert _count(api, "case_key", "casus", case_id) == "1", "the case itself stays"
    [record] = _records(api, after=start, action="document:remove", document_id=document_id)
    assert record["actor_username"] == PROVIDER
    assert _records(api, after=start, action="document:remove:denied", document_id=document_id)
    assert api.document(document_id, user=PROVIDER).status_code == 404
