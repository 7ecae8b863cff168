"""What is kept of a destroyed case (art. 11.3) and the report of its destruction, as pure
domain: days per phase, merging quiet months, the report's text, and who reads either."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portal.domain import access
from portal.domain.cases import ClosingReason, Phase
from portal.domain.figures import (
    MIN_CASES,
    CaseFigures,
    DestructionRule,
    Outcome,
    ReportFacts,
    case_figures,
    days_per_phase,
    destruction_report,
    figures_by_period,
    month_of,
    outcome_of,
)
from portal.domain.partijen import Actor, PartijKind, Role
from portal.domain.rules import Rule
from tests.unit.cast import ADA, ALICE, BOB, CREATED, MARIA, PETER, ZOE, actor, case

DAY = timedelta(days=1)
TRIAGE_AT = CREATED + 3 * DAY
RTO_AT = CREATED + 10 * DAY
AFSCHALING_AT = CREATED + 40 * DAY
BEGAN = AFSCHALING_AT + 400 * DAY


def test_art11_3_each_phase_lasts_until_the_next_began_and_the_last_until_destruction() -> None:
    afgeschaald = case(Phase.AFSCHALING, decided_at=AFSCHALING_AT, phase_changed_at=AFSCHALING_AT)
    entries = [(Phase.TRIAGE, TRIAGE_AT), (Phase.RTO, RTO_AT), (Phase.AFSCHALING, AFSCHALING_AT)]

    days = days_per_phase(afgeschaald, entries, ended_at=BEGAN)

    assert days == {Phase.AANMELDING: 3, Phase.TRIAGE: 7, Phase.RTO: 30, Phase.AFSCHALING: 400}


def test_a_phase_whose_start_is_not_on_record_is_left_out_not_guessed() -> None:
    # No case:phase record of the move into triage: its start, and aanmelding's end, unknown.
    in_rto = case(Phase.RTO, phase_changed_at=RTO_AT)

    assert days_per_phase(in_rto, [], ended_at=BEGAN) == {Phase.RTO: (BEGAN - RTO_AT).days}


def test_a_decision_dated_before_its_phase_counts_zero_days_not_negative() -> None:
    closed = case(Phase.TRIAGE, decided_at=TRIAGE_AT, phase_changed_at=TRIAGE_AT)

    figures = case_figures(
        closed,
        began=TRIAGE_AT - DAY,
        rule=DestructionRule.EARLY,
        phase_entries=[],
        partij_kinds=[PartijKind.POLITIE],
        documents=0,
        downloads=0,
        grants=0,
    )

    assert figures.days_per_phase[Phase.TRIAGE] == 0
    assert figures.days_decided_to_destroyed == 0


@pytest.mark.parametrize(
    ("closed_reason", "outcome"),
    [
        (None, Outcome.AFGESCHAALD),
        (ClosingReason.NIET_TOEGELATEN, Outcome.NIET_TOEGELATEN),
        (ClosingReason.ELDERS_BELEGD, Outcome.ELDERS_BELEGD),
    ],
)
def test_the_outcome_is_how_the_case_ended(
    closed_reason: ClosingReason | None, outcome: Outcome
) -> None:
    assert outcome_of(case(closed_reason=closed_reason)) == outcome


def test_art11_3_a_cases_figures_hold_its_month_and_counts_never_its_id() -> None:
    afgeschaald = case(Phase.AFSCHALING, decided_at=AFSCHALING_AT, phase_changed_at=AFSCHALING_AT)

    figures = case_figures(
        afgeschaald,
        began=datetime(2027, 4, 9, 13, 45, tzinfo=UTC),
        rule=DestructionRule.TIMETABLE,
        phase_entries=[(Phase.TRIAGE, TRIAGE_AT), (Phase.RTO, RTO_AT)],
        partij_kinds=[PartijKind.POLITIE, PartijKind.GGZ, PartijKind.POLITIE],
        documents=4,
        downloads=9,
        grants=2,
    )

    assert figures.period == "2027-04"
    assert figures.partij_kinds == {PartijKind.POLITIE, PartijKind.GGZ}
    assert (figures.documents, figures.downloads, figures.grants) == (4, 9, 2)
    assert figures.outcome is Outcome.AFGESCHAALD
    values = repr(figures)
    assert str(afgeschaald.id) not in values
    assert afgeschaald.reference not in values
    assert "09" not in figures.period, "no day of the month"


def test_an_open_case_destroyed_has_no_decision_days() -> None:
    figures = case_figures(
        case(),
        began=BEGAN,
        rule=DestructionRule.TIMETABLE,
        phase_entries=[],
        partij_kinds=[],
        documents=0,
        downloads=0,
        grants=0,
    )
    assert figures.days_decided_to_destroyed is None


ROW = CaseFigures(
    period="2027-01",
    rule=DestructionRule.TIMETABLE,
    outcome=Outcome.AFGESCHAALD,
    days_per_phase={Phase.AANMELDING: 2, Phase.TRIAGE: 10},
    days_decided_to_destroyed=365,
    partij_kinds=frozenset({PartijKind.POLITIE}),
    documents=3,
    downloads=5,
    grants=1,
)


def _row(period: str, **changes: Any) -> CaseFigures:
    return replace(ROW, period=period, **changes)


def test_a_month_with_enough_cases_is_its_own_period_with_totals_and_medians() -> None:
    rows = [_row("2027-03", days_per_phase={Phase.TRIAGE: days}) for days in (1, 2, 3, 4, 10)]
    rows.append(_row("2027-04", rule=DestructionRule.EARLY, outcome=Outcome.ELDERS_BELEGD))
    rows += [_row("2027-04", partij_kinds=frozenset()) for _ in range(4)]

    result = figures_by_period(rows)

    march, april = result.periods
    assert (march.first_month, march.last_month, march.cases) == ("2027-03", "2027-03", 5)
    assert march.days_per_phase[Phase.TRIAGE].mean == 4.0
    assert march.days_per_phase[Phase.TRIAGE].median == 3.0
    assert Phase.AANMELDING not in march.days_per_phase
    assert (march.documents, march.downloads, march.grants) == (15, 25, 5)
    assert march.partij_kinds == {PartijKind.POLITIE: 5}
    assert april.partij_kinds == {PartijKind.POLITIE: 1}
    assert april.outcomes == {Outcome.AFGESCHAALD: 4, Outcome.ELDERS_BELEGD: 1}
    assert april.rules == {DestructionRule.EARLY: 1, DestructionRule.TIMETABLE: 4}
    assert april.days_per_phase[Phase.AANMELDING].cases == 5
    assert result.withheld is False


def test_quiet_months_merge_onward_and_a_short_tail_joins_the_period_before() -> None:
    rows = [_row("2027-01"), _row("2027-01"), _row("2027-02"), _row("2027-02"), _row("2027-03")]
    rows += [_row("2027-05") for _ in range(MIN_CASES)] + [_row("2027-06"), _row("2027-07")]

    result = figures_by_period(rows)

    spans = [(p.first_month, p.last_month, p.cases) for p in result.periods]
    assert spans == [("2027-01", "2027-03", 5), ("2027-05", "2027-07", 7)]
    assert all(period.cases >= MIN_CASES for period in result.periods)


def test_fewer_cases_than_the_threshold_in_all_shows_nothing_but_says_so() -> None:
    withheld = figures_by_period([_row("2027-01") for _ in range(MIN_CASES - 1)])
    empty = figures_by_period([])

    assert (withheld.periods, withheld.withheld) == ([], True)
    assert (empty.periods, empty.withheld) == ([], False)
    with pytest.raises(ValueError, match="at least one"):
        figures_by_period([], min_cases=0)


def test_no_decision_days_in_a_period_leaves_that_figure_out() -> None:
    result = figures_by_period([_row("2027-01", days_decided_to_destroyed=None)], min_cases=1)
    [period] = result.periods
    assert period.days_decided_to_destroyed is None


def test_a_date_selects_its_month() -> None:
    assert month_of(datetime(2027, 12, 31, 23, 59, tzinfo=UTC).date()) == "2027-12"


FACTS = ReportFacts(
    report_id="7d3c0e43-0000-4000-8000-000000000001",
    case_id="00000000-0000-0000-0000-000000000064",
    began_at=BEGAN,
    completed_at=BEGAN + timedelta(minutes=1),
    rule=DestructionRule.TIMETABLE,
    due_at=BEGAN,
    case_key_fingerprint="A" * 40,
    key_destroyed=True,
    objects=2,
    versions=3,
    rows={"document": 1, "access_grant": 2},
    signing_key_fingerprint="B" * 40,
)


def _facts(**changes: Any) -> ReportFacts:
    return replace(FACTS, **changes)


def test_art9_4_the_report_says_what_when_which_rule_and_counts() -> None:
    text = destruction_report(_facts())

    assert "case: 00000000-0000-0000-0000-000000000064" in text
    assert f"destruction began: {BEGAN.isoformat()}" in text
    assert "rule: timetable: 12 months after the afschaling or closing decision" in text
    assert f"case key: {'A' * 40} (destroyed)" in text
    assert "objects deleted: 2\nobject versions deleted: 3" in text
    assert "  access_grant: 2\n  document: 1\nrows erased in all: 3" in text
    assert text.isascii()


def test_the_report_of_an_early_destruction_or_a_key_shredded_before_says_so() -> None:
    early = destruction_report(
        _facts(rule=DestructionRule.EARLY, due_at=None, case_key_fingerprint=None)
    )
    gone = destruction_report(_facts(key_destroyed=False))
    undated = destruction_report(_facts(due_at=None))

    assert "rule: early: before +12 months, on the decision of the case's procesregisseur" in early
    assert "case key: destroyed by an earlier, interrupted run" in early
    assert "(already gone)" in gone
    assert "due" not in undated.split("rule: ")[1].split("\n")[0]


def test_a_report_that_gpg_would_canonicalise_is_refused() -> None:
    with pytest.raises(ValueError, match="ASCII"):
        destruction_report(_facts(rows={"dossier é": 1}))


@pytest.mark.parametrize(
    ("who", "allowed", "rule"),
    [
        (MARIA, True, Rule.RETENTION_FIGURES),
        (ALICE, False, Rule.RETENTION_FIGURES_ROLE),
        (ZOE, False, Rule.RETENTION_FIGURES_ROLE),
        (BOB, False, Rule.RETENTION_FIGURES_ROLE),
        (actor(Role.MANAGER, screened=False), False, Rule.ACCESS_SCREENING),
    ],
    ids=["art11.3-manager", "procesregisseur", "fg", "deelnemer", "unscreened-manager"],
)
def test_art11_3_only_the_manager_reads_the_figures(who: Actor, allowed: bool, rule: Rule) -> None:
    decision = access.may_read_figures(who)
    assert (decision.allowed, decision.rule) == (allowed, rule)
    assert decision.reason


@pytest.mark.parametrize(
    ("who", "allowed", "rule"),
    [
        (MARIA, True, Rule.RETENTION_REPORT),
        (ALICE, True, Rule.RETENTION_REPORT),
        (PETER, True, Rule.RETENTION_REPORT),
        (ADA, False, Rule.RETENTION_REPORT_ROLE),
        (ZOE, False, Rule.RETENTION_REPORT_ROLE),
        (BOB, False, Rule.RETENTION_REPORT_ROLE),
        (actor(Role.PROCESREGISSEUR, active=False), False, Rule.ACCESS_ACCOUNT),
    ],
    ids=[
        "manager",
        "art9.4-procesregisseur",
        "other-procesregisseur",
        "administratief",
        "fg",
        "deelnemer",
        "deactivated",
    ],
)
def test_art9_4_the_manager_and_procesregisseurs_read_destruction_reports(
    who: Actor, allowed: bool, rule: Rule
) -> None:
    decision = access.may_read_destruction_report(who)
    assert (decision.allowed, decision.rule) == (allowed, rule)
