"""The clocks D1–D19 computed from events, without a database (DOMAIN.md §4).

Calendar facts used (2026 State Council notice, as carried by `chinese_calendar`): Sat 14 Feb is a
make-up working day; 1–7 Oct are holidays; 2027 is not in the package (weekends only, provisional).
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from app.enums import DeadlineStatus
from app.enums import SuspensionKind
from app.rules.deadline_rules import BOARD_RULES
from app.rules.deadline_rules import RULES
from app.rules.deadline_rules import RULES_BY_ID
from app.rules.deadline_rules import WINDOW_RULES
from app.rules.deadline_rules import ClockComputation
from app.rules.deadline_rules import ClockEvent
from app.rules.deadline_rules import ClockKind
from app.rules.deadline_rules import Pause
from app.rules.deadline_rules import asset_expiry
from app.rules.deadline_rules import derive_clocks
from app.rules.deadline_rules import settled_status
from app.rules.deadline_rules import suspensions
from app.rules.deadline_rules import warning_windows
from app.rules.periods import WorkingCalendar
from app.rules.periods import YearOverride
from app.settings import Settings

D = date.fromisoformat
CAL = WorkingCalendar.from_sources({})
SETTINGS = Settings(environment="test", jwt_secret="unit-test-secret-" + "x" * 32)
CASE = 7


def ev(
    n: int, name: str, on: str, *, subject: tuple[str, int] = ("case", CASE), **params: object
) -> ClockEvent:
    return ClockEvent(
        id=n, name=name, on=D(on), subject_type=subject[0], subject_id=subject[1], params=params
    )


def clocks(
    *events: ClockEvent,
    category: str = "civil_commercial",
    cal: WorkingCalendar = CAL,
    settings: Settings = SETTINGS,
) -> dict[str, ClockComputation]:
    computed = derive_clocks(list(events), category=category, cal=cal, settings=settings)
    return {f"{c.rule}#{c.seq}" if c.seq else c.rule: c for c in computed}


def test_every_rule_d1_to_d19_is_configured_with_a_source_and_a_setting() -> None:
    assert [rule.id for rule in RULES] == [f"D{n}" for n in range(1, 20)]
    for rule in RULES:
        assert rule.source
        assert rule.duration(SETTINGS) >= 1
        assert rule.warning_days(SETTINGS) >= 0
    assert WINDOW_RULES == {"D4", "D7", "D17"}
    assert BOARD_RULES.isdisjoint(WINDOW_RULES)


@pytest.mark.parametrize(
    ("filed_on", "rule", "due_on", "provisional"),
    [
        pytest.param("2026-02-13", "D1", "2026-02-14", False, id="Fri + 1 working day = make-up Sat 14 Feb"),
        pytest.param("2026-04-30", "D1", "2026-05-06", False, id="Thu + 1 working day over 1-5 May"),
        pytest.param("2026-03-20", "D2", "2026-03-30", False, id="10 days to Mon 30 Mar"),
        pytest.param("2026-09-24", "D2", "2026-10-08", False, id="day 10 inside National Day -> Thu 8 Oct"),
        pytest.param("2026-01-31", "D3", "2026-07-31", False, id="6 months, same date"),
        pytest.param("2026-08-31", "D3", "2027-03-01", True, id="Sun 28 Feb 2027 -> Mon 1 Mar, provisional"),
        pytest.param("2026-01-31", "D4", "2026-05-01", False, id="day after 30 Apr, a holiday: no roll"),
        pytest.param("2026-01-15", "D4", "2026-04-16", False, id="earliest 终本 the day after 15 Apr"),
        pytest.param(
            "2026-02-04", "D4", "2026-05-05", False, id="earliest 终本 5 May, in the May Day holiday"
        ),
    ],
)
def test_filing_starts_d1_to_d4(filed_on: str, rule: str, due_on: str, provisional: bool) -> None:
    clock = clocks(ev(1, "case.filed", filed_on))[rule]
    assert (clock.started_on, clock.due_on, clock.provisional) == (D(filed_on), D(due_on), provisional)
    assert clock.status == DeadlineStatus.open


def test_filing_starts_exactly_the_four_case_clocks() -> None:
    assert set(clocks(ev(1, "case.filed", "2026-03-02"))) == {"D1", "D2", "D3", "D4"}


def test_administrative_nonlitigation_cases_get_three_months_for_d3() -> None:
    clock = clocks(ev(1, "case.filed", "2026-01-31"), category="administrative_nonlitigation")["D3"]
    assert clock.due_on == D("2026-04-30")


def test_court_loading_2027_clears_the_provisional_flag() -> None:
    loaded = WorkingCalendar.from_sources({2027: YearOverride(frozenset({D("2027-03-01")}), frozenset())})
    clock = clocks(ev(1, "case.filed", "2026-08-31"), cal=loaded)["D3"]
    assert (clock.due_on, clock.provisional) == (D("2027-03-02"), False)


@pytest.mark.parametrize(
    ("events", "due_on", "paused_days"),
    [
        pytest.param(
            [
                ("suspension.started", "2026-03-10", "suspension"),
                ("suspension.ended", "2026-03-30", "suspension"),
            ],
            "2026-08-20",
            20,
            id="20 days later",
        ),
        pytest.param(
            [
                ("suspension.started", "2026-03-10", "deferral"),
                ("suspension.ended", "2026-03-11", "deferral"),
            ],
            "2026-08-03",
            1,
            id="1 day: Sat 1 Aug rolls to Mon 3 Aug",
        ),
        pytest.param(
            [
                ("suspension.started", "2026-03-10", "public_notice"),
                ("suspension.ended", "2026-03-30", "public_notice"),
                ("suspension.started", "2026-03-20", "appraisal_auction"),
                ("suspension.ended", "2026-04-09", "appraisal_auction"),
            ],
            "2026-08-31",
            30,
            id="overlapping pauses count once (30 days): Sun 30 Aug -> Mon 31 Aug",
        ),
        pytest.param(
            [
                ("suspension.started", "2026-08-01", "suspension"),
                ("suspension.ended", "2026-08-21", "suspension"),
            ],
            "2026-07-31",
            0,
            id="a suspension after the due date changes nothing",
        ),
    ],
)
def test_d3_pauses_by_the_suspended_calendar_days(
    events: list[tuple[str, str, str]], due_on: str, paused_days: int
) -> None:
    recorded = [ev(1, "case.filed", "2026-01-31")]
    recorded += [ev(n, name, on, kind=kind) for n, (name, on, kind) in enumerate(events, start=2)]
    clock = clocks(*recorded)["D3"]
    assert (clock.due_on, clock.paused_days, clock.status) == (D(due_on), paused_days, DeadlineStatus.open)


def test_a_running_suspension_pauses_d2_and_d3_but_not_d1_or_d4() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"), ev(2, "suspension.started", "2026-03-05", kind="suspension")
    )
    assert {rule: c.status for rule, c in result.items()} == {
        "D1": DeadlineStatus.open,
        "D2": DeadlineStatus.paused,
        "D3": DeadlineStatus.paused,
        "D4": DeadlineStatus.open,
    }
    assert result["D3"].paused_since == D("2026-03-05")
    assert result["D3"].due_on == D("2026-09-02")  # as if it resumed the day it paused


def test_a_deferral_ends_by_itself_the_day_after_its_last_day() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "disposal.approved", "2026-03-03", subject=("transfer", 5)),
        ev(3, "suspension.started", "2026-03-05", kind="deferral", ends_on="2026-04-04"),
    )
    # Paused 5 March through 4 April (31 days) with no resumption recorded.
    assert {rule: (c.status, c.paused_days, c.due_on) for rule, c in result.items() if rule != "D1"} == {
        "D2": (DeadlineStatus.open, 31, D("2026-04-13")),  # 12 Apr is a Sunday
        "D3": (DeadlineStatus.open, 31, D("2026-10-08")),  # 3 Oct falls in the National Day holiday
        "D4": (DeadlineStatus.open, 0, D("2026-06-03")),
        "D13": (DeadlineStatus.open, 31, D("2026-07-02")),
    }


def test_a_deferral_resumed_early_ends_on_the_resumption() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "suspension.started", "2026-03-05", kind="deferral", ends_on="2026-04-04"),
        ev(3, "suspension.ended", "2026-03-15", kind="deferral"),
    )
    assert (result["D2"].paused_days, result["D2"].due_on) == (10, D("2026-03-23"))


def test_a_deferral_without_a_last_day_lasts_at_most_three_months() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"), ev(2, "suspension.started", "2026-03-05", kind="deferral")
    )
    assert (result["D3"].status, result["D3"].paused_days) == (DeadlineStatus.open, 93)  # through 5 June


def test_a_suspension_without_an_end_date_stays_paused_until_resumed() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "disposal.approved", "2026-03-03", subject=("transfer", 5)),
        ev(3, "suspension.started", "2026-03-05", kind="suspension", ends_on="2026-04-04"),
    )
    assert {result[r].status for r in ("D2", "D3", "D13")} == {DeadlineStatus.paused}


def test_public_notice_and_appraisal_pause_d3_only() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "suspension.started", "2026-03-05", kind="public_notice"),
        ev(3, "suspension.ended", "2026-03-15", kind="public_notice"),
    )
    assert (result["D2"].due_on, result["D3"].due_on) == (D("2026-03-12"), D("2026-09-14"))


def test_an_end_without_a_kind_closes_the_earliest_running_suspension() -> None:
    pauses = suspensions(
        [
            ev(1, "suspension.started", "2026-03-05", kind="suspension"),
            ev(2, "suspension.ended", "2026-03-15"),
        ]
    )
    assert [(p.start, p.end) for p in pauses] == [(D("2026-03-05"), D("2026-03-15"))]


def test_an_approved_extension_adds_three_months_to_d3() -> None:
    clock = clocks(ev(1, "case.filed", "2026-01-31"), ev(2, "extension.approved", "2026-07-20", months=3))[
        "D3"
    ]
    assert (clock.due_on, clock.extension_months) == (D("2026-11-02"), 3)  # Sat 31 Oct -> Mon 2 Nov


@pytest.mark.parametrize(
    ("met_on", "met_late"),
    [("2026-02-14", False), ("2026-02-16", True)],
    ids=["registered on the make-up Saturday", "registered after Spring Festival began"],
)
def test_a_met_clock_records_its_date_and_lateness(met_on: str, met_late: bool) -> None:
    clock = clocks(ev(1, "case.filed", "2026-02-13"), ev(2, "case.registered", met_on))["D1"]
    assert (clock.status, clock.met_on, clock.met_late) == (DeadlineStatus.met, D(met_on), met_late)


def test_events_are_applied_in_legal_date_order_whatever_order_they_were_recorded() -> None:
    story = [
        ("case.filed", "2026-01-31", {}),
        ("suspension.started", "2026-03-10", {"kind": "suspension"}),
        ("suspension.ended", "2026-03-30", {"kind": "suspension"}),
        ("case.registered", "2026-02-02", {}),
        ("measure.execution_notice", "2026-02-05", {}),
    ]
    shuffled = story[:]
    random.Random(4).shuffle(shuffled)
    outcomes = []
    for order in (story, shuffled, list(reversed(story))):
        result = clocks(*(ev(n, name, on, **p) for n, (name, on, p) in enumerate(order, start=1)))
        outcomes.append({r: (c.due_on, c.status, c.met_on, c.paused_days) for r, c in result.items()})
    assert outcomes[0]["D3"] == (D("2026-08-20"), DeadlineStatus.open, None, 20)
    assert outcomes[0]["D1"][1:3] == (DeadlineStatus.met, D("2026-02-02"))
    assert outcomes[1] == outcomes[0] == outcomes[2]


def test_d2_is_met_on_the_later_of_the_notice_and_the_report_order() -> None:
    filed, notice = ev(1, "case.filed", "2026-01-20"), ev(2, "measure.execution_notice", "2026-01-22")
    assert clocks(filed, notice)["D2"].status == DeadlineStatus.open
    report = ev(3, "measure.property_report_order", "2026-01-26")
    d2 = clocks(filed, notice, report)["D2"]
    assert (d2.status, d2.met_on, d2.met_late) == (DeadlineStatus.met, D("2026-01-26"), False)
    assert clocks(filed, report)["D2"].status == DeadlineStatus.open


@pytest.mark.parametrize(
    ("closed_on", "rule", "status", "met_on"),
    [
        pytest.param("2026-03-05", "D2", DeadlineStatus.met, "2026-03-05", id="closed before D2 fell due"),
        pytest.param("2026-03-12", "D2", DeadlineStatus.met, "2026-03-12", id="closed on D2's due date: met"),
        pytest.param("2026-03-13", "D2", DeadlineStatus.open, None, id="closed the day after D2's due date"),
        pytest.param(
            "2026-03-20", "D2", DeadlineStatus.open, None, id="closed after D2 fell due: still unmet"
        ),
        pytest.param("2026-03-05", "D3", DeadlineStatus.met, "2026-03-05", id="closing meets D3"),
        pytest.param("2026-03-05", "D4", DeadlineStatus.met, "2026-03-05", id="closing ends the wait"),
        pytest.param("2026-07-01", "D4", DeadlineStatus.met, "2026-06-03", id="D4 ran out before closing"),
    ],
)
def test_closing_the_case(closed_on: str, rule: str, status: DeadlineStatus, met_on: str | None) -> None:
    clock = clocks(ev(1, "case.filed", "2026-03-02"), ev(2, "case.closed", closed_on))[rule]
    assert (clock.status, clock.met_on) == (status, D(met_on) if met_on else None)
    assert clock.met_late is False


def test_closing_a_suspended_case_ends_the_pause_of_its_clocks() -> None:
    clock = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "suspension.started", "2026-03-05", kind="suspension"),
        ev(3, "case.closed", "2026-04-01"),
    )["D2"]
    assert (clock.status, clock.met_on, clock.paused_since) == (DeadlineStatus.met, D("2026-04-01"), None)


@pytest.mark.parametrize(
    ("kind", "controlled_on", "due_on"),
    [
        pytest.param("bank_deposit", "2025-03-03", "2026-03-03", id="deposit 1 year"),
        pytest.param("online_payment", "2025-03-03", "2026-03-03", id="payment balance like a deposit"),
        pytest.param("vehicle", "2024-10-08", "2026-10-08", id="movable 2 years"),
        pytest.param("equipment", "2024-10-01", "2026-09-30", id="movable, 1 Oct 2026 holiday -> 30 Sep"),
        pytest.param("bank_deposit", "2025-10-04", "2026-09-30", id="lapses 4 Oct in the holiday -> 30 Sep"),
        pytest.param("real_estate", "2023-03-01", "2026-02-28", id="Sun 1 Mar 2026 -> make-up Sat 28 Feb"),
        pytest.param("real_estate", "2023-06-01", "2026-06-01", id="real estate 3 years"),
        pytest.param("equity", "2023-06-01", "2026-06-01", id="other property right 3 years"),
        pytest.param("unheard_of", "2025-03-03", "2026-03-03", id="unknown kind: shortest term"),
    ],
)
def test_d12_term_depends_on_what_was_frozen_or_sealed(kind: str, controlled_on: str, due_on: str) -> None:
    clock = clocks(ev(1, "asset.controlled", controlled_on, subject=("asset", 3), kind=kind))["D12"]
    assert (clock.subject_type, clock.subject_id, clock.due_on) == ("asset", 3, D(due_on))


def test_d12_warns_thirty_days_ahead_and_other_duties_seven() -> None:
    windows = warning_windows(SETTINGS)
    assert windows[SETTINGS.d12_reminder_days_before] == {"D12"}
    assert "D3" in windows[SETTINGS.deadline_warning_days]


def test_a_renewal_meets_the_term_and_starts_the_next() -> None:
    result = clocks(
        ev(1, "asset.controlled", "2025-03-03", subject=("asset", 3), kind="bank_deposit"),
        ev(2, "asset.renewed", "2026-02-20", subject=("asset", 3), expires_on="2027-03-03"),
        ev(3, "asset.renewed", "2027-02-10", subject=("asset", 3), expires_on="2028-03-04"),
    )
    assert (result["D12"].status, result["D12"].met_on) == (DeadlineStatus.met, D("2026-02-20"))
    assert (result["D12#1"].started_on, result["D12#1"].due_on) == (D("2026-02-20"), D("2027-03-03"))
    assert result["D12#1"].met_on == D("2027-02-10")
    assert (result["D12#2"].due_on, result["D12#2"].status) == (D("2028-03-03"), DeadlineStatus.open)


def test_a_release_ends_the_term() -> None:
    result = clocks(
        ev(1, "asset.controlled", "2025-10-04", subject=("asset", 3), kind="bank_deposit"),
        ev(2, "asset.released", "2026-05-06", subject=("asset", 3)),
        ev(3, "case.closed", "2026-03-02"),
    )
    assert (result["D12"].status, result["D12"].met_on) == (DeadlineStatus.met, D("2026-05-06"))


@pytest.mark.parametrize(
    ("kind", "rules"),
    [
        ("enforcement_act", {"D5", "D15"}),
        ("outsider", {"D6", "D15"}),
        ("jurisdiction", {"D15"}),
        ("add_change_parties", {"D15", "D16"}),
    ],
)
def test_objection_kind_decides_d5_or_d6(kind: str, rules: set[str]) -> None:
    assert (
        set(clocks(ev(1, "objection.received", "2026-03-02", subject=("objection", 9), kind=kind))) == rules
    )


def test_objection_desk_clocks_docketing_party_changes_and_the_outsiders_window() -> None:
    result = clocks(
        ev(1, "objection.received", "2026-09-29", subject=("objection", 9), kind="add_change_parties"),
        ev(2, "objection.docketed", "2026-10-08", subject=("objection", 9), kind="add_change_parties"),
        ev(3, "objection.received", "2026-03-02", subject=("objection", 10), kind="outsider"),
        ev(4, "objection.outsider_upheld_served", "2026-03-20", subject=("objection", 10), kind="outsider"),
    )
    # 3 days from 29 Sep end 2 Oct, in the National Day holiday: docketed on 8 Oct, the first working day.
    assert (result["D15"].due_on, result["D15"].met_on, result["D15"].met_late) == (
        D("2026-10-08"),
        D("2026-10-08"),
        False,
    )
    assert result["D16"].due_on == D("2026-11-30")  # 60 days: Sat 28 Nov -> Mon 30 Nov
    window = result["D17"]
    assert (window.started_on, window.due_on) == (
        D("2026-03-20"),
        D("2026-04-07"),
    )  # 4 Apr -> Qingming -> 7 Apr
    assert RULES_BY_ID["D17"].kind == ClockKind.party_window


def test_objection_flow_d5_d7_d8() -> None:
    objection = ("objection", 9)
    result = clocks(
        ev(1, "objection.received", "2026-03-02", subject=objection, kind="enforcement_act"),
        ev(2, "objection.ruled", "2026-03-16", subject=objection, kind="enforcement_act"),
        ev(3, "objection.ruling_served", "2026-03-18", subject=objection, kind="enforcement_act"),
        ev(4, "objection.reconsideration_applied", "2026-03-25", subject=objection),
    )
    assert (result["D5"].due_on, result["D5"].met_on) == (D("2026-03-17"), D("2026-03-16"))
    assert (result["D7"].due_on, result["D7"].status) == (D("2026-03-30"), DeadlineStatus.met)
    assert (result["D8"].started_on, result["D8"].due_on) == (D("2026-03-25"), D("2026-03-30"))


def test_outsider_rulings_open_no_reconsideration_window() -> None:
    assert "D7" not in clocks(
        ev(1, "objection.ruling_served", "2026-03-18", subject=("objection", 9), kind="outsider")
    )


def test_petition_without_case_d9_then_d10() -> None:
    petition = ("petition", 5)
    result = clocks(
        ev(1, "petition.received", "2026-02-12", subject=petition),
        ev(2, "petition.registered", "2026-02-14", subject=petition),
    )
    assert result["D9"].due_on == D("2026-02-26")  # 13 Feb, Sat 14 Feb, then 24-26 Feb
    assert (result["D9"].status, result["D10"].due_on) == (DeadlineStatus.met, D("2026-03-16"))


def test_d13_ignores_appraisal_but_pauses_for_a_suspension() -> None:
    transfer = ("disposal_transfer", 4)
    base = [
        ev(1, "disposal.approved", "2026-03-02", subject=transfer),
        ev(2, "suspension.started", "2026-04-01", kind="appraisal_auction"),
        ev(3, "suspension.ended", "2026-04-21", kind="appraisal_auction"),
    ]
    assert clocks(*base)["D13"].due_on == D("2026-06-01")  # 31 May is a Sunday
    paused = base + [
        ev(4, "suspension.started", "2026-04-01", kind="suspension"),
        ev(5, "suspension.ended", "2026-04-11", kind="suspension"),
    ]
    assert clocks(*paused)["D13"].due_on == D("2026-06-10")


def _computed(
    rule: str, due_on: str, *, met_on: str | None = None, paused: str | None = None
) -> ClockComputation:
    return ClockComputation(
        rule=rule,
        subject_type="case",
        subject_id=CASE,
        seq=0,
        start_event_id=1,
        started_on=D("2026-01-05"),
        due_on=D(due_on),
        provisional=False,
        met_on=D(met_on) if met_on else None,
        met_late=False,
        met_by_event=bool(met_on),
        paused_since=D(paused) if paused else None,
        paused_days=0,
        extension_months=0,
    )


@pytest.mark.parametrize(
    ("rule", "due_on", "previous", "status", "met_on"),
    [
        pytest.param(
            "D2", "2026-03-01", None, DeadlineStatus.open, None, id="new and past due: sweep marks it"
        ),
        pytest.param("D2", "2026-03-01", "breached", DeadlineStatus.breached, None, id="breach kept"),
        pytest.param(
            "D2", "2026-03-31", "breached", DeadlineStatus.open, None, id="due moved to today: reopened"
        ),
        pytest.param("D4", "2026-03-01", "met", DeadlineStatus.met, "2026-03-01", id="window that ran out"),
        pytest.param(
            "D4", "2026-04-01", "met", DeadlineStatus.open, None, id="window moved later: open again"
        ),
    ],
)
def test_settled_status_keeps_the_sweeps_marks_only_while_still_past_due(
    rule: str, due_on: str, previous: str | None, status: DeadlineStatus, met_on: str | None
) -> None:
    result = settled_status(_computed(rule, due_on), previous=previous, today=D("2026-03-31"))
    assert result == (status, D(met_on) if met_on else None)


def test_settled_status_leaves_met_and_paused_clocks_alone() -> None:
    today = D("2026-03-31")
    assert settled_status(
        _computed("D2", "2026-03-01", met_on="2026-03-03"), previous="breached", today=today
    ) == (DeadlineStatus.met, D("2026-03-03"))
    assert settled_status(
        _computed("D3", "2026-03-01", paused="2026-02-20"), previous="breached", today=today
    ) == (DeadlineStatus.paused, None)


def test_window_rules_never_count_against_the_court() -> None:
    assert {r.id for r in RULES if r.kind != ClockKind.duty} == {"D4", "D7", "D17"}
    assert RULES_BY_ID["D7"].kind == ClockKind.party_window


# Case money: D18 and D19 ----------------------------------------------------------------------------

RECEIPT = ("receipt", 5)


def test_unclaimed_money_is_claimed_within_three_working_days():
    received = ev(1, "money.unclaimed_received", "2026-10-09", subject=RECEIPT)  # Friday, after National Day
    d18 = derive_clocks([received], category=None, cal=CAL, settings=SETTINGS)[0]
    # Saturday 10 October is a make-up working day (调休): it counts, Sunday does not
    assert (d18.rule, d18.due_on) == ("D18", D("2026-10-13"))
    claimed = ev(2, "money.claimed", "2026-10-13", subject=RECEIPT)
    [met] = derive_clocks([received, claimed], category=None, cal=CAL, settings=SETTINGS)
    assert (met.status, met.met_late) == (DeadlineStatus.met, False)


def test_a_payout_deferral_pauses_only_the_payout_clock_until_lifted():
    filed = ev(1, "case.filed", "2026-03-02")
    received = ev(2, "money.received", "2026-03-10", subject=RECEIPT)
    deferred = ev(3, "money.payout_deferred", "2026-03-20", subject=("payout_deferral", 1))
    running = clocks(filed, received, deferred)
    assert (running["D19"].status, running["D19"].paused_since) == (DeadlineStatus.paused, D("2026-03-20"))
    assert running["D3"].status == DeadlineStatus.open  # enforcement goes on meanwhile
    lifted = ev(4, "money.payout_deferral_lifted", "2026-03-30", subject=("payout_deferral", 1))
    resumed = clocks(filed, received, deferred, lifted)["D19"]
    # 30 days from 10 March end 9 April; 10 days deferred: Sunday 19 April, so Monday 20 April
    assert (resumed.status, resumed.paused_days, resumed.due_on) == (DeadlineStatus.open, 10, D("2026-04-20"))
    paid = ev(5, "money.paid_out", "2026-04-15", subject=RECEIPT)
    assert clocks(filed, received, deferred, lifted, paid)["D19"].status == DeadlineStatus.met


@pytest.mark.parametrize(
    ("kind", "start", "expiry"),
    [
        ("bank_deposit", "2025-03-03", "2026-03-03"),
        ("bank_deposit", "2024-02-29", "2025-02-28"),
        ("vehicle", "2024-10-08", "2026-10-08"),
        ("real_estate", "2023-06-01", "2026-06-01"),
        ("securities", "2023-06-01", "2026-06-01"),
        ("unheard_of", "2025-03-03", "2026-03-03"),
    ],
)
def test_a_freeze_or_seal_lapses_on_the_same_date_of_its_final_year(
    kind: str, start: str, expiry: str
) -> None:
    # SPC interpretation of the CPL (2022) art. 485: deposits 1 year, movables 2, real estate 3.
    assert asset_expiry(kind, D(start), SETTINGS) == D(expiry)


def test_a_deferral_with_no_last_day_and_no_maximum_lasts_until_it_is_resumed() -> None:
    started = ev(1, "suspension.started", "2026-03-05", kind="deferral")
    resumed = ev(2, "suspension.ended", "2026-07-20", kind="deferral")
    assert suspensions([started, resumed]) == [
        Pause(SuspensionKind.deferral, D("2026-03-05"), D("2026-07-20"))
    ]
    assert suspensions([started]) == [Pause(SuspensionKind.deferral, D("2026-03-05"), None)]
    # SPC deferral rules 2002: at most three months, whatever date the resumption was recorded on.
    assert suspensions([started, resumed], deferral_max_months=3) == [
        Pause(SuspensionKind.deferral, D("2026-03-05"), D("2026-06-06"))
    ]


def test_an_end_naming_its_subject_closes_that_subjects_suspension_not_the_earliest() -> None:
    pauses = suspensions(
        [
            ev(1, "suspension.started", "2026-03-05", kind="suspension"),
            ev(2, "suspension.started", "2026-03-06", subject=("objection", 5), kind="suspension"),
            ev(3, "suspension.ended", "2026-03-10", subject=("objection", 5)),
        ]
    )
    assert [(p.start, p.end) for p in pauses] == [(D("2026-03-05"), None), (D("2026-03-06"), D("2026-03-10"))]


@pytest.mark.parametrize(
    ("events", "status", "paused_days", "due_on"),
    [
        pytest.param(
            [("2026-03-10", "2026-03-10")], DeadlineStatus.open, 0, "2026-03-12", id="ended the day it began"
        ),
        pytest.param(
            [("2026-01-05", "2026-01-10"), ("2026-03-05", "2026-03-08")],
            DeadlineStatus.open,
            3,
            "2026-03-16",
            id="one before filing, one after: Sun 15 Mar -> Mon 16 Mar",
        ),
        pytest.param(
            [("2026-03-12", "2026-03-15")], DeadlineStatus.open, 3, "2026-03-16", id="begun on the due date"
        ),
        pytest.param(
            [("2026-03-04", "2026-03-06"), ("2026-03-08", "2026-03-10")],
            DeadlineStatus.open,
            4,
            "2026-03-16",
            id="two apart count their own days",
        ),
    ],
)
def test_d2_pauses_for_each_suspension_while_it_runs(
    events: list[tuple[str, str]], status: DeadlineStatus, paused_days: int, due_on: str
) -> None:
    recorded = [ev(1, "case.filed", "2026-03-02")]
    for n, (start, end) in enumerate(events):
        recorded += [
            ev(10 + 2 * n, "suspension.started", start, kind="suspension"),
            ev(11 + 2 * n, "suspension.ended", end, kind="suspension"),
        ]
    d2 = clocks(*recorded)["D2"]
    assert (d2.status, d2.paused_days, d2.due_on) == (status, paused_days, D(due_on))


def test_a_running_pause_overlapping_an_ended_one_pauses_from_the_first() -> None:
    result = clocks(
        ev(1, "case.filed", "2026-01-31"),
        ev(2, "suspension.started", "2026-03-05", kind="suspension"),
        ev(3, "suspension.ended", "2026-03-10", kind="suspension"),
        ev(4, "suspension.started", "2026-03-08", kind="public_notice"),
    )
    assert (result["D3"].status, result["D3"].paused_since) == (DeadlineStatus.paused, D("2026-03-05"))
    reversed_kinds = clocks(
        ev(1, "case.filed", "2026-01-31"),
        ev(2, "suspension.started", "2026-03-05", kind="public_notice"),
        ev(3, "suspension.started", "2026-03-08", kind="suspension"),
        ev(4, "suspension.ended", "2026-03-10", kind="suspension"),
    )
    assert (reversed_kinds["D3"].status, reversed_kinds["D3"].paused_since) == (
        DeadlineStatus.paused,
        D("2026-03-05"),
    )


def test_an_extension_lengthens_only_the_clock_it_names_by_the_months_approved() -> None:
    filed, transfer = (
        ev(1, "case.filed", "2026-01-31"),
        ev(2, "disposal.approved", "2026-03-03", subject=("transfer", 5)),
    )
    default = clocks(filed, transfer, ev(3, "extension.approved", "2026-07-20"))
    assert (default["D3"].extension_months, default["D3"].due_on) == (3, D("2026-11-02"))
    assert default["D2"].extension_months == default["D13"].extension_months == 0
    one_month = clocks(filed, ev(3, "extension.approved", "2026-07-20", months=1))["D3"]
    assert (one_month.extension_months, one_month.due_on) == (1, D("2026-08-31"))  # Mon 31 Aug
    twice = clocks(
        filed, ev(3, "extension.approved", "2026-07-20"), ev(4, "extension.approved", "2026-10-20")
    )
    assert twice["D3"].extension_months == 6
    # A clock counted in days, started the same day as the extension: 90 days to 1 Jun, then a month.
    d13 = clocks(
        filed,
        transfer,
        ev(3, "extension.approved", "2026-03-03", subject=("transfer", 5), rule="D13", months=1),
    )
    assert (d13["D13"].extension_months, d13["D13"].due_on, d13["D3"].extension_months) == (
        1,
        D("2026-07-01"),
        0,
    )


def test_an_extension_granted_on_the_day_a_clock_is_met_still_counts() -> None:
    result = clocks(
        ev(1, "disposal.approved", "2026-03-03", subject=("transfer", 5)),
        ev(2, "disposal.returned", "2026-07-01", subject=("transfer", 5)),
        ev(3, "extension.approved", "2026-07-01", subject=("transfer", 5), rule="D13", months=1),
    )
    assert (result["D13"].extension_months, result["D13"].met_late) == (1, False)


def test_a_term_in_years_is_extended_by_months() -> None:
    result = clocks(
        ev(1, "asset.controlled", "2025-03-03", subject=("asset", 3), kind="bank_deposit"),
        ev(2, "extension.approved", "2025-06-01", subject=("asset", 3), rule="D12", months=1),
    )
    assert result["D12"].due_on == D("2026-04-03")


def test_clocks_met_or_ended_on_the_day_they_start() -> None:
    same_day = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "case.registered", "2026-03-02"),
        ev(3, "measure.execution_notice", "2026-03-02"),
        ev(4, "measure.property_report_order", "2026-03-02"),
    )
    assert [(same_day[r].met_on, same_day[r].met_by_event) for r in ("D1", "D2")] == [
        (D("2026-03-02"), True)
    ] * 2
    assert same_day["D1"].start_event_id == 1
    closed = clocks(ev(1, "case.filed", "2026-03-02"), ev(2, "case.closed", "2026-03-02"))
    assert (closed["D2"].status, closed["D2"].met_on, closed["D2"].met_by_event) == (
        DeadlineStatus.met,
        D("2026-03-02"),
        False,
    )


def test_closing_the_case_leaves_an_objection_awaiting_its_ruling() -> None:
    # CPL (2023) art. 236: the objection is ruled on whatever becomes of the case.
    result = clocks(
        ev(1, "case.filed", "2026-03-02"),
        ev(2, "objection.received", "2026-03-05", subject=("objection", 4)),
        ev(3, "case.closed", "2026-03-06"),
    )
    assert (result["D5"].status, result["D5"].met_on) == (DeadlineStatus.open, None)


def test_settled_status_on_the_due_date_and_after_a_duty_was_met() -> None:
    today = D("2026-03-31")
    # D4's due date is the first day 终本 is allowed: the wait is over on that very day.
    assert settled_status(_computed("D4", "2026-03-31"), previous="met", today=today) == (
        DeadlineStatus.met,
        today,
    )
    # A duty computed unmet again (a meeting event withdrawn) is open, whatever was stored.
    assert settled_status(_computed("D2", "2026-03-01"), previous="met", today=today) == (
        DeadlineStatus.open,
        None,
    )
