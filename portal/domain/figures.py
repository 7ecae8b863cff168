"""What is kept of a destroyed case: its non-personal figures (art. 11.3), and the signed
report of its destruction.

Art. 11.3 allows keeping "niet tot de persoon herleidbare gegevens" for management
purposes. Of each destroyed case one row of figures is kept (:class:`CaseFigures`): how
long it stayed in each phase, which *kinds* of partij took part, how many documents,
downloads and grants it had, how it ended and under which rule it was destroyed. Never
its id, reference, partijen or people, and no date finer than the month its destruction
began: the row cannot be joined back to the case's tombstone or its audit records.

The figures are only ever shown per period (:func:`figures_by_period`), and a period
with fewer than :data:`MIN_CASES` cases is merged with the next one (the last one with
the one before), so no answer speaks of one case, or two, that a reader could
recognise by its month. When the whole selection has fewer than that, nothing is shown
(``withheld``). Within a shown period the counts are not suppressed further: a group of
at least :data:`MIN_CASES` cases is what the counts describe.

The destruction report (:func:`destruction_report`) is the other way round: it is about
one case, by its id, for accountability (art. 9.4, 11.2c), and holds what was destroyed,
when and under which rule, and counts, never what the case was known by.
"""

from __future__ import annotations

import enum
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from portal.domain.cases import Case, ClosingReason, Phase
from portal.domain.partijen import PartijKind

MIN_CASES = 5
"""The least number of cases one period of figures may describe (see the module docstring).

Five: the usual floor of small-cell suppression in Dutch statistics of persons (CBS), and
at a house with a few hundred cases a year a month has that many, so months merge only
when quiet."""

SECONDS_PER_DAY = 86_400


class Outcome(enum.StrEnum):
    """How a case ended: by afschaling after an RTO, or closed before one (art. 1.18-1.21)."""

    AFGESCHAALD = "afgeschaald"
    NIET_TOEGELATEN = ClosingReason.NIET_TOEGELATEN.value
    ELDERS_BELEGD = ClosingReason.ELDERS_BELEGD.value


class DestructionRule(enum.StrEnum):
    """Under which rule a case was destroyed."""

    TIMETABLE = "timetable"
    """Art. 11.2c: by the sweep, 12 months after the decision (or later, after a hold)."""
    EARLY = "early"
    """Art. 9.4, 11.2: earlier, on the decision of the case's procesregisseur."""


def outcome_of(case: Case) -> Outcome:
    if case.closed_reason is not None:
        return Outcome(case.closed_reason.value)
    return Outcome.AFGESCHAALD


def month_of(moment: date) -> str:
    """``YYYY-MM``: a case's figures count in the month (UTC) its destruction began, and a
    date that selects figures selects its whole month."""
    return f"{moment:%Y-%m}"


def whole_days(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end``, never negative (a decision dated before its
    recording may precede a phase's start)."""
    return max(0, int((end - start).total_seconds() // SECONDS_PER_DAY))


PHASE_ORDER: tuple[Phase, ...] = (Phase.AANMELDING, Phase.TRIAGE, Phase.RTO, Phase.AFSCHALING)


def days_per_phase(
    case: Case, entries: Iterable[tuple[Phase, datetime]], *, ended_at: datetime
) -> dict[Phase, int]:
    """How many whole days the case spent in each phase it went through.

    ``entries`` are the recorded moves into a phase (``case:phase`` records); the case row
    adds its creation (aanmelding) and its entry into its current phase. A phase lasts
    until the next one began; the last until ``ended_at``, when its destruction began. A
    phase whose start or end is not known is left out rather than guessed.
    """
    began: dict[Phase, datetime] = {Phase.AANMELDING: case.created_at}
    for phase, at in entries:
        began.setdefault(phase, at)
    began[case.phase] = case.phase_changed_at
    reached = PHASE_ORDER[: PHASE_ORDER.index(case.phase) + 1]
    days: dict[Phase, int] = {}
    for index, phase in enumerate(reached):
        start = began.get(phase)
        end = began.get(reached[index + 1]) if index + 1 < len(reached) else ended_at
        if start is not None and end is not None:
            days[phase] = whole_days(start, end)
    return days


@dataclass(frozen=True, kw_only=True)
class CaseFigures:
    """One destroyed case's figures: nothing in it names the case or anyone in it."""

    period: str
    """``YYYY-MM``: the month its destruction began; no finer date is kept."""
    rule: DestructionRule
    outcome: Outcome
    days_per_phase: Mapping[Phase, int]
    days_decided_to_destroyed: int | None
    """From the afschaling or closing decision to destruction: about a year by the
    timetable, less when destroyed early, more when a hold kept it."""
    partij_kinds: frozenset[PartijKind]
    """The kinds of partij that took part: reported, provided, or were granted access."""
    documents: int
    """Documents the case held when it was destroyed."""
    downloads: int
    grants: int


def case_figures(
    case: Case,
    *,
    began: datetime,
    rule: DestructionRule,
    phase_entries: Iterable[tuple[Phase, datetime]],
    partij_kinds: Iterable[PartijKind],
    documents: int,
    downloads: int,
    grants: int,
) -> CaseFigures:
    """The figures of ``case``, whose destruction began at ``began``."""
    return CaseFigures(
        period=month_of(began),
        rule=rule,
        outcome=outcome_of(case),
        days_per_phase=days_per_phase(case, phase_entries, ended_at=began),
        days_decided_to_destroyed=(
            whole_days(case.decided_at, began) if case.decided_at is not None else None
        ),
        partij_kinds=frozenset(partij_kinds),
        documents=documents,
        downloads=downloads,
        grants=grants,
    )


# --- figures per period --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DaysSummary:
    """Days spent in one phase, over the period's cases that went through it."""

    cases: int
    mean: float
    median: float


@dataclass(frozen=True, kw_only=True)
class PeriodFigures:
    first_month: str
    last_month: str
    """The same as ``first_month`` unless quiet months were merged (``MIN_CASES``)."""
    cases: int
    days_per_phase: dict[Phase, DaysSummary]
    days_decided_to_destroyed: DaysSummary | None
    documents: int
    downloads: int
    grants: int
    partij_kinds: dict[PartijKind, int]
    """How many of the period's cases each kind of partij took part in."""
    outcomes: dict[Outcome, int]
    rules: dict[DestructionRule, int]


@dataclass(frozen=True, kw_only=True)
class Figures:
    periods: list[PeriodFigures]
    withheld: bool
    """True when the selection had cases but fewer than ``MIN_CASES``: nothing shown."""
    min_cases: int = MIN_CASES


def _summary(values: Sequence[int]) -> DaysSummary | None:
    if not values:
        return None
    return DaysSummary(
        cases=len(values),
        mean=round(statistics.fmean(values), 1),
        median=float(statistics.median(values)),
    )


def _period(group: Sequence[CaseFigures]) -> PeriodFigures:
    phases: dict[Phase, DaysSummary] = {}
    for phase in PHASE_ORDER:
        summary = _summary(
            [row.days_per_phase[phase] for row in group if phase in row.days_per_phase]
        )
        if summary is not None:
            phases[phase] = summary
    kinds = Counter(kind for row in group for kind in row.partij_kinds)
    decided = [row.days_decided_to_destroyed for row in group]
    return PeriodFigures(
        first_month=min(row.period for row in group),
        last_month=max(row.period for row in group),
        cases=len(group),
        days_per_phase=phases,
        days_decided_to_destroyed=_summary([days for days in decided if days is not None]),
        documents=sum(row.documents for row in group),
        downloads=sum(row.downloads for row in group),
        grants=sum(row.grants for row in group),
        partij_kinds={kind: kinds[kind] for kind in PartijKind if kinds[kind]},
        outcomes=dict(sorted(Counter(row.outcome for row in group).items())),
        rules=dict(sorted(Counter(row.rule for row in group).items())),
    )


def figures_by_period(rows: Iterable[CaseFigures], *, min_cases: int = MIN_CASES) -> Figures:
    """The figures per month, months with fewer than ``min_cases`` cases merged onward.

    Months are taken in order and gathered until the group has ``min_cases`` cases; a
    short group left at the end joins the group before it. Fewer than ``min_cases`` in
    all: no period is shown, and ``withheld`` says there was something.
    """
    if min_cases < 1:
        raise ValueError("a period describes at least one case")
    by_month: dict[str, list[CaseFigures]] = {}
    for row in rows:
        by_month.setdefault(row.period, []).append(row)
    groups: list[list[CaseFigures]] = []
    current: list[CaseFigures] = []
    for month in sorted(by_month):
        current.extend(by_month[month])
        if len(current) >= min_cases:
            groups.append(current)
            current = []
    if current:
        if not groups:
            return Figures(periods=[], withheld=True, min_cases=min_cases)
        groups[-1].extend(current)
    return Figures(
        periods=[_period(group) for group in groups], withheld=False, min_cases=min_cases
    )


# --- the destruction report (art. 9.4, 11.2c) ------------------------------------------------

REPORT_TITLE = "RTO portal: destruction report"


@dataclass(frozen=True, kw_only=True)
class ReportFacts:
    """What the report of one destruction states; counts and dates, nothing personal."""

    report_id: str
    case_id: str
    began_at: datetime
    completed_at: datetime
    rule: DestructionRule
    due_at: datetime | None
    """For the timetable rule: when destruction fell due (+12 months after the decision)."""
    case_key_fingerprint: str | None
    """None when an interrupted earlier run shredded the key before it was read."""
    key_destroyed: bool
    objects: int
    versions: int
    rows: Mapping[str, int]
    signing_key_fingerprint: str


def _rule_line(facts: ReportFacts) -> str:
    if facts.rule is DestructionRule.EARLY:
        return (
            "early: before +12 months, on the decision of the case's procesregisseur "
            "(art. 9.4, 11.2)"
        )
    due = f", due {facts.due_at:%Y-%m-%d %H:%M} UTC" if facts.due_at is not None else ""
    return f"timetable: 12 months after the afschaling or closing decision (art. 11.2c){due}"


def destruction_report(facts: ReportFacts) -> str:
    """The report's text, signed as it is (clear-signed OpenPGP, checkable with ``gpg``).

    ASCII only and no trailing blanks, so the text a signer signs is the text a reader
    checks, byte for byte, with no dash-escaping or whitespace rules in between.
    """
    if facts.case_key_fingerprint is not None:
        state = "destroyed" if facts.key_destroyed else "already gone"
        key = f"{facts.case_key_fingerprint} ({state})"
    else:
        key = "destroyed by an earlier, interrupted run; its fingerprint was not read"
    lines = [
        REPORT_TITLE,
        "",
        f"report: {facts.report_id}",
        f"case: {facts.case_id}",
        f"destruction began: {facts.began_at.isoformat()}",
        f"destruction completed: {facts.completed_at.isoformat()}",
        f"rule: {_rule_line(facts)}",
        f"case key: {key}",
        f"objects deleted: {facts.objects}",
        f"object versions deleted: {facts.versions}",
        "rows erased:",
        *(f"  {table}: {count}" for table, count in sorted(facts.rows.items())),
        f"rows erased in all: {sum(facts.rows.values())}",
        (
            "kept: the case row as a tombstone (id, reporting partij, phase, dates) and "
            "its non-personal figures (art. 11.3)"
        ),
        f"signed by the portal's key {facts.signing_key_fingerprint}",
        "",
    ]
    text = "\n".join(lines)
    if not text.isascii() or any(line != line.rstrip() for line in lines):
        raise ValueError("a destruction report is plain ASCII without trailing blanks")
    return text
