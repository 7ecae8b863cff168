"""Grants, archive admissions and the hand-over, table by table, each with its article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain import access
from portal.domain.access import CaseFacts
from portal.domain.cases import Phase
from portal.domain.documents import DocumentId
from portal.domain.grants import ArchiveAdmission, GrantEnd, handover_window_ends
from portal.domain.partijen import Actor, PartijStatus, Role
from portal.domain.retention import add_months
from portal.domain.rules import Decision
from tests.unit import cast

NOW = cast.OPEN_NOW
ALICE = cast.ALICE
DOCS = frozenset({cast.DOCUMENT_ID, cast.OTHER_DOCUMENT_ID})
ARCHIVED_NOW = add_months(cast.AFSCHALING, 7)
RESTRICTED_NOW = add_months(cast.AFSCHALING, 1)


def decided(decision: Decision) -> tuple[bool, str]:
    assert decision.reason
    return decision.allowed, decision.rule


def facts(phase: Phase = Phase.RTO, **kwargs: object) -> CaseFacts:
    return CaseFacts(case=cast.case(phase), document_ids=DOCS, **kwargs)  # type: ignore[arg-type]  # test-only keyword pass-through


def afschaled(*, admissions: tuple[ArchiveAdmission, ...] = ()) -> CaseFacts:
    return CaseFacts(
        case=cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING),
        document_ids=DOCS,
        admissions=admissions,
    )


# --- grants (art. 9.6) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grantee", "until", "documents", "rule"),
    [
        pytest.param(
            cast.actor(Role.DEELNEMER, screened=False),
            None,
            None,
            "grant:access:screening",
            id="art13.1-13.3-unscreened-grantee",
        ),
        pytest.param(
            cast.actor(Role.DEELNEMER, partij_status=PartijStatus.WITHDRAWN),
            None,
            None,
            "grant:access:partij-withdrawn",
            id="art27.3-withdrawn-grantee",
        ),
        pytest.param(
            cast.actor(Role.DEELNEMER, active=False),
            None,
            None,
            "grant:access:account",
            id="deactivated-grantee",
        ),
        pytest.param(
            cast.ROGUE, None, None, "grant:access:zvh-role", id="art1.22-zvh-role-elsewhere"
        ),
        pytest.param(cast.FIEN, None, None, "grant:grantee-role", id="art24.4-fg-never-reads"),
        pytest.param(
            cast.MARIA, None, None, "grant:grantee-role", id="art11.2b-manager-is-no-participant"
        ),
        pytest.param(
            cast.CHARLIE, NOW - timedelta(days=1), None, "grant:until", id="until-in-the-past"
        ),
        pytest.param(
            cast.CHARLIE, None, frozenset(), "grant:documents", id="art9.6-limit-to-no-document"
        ),
        pytest.param(
            cast.CHARLIE,
            None,
            frozenset({DocumentId(cast.CASE_ID)}),
            "grant:documents",
            id="art9.6-limit-to-a-foreign-document",
        ),
        pytest.param(cast.BOB, None, None, "grant:duplicate", id="one-active-grant-per-person"),
    ],
)
def test_who_cannot_be_granted(
    grantee: Actor, until: datetime | None, documents: frozenset[DocumentId] | None, rule: str
) -> None:
    f = facts(grants=(cast.grant(cast.BOB),))
    decision = access.may_grant(ALICE, grantee, f, until=until, documents=documents, now=NOW)
    assert decided(decision) == (False, rule)


def test_a_grant_may_be_limited_to_listed_documents_art9_6() -> None:
    limit = frozenset({cast.OTHER_DOCUMENT_ID})
    assert decided(
        access.may_grant(ALICE, cast.CHARLIE, facts(), until=None, documents=limit, now=NOW)
    ) == (True, "grant:create")
    limited = cast.grant(cast.CHARLIE, documents=limit)
    assert limited.covers(cast.OTHER_DOCUMENT_ID)
    assert not limited.covers(cast.DOCUMENT_ID)
    assert cast.grant(cast.CHARLIE).covers(cast.DOCUMENT_ID)


def test_an_expired_grant_does_not_block_a_new_one() -> None:
    f = facts(grants=(cast.grant(cast.EVE, until=cast.ENDED),))
    assert access.may_grant(ALICE, cast.EVE, f, until=None, documents=None, now=NOW).allowed


@pytest.mark.parametrize(
    ("who", "grant", "expected"),
    [
        pytest.param(
            ALICE, cast.grant(cast.BOB), (True, "grant:revoke"), id="art9.6-procesregisseur-revokes"
        ),
        pytest.param(
            cast.BOB, cast.grant(cast.BOB), (False, "grant:role"), id="art9.6-not-the-participant"
        ),
        pytest.param(
            cast.PETER,
            cast.grant(cast.BOB),
            (False, "case:not-assigned"),
            id="art1.22-unassigned-procesregisseur",
        ),
        pytest.param(
            ALICE,
            cast.grant(cast.BOB, revoked_at=cast.ENDED),
            (False, "grant:ended"),
            id="ended-already",
        ),
    ],
)
def test_revoking_a_grant(who: Actor, grant: object, expected: tuple[bool, str]) -> None:
    assert decided(access.may_revoke_grant(who, grant, facts(), now=NOW)) == expected  # type: ignore[arg-type]  # a Grant from the table


@pytest.mark.parametrize(
    ("grant_kwargs", "decided_at", "ends_at", "ended_by"),
    [
        pytest.param({}, None, None, None, id="open-ended"),
        pytest.param({"until": cast.ENDED}, None, cast.ENDED, GrantEnd.UNTIL, id="until"),
        pytest.param(
            {"until": cast.AFSCHALING, "revoked_at": cast.ENDED},
            None,
            cast.ENDED,
            GrantEnd.REVOKED,
            id="revoked-before-until",
        ),
        pytest.param(
            {"until": datetime(2027, 1, 1, tzinfo=UTC)},
            cast.AFSCHALING,
            cast.AFSCHALING,
            GrantEnd.AFSCHALING,
            id="art11.2a-afschaling-before-until",
        ),
    ],
)
def test_a_grants_computed_end(
    grant_kwargs: dict[str, datetime],
    decided_at: datetime | None,
    ends_at: datetime | None,
    ended_by: GrantEnd | None,
) -> None:
    the_case = cast.case(Phase.AFSCHALING if decided_at else Phase.RTO, decided_at=decided_at)
    g = cast.grant(
        cast.BOB, until=grant_kwargs.get("until"), revoked_at=grant_kwargs.get("revoked_at")
    )
    assert (g.ends_at(the_case), g.ended_by(the_case)) == (ends_at, ended_by)


def test_a_grant_ends_at_afschaling_whatever_its_until() -> None:
    g = cast.grant(cast.BOB, until=datetime(2027, 1, 1, tzinfo=UTC))
    the_case = cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING)
    assert not g.active(the_case, now=cast.AFSCHALING)
    assert g.active(the_case, now=cast.AFSCHALING - timedelta(seconds=1))


# --- archive admissions (art. 11.2b) ---------------------------------------------------------

REASON = "inzageverzoek van betrokkene"
UNTIL = add_months(cast.AFSCHALING, 9)


@pytest.mark.parametrize(
    ("who", "admittee", "reason", "until", "now", "expected"),
    [
        pytest.param(
            cast.MARIA,
            cast.CHARLIE,
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (True, "archive:admit"),
            id="art11.2b-manager-admits",
        ),
        pytest.param(
            ALICE,
            cast.CHARLIE,
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:role"),
            id="art11.2b-only-the-manager",
        ),
        pytest.param(
            cast.MARIA,
            cast.CHARLIE,
            REASON,
            UNTIL,
            RESTRICTED_NOW,
            (False, "archive:regime"),
            id="art11.2a-not-in-the-first-six-months",
        ),
        pytest.param(
            cast.MARIA,
            cast.MARIA,
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:self"),
            id="art11.2b-not-themselves",
        ),
        pytest.param(
            cast.MARIA,
            cast.CHARLIE,
            "",
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:reason"),
            id="art11.2b-with-a-reason",
        ),
        pytest.param(
            cast.MARIA,
            cast.CHARLIE,
            REASON,
            ARCHIVED_NOW,
            ARCHIVED_NOW,
            (False, "archive:until"),
            id="art11.2b-ends-in-the-future",
        ),
        pytest.param(
            cast.MARIA,
            cast.CHARLIE,
            REASON,
            add_months(cast.AFSCHALING, 13),
            ARCHIVED_NOW,
            (False, "archive:until"),
            id="art11.2c-not-past-destruction",
        ),
        pytest.param(
            cast.MARIA,
            cast.actor(Role.DEELNEMER, screened=False),
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:access:screening"),
            id="art13.3-unscreened-admittee",
        ),
        pytest.param(
            cast.MARIA,
            cast.FIEN,
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:admittee-role"),
            id="art24.4-fg-never-reads",
        ),
        pytest.param(
            cast.MARIA,
            cast.ADAM,
            REASON,
            UNTIL,
            ARCHIVED_NOW,
            (False, "archive:duplicate"),
            id="admitted-already",
        ),
    ],
)
def test_archive_admissions(
    who: Actor,
    admittee: Actor,
    reason: str,
    until: datetime,
    now: datetime,
    expected: tuple[bool, str],
) -> None:
    f = afschaled(admissions=(cast.admission(cast.ADAM),))
    assert (
        decided(access.may_admit_to_archive(who, admittee, f, reason=reason, until=until, now=now))
        == expected
    )


def test_no_archive_before_afschaling() -> None:
    decision = access.may_admit_to_archive(
        cast.MARIA, cast.CHARLIE, facts(), reason=REASON, until=UNTIL, now=NOW
    )
    assert decided(decision) == (False, "archive:regime")


@pytest.mark.parametrize(
    ("who", "admission", "expected"),
    [
        pytest.param(
            cast.MARIA,
            cast.admission(cast.ADAM),
            (True, "archive:revoke"),
            id="art11.2b-manager-revokes",
        ),
        pytest.param(
            ALICE,
            cast.admission(cast.ADAM),
            (False, "archive:role"),
            id="art11.2b-only-the-manager",
        ),
        pytest.param(
            cast.MARIA,
            cast.admission(cast.ADAM, revoked_at=cast.ARCHIVED_FROM + timedelta(days=2)),
            (False, "archive:ended"),
            id="revoked-already",
        ),
    ],
)
def test_revoking_an_admission(who: Actor, admission: object, expected: tuple[bool, str]) -> None:
    assert decided(access.may_revoke_admission(who, admission, now=ARCHIVED_NOW)) == expected  # type: ignore[arg-type]  # an ArchiveAdmission from the table


# --- the hand-over at afschaling (Bijlage 2 "overdracht") ------------------------------------


@pytest.mark.parametrize(
    ("who", "recipient", "phase", "documents", "expected"),
    [
        pytest.param(
            ALICE,
            cast.CARLA,
            Phase.RTO,
            frozenset({cast.DOCUMENT_ID}),
            (True, "handover:name"),
            id="bijlage2-named-with-afschaling",
        ),
        pytest.param(
            cast.PETER,
            cast.CARLA,
            Phase.RTO,
            frozenset({cast.DOCUMENT_ID}),
            (False, "case:not-assigned"),
            id="art1.22-unassigned",
        ),
        pytest.param(
            cast.BOB,
            cast.CARLA,
            Phase.RTO,
            frozenset({cast.DOCUMENT_ID}),
            (False, "case:phase:role"),
            id="art1.22-not-procesregisseur",
        ),
        pytest.param(
            ALICE,
            cast.CARLA,
            Phase.TRIAGE,
            frozenset({cast.DOCUMENT_ID}),
            (False, "handover:phase"),
            id="bijlage2-only-at-afschaling",
        ),
        pytest.param(
            ALICE,
            cast.BOB,
            Phase.RTO,
            frozenset({cast.DOCUMENT_ID}),
            (False, "handover:recipient"),
            id="art1.23-a-casusregisseur",
        ),
        pytest.param(
            ALICE,
            cast.actor(Role.CASUSREGISSEUR, screened=False),
            Phase.RTO,
            frozenset({cast.DOCUMENT_ID}),
            (False, "handover:recipient"),
            id="art13.3-unscreened",
        ),
        pytest.param(
            ALICE,
            cast.CARLA,
            Phase.RTO,
            frozenset(),
            (False, "handover:documents"),
            id="bijlage2-no-documents",
        ),
        pytest.param(
            ALICE,
            cast.CARLA,
            Phase.RTO,
            frozenset({DocumentId(cast.CASE_ID)}),
            (False, "handover:documents"),
            id="bijlage2-foreign-document",
        ),
    ],
)
def test_naming_a_hand_over(
    who: Actor,
    recipient: Actor,
    phase: Phase,
    documents: frozenset[DocumentId],
    expected: tuple[bool, str],
) -> None:
    assert (
        decided(access.may_hand_over(who, recipient, facts(phase), documents=documents, now=NOW))
        == expected
    )


def test_the_hand_over_window_defaults_to_fourteen_days() -> None:
    assert handover_window_ends(cast.AFSCHALING) == cast.HANDOVER_ENDS
    assert handover_window_ends(cast.AFSCHALING, days=3) == cast.AFSCHALING + timedelta(days=3)
