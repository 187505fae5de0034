"""The 终本 gate as a table: each row a case file and the items the gate names as missing."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from app.rules.deadline_rules import ClockEvent
from app.rules.deadline_rules import derive_clocks
from app.rules.periods import WorkingCalendar
from app.rules.termination_gate import MISSING_ITEMS
from app.rules.termination_gate import RecordedStep
from app.rules.termination_gate import TerminationFacts
from app.rules.termination_gate import evidence_for_termination
from app.rules.termination_gate import missing_for_termination
from app.rules.termination_gate import months_after
from app.settings import Settings

FILED = date(2026, 3, 2)
CLOSE = date(2026, 6, 3)  # three months and a day after filing
DAY = date(2026, 4, 1)

FULL = (
    RecordedStep("execution_notice", DAY, id=1),
    RecordedStep("property_report_order", DAY, id=2),
    RecordedStep("consumption_ban", DAY, id=3),
    RecordedStep("online_property_check", DAY, id=4),
    RecordedStep("onsite_property_check", DAY, "real_estate", id=5),
    RecordedStep("onsite_property_check", DAY, "vehicles", id=6),
    RecordedStep("onsite_property_check", DAY, "business_registration", id=7),
    RecordedStep("applicant_clues", DAY, id=8),
    RecordedStep("missing_respondent_search", DAY, id=9),
    RecordedStep("applicant_heard", DAY, id=10),
)


def without(kind: str, subtype: str | None = None) -> tuple[RecordedStep, ...]:
    return tuple(s for s in FULL if not (s.kind == kind and (subtype is None or s.subtype == subtype)))


def facts(steps: tuple[RecordedStep, ...] = FULL, closed_on: date = CLOSE, **kw: object) -> TerminationFacts:
    return TerminationFacts(filed_on=FILED, closed_on=closed_on, steps=steps, **kw)  # type: ignore[arg-type]


OBSTRUCTION = RecordedStep("obstruction_found", date(2026, 5, 1))


@pytest.mark.parametrize(
    ("case_file", "missing"),
    [
        (facts(), []),
        (
            facts(steps=()),
            [
                i
                for i in MISSING_ITEMS
                if i
                not in (
                    "dishonest_listing",
                    "missing_respondent_search",
                    "three_months_since_filing",
                    "obstruction_punished_or_referred",
                )
            ],
        ),
        (facts(without("execution_notice")), ["execution_notice"]),
        (facts(without("property_report_order")), ["property_report_order"]),
        (facts(without("consumption_ban")), ["consumption_ban"]),
        (facts(without("online_property_check")), ["online_property_check"]),
        (facts(without("onsite_property_check", "vehicles")), ["onsite_property_check"]),
        (facts(without("onsite_property_check", "business_registration")), ["onsite_property_check"]),
        (facts(without("applicant_clues")), ["applicant_clues_verified"]),
        # SPC 终本 rules 2016 art. 1(3): a search only when the respondent's whereabouts are unknown,
        # clues verified only when the applicant gave clues
        (facts(without("missing_respondent_search")), []),
        (
            facts((*without("missing_respondent_search"), RecordedStep("whereabouts_unknown", DAY))),
            ["missing_respondent_search"],
        ),
        (facts((*FULL, RecordedStep("whereabouts_unknown", DAY))), []),
        (facts(without("applicant_clues"), applicant_gave_clues=False), []),
        # failing to report property after a report order is a listing ground (dishonest-list rules art. 1(5))
        (facts((*FULL, RecordedStep("property_report_failed", date(2026, 4, 20)))), ["dishonest_listing"]),
        (
            facts((*FULL, RecordedStep("property_report_failed", date(2026, 4, 20))), dishonest_decided=True),
            [],
        ),
        (
            facts((*FULL, RecordedStep("property_report_failed", date(2026, 4, 20))), dishonest_pending=True),
            ["dishonest_listing"],
        ),
        (facts(without("applicant_heard")), ["applicant_heard"]),
        # D4: strictly more than three months (SPC 终本 rules 2016 art. 1(4))
        (facts(closed_on=date(2026, 6, 2)), ["three_months_since_filing"]),
        (facts(closed_on=date(2026, 5, 2)), ["three_months_since_filing"]),
        # a step dated after the ruling does not count
        (
            facts((*without("applicant_heard"), RecordedStep("applicant_heard", date(2026, 6, 4)))),
            ["applicant_heard"],
        ),
        # obstruction: punished or referred afterwards, else missing; it also calls for a listing decision
        (facts((*FULL, OBSTRUCTION)), ["dishonest_listing", "obstruction_punished_or_referred"]),
        (facts((*FULL, OBSTRUCTION), dishonest_decided=True), ["obstruction_punished_or_referred"]),
        (facts((*FULL, OBSTRUCTION, RecordedStep("fine", date(2026, 5, 2))), dishonest_decided=True), []),
        (
            facts(
                (*FULL, OBSTRUCTION, RecordedStep("judicial_detention", date(2026, 5, 1))),
                dishonest_decided=True,
            ),
            [],
        ),
        (
            facts((*FULL, OBSTRUCTION, RecordedStep("fine", date(2026, 4, 30))), dishonest_decided=True),
            ["obstruction_punished_or_referred"],
        ),
        (
            facts(
                (*FULL, OBSTRUCTION, RecordedStep("obstruction_punished_or_referred", date(2026, 5, 20))),
                dishonest_decided=True,
            ),
            [],
        ),
        (facts((*FULL, OBSTRUCTION), referrals_on=(date(2026, 5, 10),), dishonest_decided=True), []),
        (facts(obstruction_listed=True, dishonest_decided=True), ["obstruction_punished_or_referred"]),
        (
            facts(
                (*FULL, RecordedStep("fine", date(2026, 4, 2))),
                obstruction_listed=True,
                dishonest_decided=True,
            ),
            [],
        ),
        # a listing proposal awaiting the director
        (facts(dishonest_pending=True), ["dishonest_listing"]),
        (facts(dishonest_pending=True, dishonest_decided=True), ["dishonest_listing"]),
    ],
    ids=lambda v: "" if isinstance(v, TerminationFacts) else "-".join(v) or "none",
)
def test_gate_names_each_missing_item(case_file: TerminationFacts, missing: list[str]) -> None:
    assert missing_for_termination(case_file, min_months=3) == missing


def test_minimum_period_is_a_parameter() -> None:
    assert missing_for_termination(facts(closed_on=date(2026, 6, 3)), min_months=4) == [
        "three_months_since_filing"
    ]
    assert missing_for_termination(facts(closed_on=date(2026, 4, 3)), min_months=1) == []


@pytest.mark.parametrize(
    ("filed_on", "refused_on", "earliest"),
    [
        pytest.param(date(2026, 1, 15), date(2026, 4, 15), date(2026, 4, 16), id="filed 15 Jan"),
        pytest.param(
            date(2026, 2, 4), date(2026, 5, 4), date(2026, 5, 5), id="filed 4 Feb, holiday not rolled"
        ),
    ],
)
def test_the_gate_and_d4_agree_on_the_earliest_termination_day(
    filed_on: date, refused_on: date, earliest: date
) -> None:
    def missing(closed_on: date) -> list[str]:
        case_file = TerminationFacts(filed_on=filed_on, closed_on=closed_on, steps=FULL)
        return missing_for_termination(case_file, min_months=3)

    assert missing(refused_on) == ["three_months_since_filing"]
    assert missing(earliest) == []
    d4 = derive_clocks(
        [ClockEvent(id=1, name="case.filed", on=filed_on)],
        category=None,
        cal=WorkingCalendar.from_sources({}),
        settings=Settings(environment="test", jwt_secret="unit-test-secret-" + "x" * 32),
    )
    assert next(c.due_on for c in d4 if c.rule == "D4") == earliest


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 3, 2), 3, date(2026, 6, 2)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_months_last(start: date, months: int, end: date) -> None:
    assert months_after(start, months) == end


def test_evidence_names_the_measures_for_each_item() -> None:
    evidence = evidence_for_termination(facts())
    assert evidence["execution_notice"] == [1]
    assert evidence["onsite_property_check"] == [5, 6, 7]
    assert evidence["obstruction_punished_or_referred"] == []


def on(day: date, *steps: RecordedStep) -> tuple[RecordedStep, ...]:
    return tuple(RecordedStep(s.kind, day, s.subtype, s.id) for s in steps)


@pytest.mark.parametrize(
    ("case_file", "missing"),
    [
        pytest.param(facts(on(CLOSE, *FULL)), [], id="measures dated on the ruling's day support it"),
        pytest.param(
            facts(on(CLOSE + timedelta(days=1), *FULL)),
            [i for i in MISSING_ITEMS[:9] if i not in ("dishonest_listing", "missing_respondent_search")],
            id="measures dated after the ruling do not",
        ),
        pytest.param(
            facts((*FULL, OBSTRUCTION), referrals_on=(CLOSE,), dishonest_decided=True),
            [],
            id="a referral on the ruling's day answers the obstruction",
        ),
        pytest.param(
            facts(
                (*without("property_report_order"), RecordedStep("property_report_failed", DAY)),
                dishonest_decided=False,
            ),
            ["property_report_order"],
            id="a failure to report without an order is no listing ground",
        ),
        pytest.param(
            facts(
                (
                    *without("property_report_order"),
                    RecordedStep("property_report_failed", DAY),
                    RecordedStep("property_report_order", DAY + timedelta(days=1)),
                )
            ),
            [],
            id="an order after the failure is no listing ground",
        ),
        pytest.param(
            facts((*FULL, RecordedStep("property_report_failed", DAY))),
            ["dishonest_listing"],
            id="a failure on the order's day is a listing ground",
        ),
    ],
)
def test_dates_on_and_after_the_ruling(case_file: TerminationFacts, missing: list[str]) -> None:
    # SPC 终本 rules 2016 art. 1: what the file shows on the day of the ruling; dishonest-list rules
    # art. 1(5): failing to report property is a ground only once a report order was served.
    assert missing_for_termination(case_file, min_months=3) == missing
