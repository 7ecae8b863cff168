"""Who may hold which role, what a partij's kind may provide, and the retention timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.domain.cases import Phase, Purpose
from portal.domain.documents import (
    DataCategory,
    LegalBasis,
    Restrictions,
    RestrictionsRefused,
    check_provision,
    check_restrictions,
    object_key_for,
)
from portal.domain.partijen import PartijKind, Role, User, UserId, may_add_partij, may_hold_role
from portal.domain.retention import Regime, add_months, regime, timeline
from portal.domain.rules import Rule
from tests.unit import cast

ZVH_ROLES = {Role.PROCESREGISSEUR, Role.MANAGER, Role.ADMINISTRATIEF}


@pytest.mark.parametrize(
    ("kind", "role"),
    [pytest.param(k, r, id=f"art1.22-{r}-at-{k}") for k in PartijKind for r in Role],
)
def test_zvh_roles_are_held_at_the_zvh_only(kind: PartijKind, role: Role) -> None:
    expected = kind is PartijKind.ZVH or role not in ZVH_ROLES
    decision = may_hold_role(kind, role)
    assert (decision.allowed, decision.rule) == (
        expected,
        "user:role" if expected else "user:role:zvh-only",
    )
    assert decision.reason


@pytest.mark.parametrize(
    ("kind", "zvh_exists", "expected"),
    [
        pytest.param(PartijKind.ZVH, False, (True, "partij:add"), id="art1.16-the-house"),
        pytest.param(PartijKind.ZVH, True, (False, "partij:zvh-exists"), id="art1.16-exactly-one"),
        pytest.param(PartijKind.GGZ, True, (True, "partij:add"), id="art6.4i-a-partner"),
    ],
)
def test_there_is_exactly_one_zvh(
    kind: PartijKind, zvh_exists: bool, expected: tuple[bool, str]
) -> None:
    decision = may_add_partij(kind, zvh_exists=zvh_exists)
    assert (decision.allowed, decision.rule) == expected


def restrictions(basis: LegalBasis, *categories: DataCategory) -> Restrictions:
    return Restrictions(
        purposes=frozenset({Purpose.SCREENING}),
        data_categories=frozenset(categories or {DataCategory.PERSONALIA}),
        legal_basis=basis,
        consent_id=cast.CONSENT_ID if basis is LegalBasis.TOESTEMMING else None,
    )


# Art. 6.4: the bases and categories that belong to one kind alone; everything else is open.
ONLY: dict[LegalBasis | DataCategory, PartijKind] = {
    LegalBasis.WPG_ART_20: PartijKind.POLITIE,  # 6.4d
    LegalBasis.WJSG_ART_8A: PartijKind.OM,  # 6.4c
    LegalBasis.WJSG_ART_39F: PartijKind.OM,
    LegalBasis.WJSG_ART_51C: PartijKind.OM,
    DataCategory.POLITIE_WPG_8_13: PartijKind.POLITIE,  # 6.4d: art. 8 and 13 Wpg data
}


@pytest.mark.parametrize(
    ("kind", "basis"),
    [pytest.param(k, b, id=f"art6.4-{b}-by-{k}") for k in PartijKind for b in LegalBasis],
)
def test_a_partijs_kind_fixes_its_legal_basis(kind: PartijKind, basis: LegalBasis) -> None:
    decision = check_provision(kind, restrictions(basis))
    allowed = ONLY.get(basis, kind) is kind
    assert (decision.allowed, decision.rule) == (
        allowed,
        "provision" if allowed else "provision:legal-basis",
    )


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        pytest.param(k, c, id=f"art6.4-{c}-by-{k}")
        for k in (PartijKind.POLITIE, PartijKind.OM, PartijKind.GGZ)
        for c in DataCategory
    ],
)
def test_a_partijs_kind_fixes_its_data_categories(kind: PartijKind, category: DataCategory) -> None:
    decision = check_provision(kind, restrictions(LegalBasis.AVG_6_1_E, category))
    allowed = ONLY.get(category, kind) is kind
    assert (decision.allowed, decision.rule) == (
        allowed,
        "provision" if allowed else "provision:category",
    )


@pytest.mark.parametrize(
    ("changes", "kind", "message", "rule"),
    [
        pytest.param(
            {"purposes": frozenset()},
            PartijKind.GGZ,
            "at least one purpose",
            None,
            id="art3.5-no-purpose",
        ),
        pytest.param(
            {"purposes": frozenset({Purpose.MONITORING})},
            PartijKind.GGZ,
            "do not belong to phase",
            None,
            id="bijlage2-foreign-purpose",
        ),
        pytest.param(
            {"data_categories": frozenset()},
            PartijKind.GGZ,
            "data category",
            None,
            id="bijlage4-no-category",
        ),
        pytest.param(
            {"legal_basis": LegalBasis.TOESTEMMING, "consent_id": None},
            PartijKind.GGZ,
            "requires a consent_id",
            None,
            id="art7.2-consent-unnamed",
        ),
        pytest.param(
            {"consent_id": cast.CONSENT_ID},
            PartijKind.GGZ,
            "only given with legal basis toestemming",
            None,
            id="art7.2-consent-without-basis",
        ),
        pytest.param(
            {"legal_basis": LegalBasis.WPG_ART_20},
            PartijKind.GGZ,
            "politie only",
            Rule.PROVISION_LEGAL_BASIS,
            id="art6.4d-wpg-by-another-kind",
        ),
    ],
)
def test_restrictions_must_fit_the_phase_and_the_provider(
    changes: dict[str, object], kind: PartijKind, message: str, rule: Rule | None
) -> None:
    fitting = cast.document().restrictions
    with pytest.raises(RestrictionsRefused, match=message) as refused:
        check_restrictions(
            phase=Phase.AANMELDING,
            restrictions=cast.replace(fitting, **changes),  # type: ignore[arg-type]  # a table of field changes
            provider_kind=kind,
        )
    # A refusal by the provision rules (art. 6.4) names its rule: its refusal code says why.
    assert refused.value.rule is rule
    check_restrictions(phase=Phase.AANMELDING, restrictions=fitting, provider_kind=kind)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 1, tzinfo=UTC), 6, datetime(2026, 9, 1, tzinfo=UTC), id="plain"
        ),
        pytest.param(
            datetime(2026, 8, 31, tzinfo=UTC),
            6,
            datetime(2027, 2, 28, tzinfo=UTC),
            id="short-month",
        ),
        pytest.param(
            datetime(2027, 8, 31, tzinfo=UTC), 6, datetime(2028, 2, 29, tzinfo=UTC), id="leap-year"
        ),
        pytest.param(
            datetime(2026, 12, 15, tzinfo=UTC),
            12,
            datetime(2027, 12, 15, tzinfo=UTC),
            id="year-end",
        ),
    ],
)
def test_months_are_calendar_months(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("months_after", "expected"),
    [
        pytest.param(0, Regime.RESTRICTED, id="art11.2a-at-the-decision"),
        pytest.param(5, Regime.RESTRICTED, id="art11.2a-month-5"),
        pytest.param(6, Regime.ARCHIVED, id="art11.2b-month-6"),
        pytest.param(11, Regime.ARCHIVED, id="art11.2b-month-11"),
        pytest.param(12, Regime.DESTROYED, id="art11.2c-month-12"),
    ],
)
def test_the_timeline_counts_from_the_decision(months_after: int, expected: Regime) -> None:
    at = add_months(cast.AFSCHALING, months_after)
    assert regime(cast.case(Phase.AFSCHALING, decided_at=cast.AFSCHALING), now=at) is expected
    # Art. 1.21: a case closed without RTO follows the same timeline.
    assert regime(cast.case(Phase.TRIAGE, decided_at=cast.AFSCHALING), now=at) is expected
    assert timeline(cast.AFSCHALING).destroy_at == add_months(cast.AFSCHALING, 12)
    assert regime(cast.case(Phase.RTO), now=cast.OPEN_NOW) is Regime.OPEN


def test_a_destroyed_case_stays_destroyed() -> None:
    gone = cast.replace(cast.case(), destroyed_at=cast.OPEN_NOW)
    assert regime(gone, now=cast.OPEN_NOW) is Regime.DESTROYED


@pytest.mark.parametrize(
    ("vog", "geheimhouding", "screened"),
    [
        pytest.param(cast.CREATED, cast.CREATED, True, id="art13.1-13.3-both"),
        pytest.param(None, cast.CREATED, False, id="art13.3-no-vog"),
        pytest.param(cast.CREATED, None, False, id="art13.1-no-statement"),
    ],
)
def test_a_user_is_screened_with_vog_and_statement(
    vog: datetime | None, geheimhouding: datetime | None, screened: bool
) -> None:
    user = User(
        id=UserId(cast.CASE_ID),
        username="anna",
        partij_id=cast.VENLO,
        roles=frozenset({Role.PARTNER}),
        vog_recorded_at=vog,
        geheimhouding_recorded_at=geheimhouding,
        active=True,
    )
    assert user.screened is screened


def test_a_documents_object_key_is_the_servers_choice() -> None:
    key = object_key_for(cast.CASE_ID, cast.DOCUMENT_ID)
    assert key == f"cases/{cast.CASE_ID}/{cast.DOCUMENT_ID}.pgp"
