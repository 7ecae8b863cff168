"""Small rules of the protocol that services used to decide themselves, table by table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.domain import access
from portal.domain.actions import Action
from portal.domain.cases import PURPOSES_BY_PHASE, Phase, Purpose
from portal.domain.consents import consent_usable_for_upload
from portal.domain.documents import approval_purposes
from portal.domain.grants import (
    GrantEnd,
    grants_ending_at_afschaling,
    grants_ending_at_withdrawal,
)
from portal.domain.partijen import Actor, Role, vog_current
from portal.domain.register import ACTIVITY_OF, REGISTER
from portal.domain.rules import Decision, Refusal, Rule, refusal_of
from tests.unit import cast


def test_art24_3_every_action_belongs_to_one_register_entry() -> None:
    assert set(ACTIVITY_OF) == set(Action)
    assert set(ACTIVITY_OF.values()) <= set(REGISTER)


def test_art11_2_afschaling_ends_only_the_grants_still_running() -> None:
    bob, carol, dave = (cast.actor(Role.DEELNEMER, name=n) for n in ("bob", "carol", "dave"))
    running = cast.grant(bob)
    expired = cast.grant(carol, until=cast.ENDED)
    revoked = cast.grant(dave, revoked_at=cast.ENDED)
    ending = grants_ending_at_afschaling(
        (running, expired, revoked), cast.case(Phase.RTO), at=cast.OPEN_NOW
    )
    assert ending == (running,)


def test_art27_3_withdrawal_revokes_every_grant_not_revoked_already() -> None:
    bob, carol, dave = (cast.actor(Role.DEELNEMER, name=n) for n in ("bob", "carol", "dave"))
    running = cast.grant(bob)
    expired = cast.grant(carol, until=cast.ENDED)
    revoked = cast.grant(dave, revoked_at=cast.ENDED)
    assert grants_ending_at_withdrawal((running, expired, revoked)) == (running, expired)


@pytest.mark.parametrize(
    ("consent", "partij", "expected"),
    [
        pytest.param("in-force", cast.GGZ, None, id="art7.2c-own-consent-in-force"),
        pytest.param(
            "withdrawn", cast.GGZ, "the consent was withdrawn", id="art7.2d-own-consent-withdrawn"
        ),
        pytest.param(
            "in-force",
            cast.VENLO,
            "no consent record of the providing partij with that id",
            id="art7.2c-another-partijs-consent",
        ),
        pytest.param(
            "none",
            cast.GGZ,
            "no consent record of the providing partij with that id",
            id="art7.2c-no-consent",
        ),
    ],
)
def test_art7_2_a_document_is_provided_only_on_the_partijs_own_consent_in_force(
    consent: str, partij: object, expected: str | None
) -> None:
    record = {
        "in-force": cast.consent(),
        "withdrawn": cast.consent(withdrawn_at=cast.ENDED),
        "none": None,
    }[consent]
    assert (
        consent_usable_for_upload(record, partij_id=partij, now=cast.OPEN_NOW)  # type: ignore[arg-type]  # the table holds PartijIds
        == expected
    )


def test_art3_5b_an_approval_naming_no_purposes_covers_the_whole_phase() -> None:
    assert approval_purposes(Phase.RTO, None) == PURPOSES_BY_PHASE[Phase.RTO]


def test_art3_5b_an_approval_covers_the_purposes_it_names() -> None:
    named = frozenset({Purpose.MONITORING})
    assert approval_purposes(Phase.RTO, named) == named


VOG_NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("recorded", "max_age_days", "current"),
    [
        pytest.param(None, None, False, id="art13_3-no-vog-on-record"),
        pytest.param(None, 365, False, id="art13_3-no-vog-on-record-with-a-bound"),
        pytest.param(datetime(2010, 1, 1, tzinfo=UTC), None, True, id="art13_3-no-bound-any-vog"),
        pytest.param(
            datetime(2025, 6, 1, 12, tzinfo=UTC), 365, True, id="art13_3-exactly-the-bound"
        ),
        pytest.param(
            datetime(2025, 6, 1, 11, tzinfo=UTC), 365, False, id="art13_3-an-hour-too-old"
        ),
        pytest.param(datetime(2026, 5, 1, tzinfo=UTC), 365, True, id="art13_3-recent"),
    ],
)
def test_art13_3_a_vog_counts_while_no_older_than_the_bound(
    recorded: datetime | None, max_age_days: int | None, current: bool
) -> None:
    assert vog_current(recorded, now=VOG_NOW, max_age_days=max_age_days) is current


@pytest.mark.parametrize(
    ("reader", "scope"),
    [
        pytest.param(cast.MARIA, None, id="art24.4-the-manager-reads-every-record"),
        pytest.param(cast.ZOE, None, id="art24.4-the-zvh-fg-reads-every-record"),
        pytest.param(cast.FIEN, cast.GGZ, id="art24.6-a-partij-fg-reads-its-own-partijs"),
    ],
)
def test_art24_4_whose_records_a_reader_is_limited_to(reader: Actor, scope: object) -> None:
    assert access.supervised_partij(reader) == scope


@pytest.mark.parametrize(
    ("rule", "answer"),
    [
        pytest.param(
            Rule.GRANT_BEFORE_TRIAGE, Refusal.CONFLICT, id="art1.19-grant-waits-for-triage"
        ),
        pytest.param(Rule.CASE_DECIDED_AT, Refusal.INVALID, id="art11.2-a-wrong-decision-date"),
        pytest.param(Rule.GRANT_ROLE, Refusal.FORBIDDEN, id="art9.6-not-the-callers-to-grant"),
    ],
)
def test_a_refusal_is_answered_as_its_rule_says(rule: Rule, answer: Refusal) -> None:
    assert refusal_of(Decision(allowed=False, rule=rule, reason="x")) is answer


def test_art11_2_a_grant_shows_what_ended_it_only_once_it_has_ended() -> None:
    bob = cast.actor(Role.DEELNEMER, name="bob")
    revoked = cast.grant(bob, revoked_at=cast.ENDED)
    open_case = cast.case(Phase.RTO)
    assert revoked.ended(open_case, now=cast.GRANTED) is None  # revocation still ahead
    assert revoked.ended(open_case, now=cast.OPEN_NOW) is GrantEnd.REVOKED
    assert cast.grant(bob).ended(open_case, now=cast.OPEN_NOW) is None  # runs to afschaling
