"""Deadline clocks D1–D19 (节点控制) as data, and the pure computation of a clock from its events.

Values in, values out: the recorded events of one case (or one case-less subject), the case's
category, the working calendar and the settings give every clock's start, due date, pauses and
outcome. Nothing here reads the database or the clock on the wall, so a calendar change or a
back-dated event is handled by computing again. Sources: docs/rules.md#deadlines and the rules
cited per clock.

Three kinds of clock:
- ``duty``: the court must act by the due date; the sweep marks it ``breached`` once the date passes.
- ``waiting_period`` (D4): the earliest date an act is allowed (终本 only after 3 months). It never
  breaches: once the date has passed it is ``met`` (met_on = the due date).
- ``party_window`` (D7): time a party has to act (apply for reconsideration). The court cannot breach
  it: it is ``met`` when the party acts, or when the window has run out (met_on = the due date).
Only duties appear on the early-warning board.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import KW_ONLY
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from enum import StrEnum
from typing import Any

from app.enums import AssetKind
from app.enums import Category
from app.enums import DeadlineStatus
from app.enums import ObjectionKind
from app.enums import SuspensionKind
from app.rules.periods import PeriodEnd
from app.rules.periods import WorkingCalendar
from app.rules.periods import add_working_days
from app.rules.periods import end_before_rest_day
from app.rules.periods import end_on_working_day
from app.rules.periods import first_day_after_months
from app.rules.periods import same_date_months_later
from app.settings import Settings


class ClockUnit(StrEnum):
    days = "days"
    months = "months"
    working_days = "working_days"
    years = "years"


class ClockKind(StrEnum):
    duty = "duty"
    waiting_period = "waiting_period"
    party_window = "party_window"


ALL_SUSPENSIONS = frozenset(SuspensionKind)
# Enforcement stops during a deferral (暂缓) or a suspension (中止): nothing can be done meanwhile.
ENFORCEMENT_STOPPED = frozenset({SuspensionKind.deferral, SuspensionKind.suspension})


@dataclass(frozen=True)
class ClockRule:
    """One clock of docs/rules.md#deadlines: what starts, meets and pauses it, and how long it runs.
    Its id, title, unit and duration setting come first, in that order; the rest by name."""

    id: str
    title: str
    unit: ClockUnit
    duration_setting: str
    _: KW_ONLY
    starts_on: frozenset[str]
    met_by: frozenset[str] = frozenset()
    # Every one of these events is needed; the clock is met on the date of the latest of them.
    met_by_all: frozenset[str] = frozenset()
    # Only start events whose params["kind"] is one of these start the clock (None: any).
    start_kinds: frozenset[str] | None = None
    # Another setting for the duration, chosen by the case category or the asset kind.
    variant_settings: Mapping[str, str] = field(default_factory=dict)
    paused_by: frozenset[str] = frozenset()  # SuspensionKind values, or PAYOUT_DEFERRAL
    kind: ClockKind = ClockKind.duty
    warning_setting: str = "deadline_warning_days"
    repeats: bool = False  # a subject may have several in a row (D12: each renewal starts a new term)
    ends_with_case: bool = False  # closing the case ends it (nothing is left to do)
    # The period is a term that lapses on its last day: due on the last working day on or before it.
    lapses: bool = False
    # A waiting period whose due date is the first day after it has run, with no rest-day roll.
    due_day_after: bool = False
    source: str

    def duration(self, settings: Settings, variant: str | None = None) -> int:
        name = self.variant_settings.get(variant or "", self.duration_setting)
        return int(getattr(settings, name))

    def warning_days(self, settings: Settings) -> int:
        return int(getattr(settings, self.warning_setting))


# D12 term by asset kind (SPC interpretation of the CPL: deposits 1 year, movables 2 years, real estate
# and other property rights 3 years). An unknown kind gets the shortest term, so a reminder is never late.
D12_TERM_SETTINGS: Mapping[str, str] = {
    AssetKind.bank_deposit: "d12_bank_deposit_freeze_years",
    AssetKind.online_payment: "d12_bank_deposit_freeze_years",  # balances frozen like deposits
    AssetKind.vehicle: "d12_movable_seal_years",
    AssetKind.equipment: "d12_movable_seal_years",
    AssetKind.other: "d12_movable_seal_years",
    AssetKind.real_estate: "d12_real_estate_seal_years",
    AssetKind.securities: "d12_other_property_years",
    AssetKind.equity: "d12_other_property_years",
}


def asset_expiry(kind: str, start: date, settings: Settings) -> date:
    """The day a freeze or seal made (or renewed from) ``start`` lapses: its kind's term later."""
    # SPC interpretation of the CPL (2022) art. 485: the term runs to the same date of the final year.
    years = int(getattr(settings, D12_TERM_SETTINGS.get(kind, "d12_bank_deposit_freeze_years")))
    return same_date_months_later(start, 12 * years)


# A payout deferral approved by the director (SPC provisions on enforcement money, 2017) pauses
# the payout clock only; it is no suspension of enforcement.
PAYOUT_DEFERRAL = "payout_deferral"
PAYOUT_DEFERRED, PAYOUT_DEFERRAL_LIFTED = "money.payout_deferred", "money.payout_deferral_lifted"

# One entry a clock, kept as a table: id and title; unit and duration setting; the events that start
# and meet it; the rest by name; the source last.
# fmt: off
RULES: tuple[ClockRule, ...] = (
    ClockRule("D1", "Case reaches the command center and is registered",
        ClockUnit.working_days, "d1_registration_working_days",
        starts_on=frozenset({"case.filed"}), met_by=frozenset({"case.registered"}),
        ends_with_case=True,
        source="plan §5(1): 至迟在1个工作日内分流到执行指挥中心"),
    # Sending the notice is an enforcement act, so it waits while enforcement is deferred or suspended.
    ClockRule("D2", "Execution notice and property-report order sent",
        ClockUnit.days, "d2_notice_days",
        starts_on=frozenset({"case.filed"}),
        # SPC interpretation of the CPL art. 482 and SPC rules on property reports art. 1: both documents.
        met_by_all=frozenset({"measure.execution_notice", "measure.property_report_order"}),
        paused_by=ENFORCEMENT_STOPPED, ends_with_case=True,
        source="SPC interpretation of the CPL: execution notice and report order within 10 days of filing"),
    # SPC time-limit rules: periods of public-notice service, deferral, suspension and appraisal/auction
    # are not counted in the enforcement period; the president may extend it by 3 months.
    ClockRule("D3", "Case closed within the enforcement period",
        ClockUnit.months, "d3_closing_months",
        starts_on=frozenset({"case.filed"}), met_by=frozenset({"case.closed"}),
        variant_settings={Category.administrative_nonlitigation: "d3_closing_months_administrative"},
        paused_by=ALL_SUSPENSIONS,
        source="SPC time-limit rules: 6 months, non-litigation administrative 3"),
    # Calendar time since filing: a suspension does not shorten the wait before 终本. Its due date is
    # the earliest 终本 day, the day the 终本 gate first allows (app.rules.termination_gate).
    ClockRule("D4", "Earliest termination of the current procedure (终本)",
        ClockUnit.months, "d4_termination_min_months",
        starts_on=frozenset({"case.filed"}),
        kind=ClockKind.waiting_period, due_day_after=True, ends_with_case=True,
        source="SPC 终本 rules 2016: more than 3 months after filing"),
    ClockRule("D5", "Ruling on an objection to an enforcement act",
        ClockUnit.days, "d5_objection_ruling_days",
        starts_on=frozenset({"objection.received"}),
        start_kinds=frozenset({ObjectionKind.enforcement_act, "act"}),
        met_by=frozenset({"objection.ruled"}),
        source="CPL (2023) art. 236: ruling within 15 days of receipt"),
    ClockRule("D6", "Ruling on a case-outsider objection",
        ClockUnit.days, "d6_outsider_objection_ruling_days",
        starts_on=frozenset({"objection.received"}),
        start_kinds=frozenset({ObjectionKind.outsider, "case_outsider"}),
        met_by=frozenset({"objection.ruled"}),
        source="CPL (2023) art. 238: ruling within 15 days of receipt"),
    # Only a ruling on an enforcement act can be reconsidered; an outsider goes to court instead.
    ClockRule("D7", "Party may apply for reconsideration of the ruling",
        ClockUnit.days, "d7_reconsideration_window_days",
        starts_on=frozenset({"objection.ruling_served"}),
        start_kinds=frozenset({ObjectionKind.enforcement_act, "act"}),
        met_by=frozenset({"objection.reconsideration_applied"}),
        kind=ClockKind.party_window,
        source="CPL (2023) art. 236: reconsideration within 10 days of service of the ruling"),
    ClockRule("D8", "Reconsideration file sent to the higher court",
        ClockUnit.days, "d8_reconsideration_transfer_days",
        starts_on=frozenset({"objection.reconsideration_applied"}),
        met_by=frozenset({"objection.transferred"}),
        source="SPC objection rules 2015: file to the higher court within 5 days"),
    ClockRule("D9", "Petition registered",
        ClockUnit.working_days, "d9_petition_registration_working_days",
        starts_on=frozenset({"petition.received"}), met_by=frozenset({"petition.registered"}),
        source="SPC petition rules 2021: registered in 5 working days"),
    ClockRule("D10", "Petition closed",
        ClockUnit.days, "d10_petition_closing_days",
        starts_on=frozenset({"petition.registered"}), met_by=frozenset({"petition.closed"}),
        source="SPC petition rules 2021: closed within 30 days of registration"),
    ClockRule("D11", "Dishonest-list entry deleted",
        ClockUnit.working_days, "d11_dishonest_deletion_working_days",
        starts_on=frozenset({"dishonest.deletion_triggered"}), met_by=frozenset({"dishonest.deleted"}),
        source="SPC dishonest-list rules: deleted within 3 working days"),
    # The term of a freeze or seal runs whatever happens to the case (seals survive 终本); the reminder
    # comes 30 days ahead. A renewal's new expiry (params expires_on) ends the next term.
    ClockRule("D12", "Freeze or seal expires: renew or release",
        ClockUnit.years, "d12_bank_deposit_freeze_years",
        starts_on=frozenset({"asset.controlled", "asset.renewed"}),
        met_by=frozenset({"asset.released", "asset.renewed"}),
        variant_settings=D12_TERM_SETTINGS, warning_setting="d12_reminder_days_before",
        repeats=True, lapses=True,
        source="SPC interpretation of the CPL: deposits 1 year, movables 2, real estate 3"),
    # Local practice: the disposal group's own appraisal and auction time counts; only a deferral or a
    # suspension of the case stops this clock.
    ClockRule("D13", "Disposal completed and case returned",
        ClockUnit.days, "d13_disposal_return_days",
        starts_on=frozenset({"disposal.approved"}), met_by=frozenset({"disposal.returned"}),
        paused_by=ENFORCEMENT_STOPPED,
        source="local practice: court setting, default 90 days"),
    # Each re-check meets the one due and starts the next; restoring the case ends them.
    ClockRule("D14", "终本 pool case re-checked",
        ClockUnit.months, "termination_recheck_months",
        starts_on=frozenset({"termination_pool.entered", "termination_pool.rechecked"}),
        met_by=frozenset({"termination_pool.rechecked", "termination_pool.left"}),
        repeats=True,
        source="SPC 终本 rules 2016 art. 9: network property inquiry at least every 6 months"),
    ClockRule("D15", "Objection docketed",
        ClockUnit.days, "objection_docketing_days",
        starts_on=frozenset({"objection.received"}), met_by=frozenset({"objection.docketed"}),
        source="SPC objection rules 2015 art. 2: docketed within 3 days of receipt"),
    ClockRule("D16", "Ruling on adding or changing a party",
        ClockUnit.days, "party_change_ruling_days",
        starts_on=frozenset({"objection.received"}),
        start_kinds=frozenset({ObjectionKind.add_change_parties}),
        met_by=frozenset({"objection.ruled"}),
        source="SPC rules on adding and changing parties 2016 art. 28: ruling within 60 days"),
    # The asset named by an upheld outsider objection may not be disposed of while the window runs.
    ClockRule("D17", "Applicant may sue after an outsider's objection is upheld (执行异议之诉)",
        ClockUnit.days, "outsider_upheld_suit_window_days",
        starts_on=frozenset({"objection.outsider_upheld_served"}),
        kind=ClockKind.party_window,
        source="CPL (2023) art. 238; SPC interpretation of the CPL: suit within 15 days of service"),
    # Money that quotes no case account (or a wrong one) waits on the unclaimed list; the office
    # claims it to its case (认领). The clock belongs to the receipt, not to a case.
    ClockRule("D18", "Unclaimed money claimed to its case",
        ClockUnit.working_days, "unclaimed_receipt_working_days",
        starts_on=frozenset({"money.unclaimed_received"}), met_by=frozenset({"money.claimed"}),
        source="plan §6(5) (court setting): unclaimed money claimed within 3 working days"),
    # Each receipt credited to a case runs from the day it was received, and is met once the
    # payouts made cover it (oldest money first), or when the receipt is reversed.
    ClockRule("D19", "Money received paid out",
        ClockUnit.days, "payout_days",
        starts_on=frozenset({"money.received"}),
        met_by=frozenset({"money.paid_out", "money.receipt_reversed"}),
        paused_by=frozenset({PAYOUT_DEFERRAL}),
        source="SPC provisions on enforcement money 2017: paid out within 30 days of receipt"),
)
# fmt: on
RULES_BY_ID: Mapping[str, ClockRule] = {rule.id: rule for rule in RULES}
BOARD_RULES: frozenset[str] = frozenset(rule.id for rule in RULES if rule.kind == ClockKind.duty)
WINDOW_RULES: frozenset[str] = frozenset(rule.id for rule in RULES if rule.kind != ClockKind.duty)
# Windows whose due date is the first day after the wait (D4): reached on that day, not the next.
REACHED_ON_DUE_DAY: frozenset[str] = frozenset(rule.id for rule in RULES if rule.due_day_after)

SUSPENSION_STARTED, SUSPENSION_ENDED = "suspension.started", "suspension.ended"
EXTENSION_APPROVED = "extension.approved"
CASE_FILED, CASE_CLOSED = "case.filed", "case.closed"
# An objection event that does not say its kind is about an enforcement act, the common case.
DEFAULT_KIND: Mapping[str, str] = {
    "objection.received": ObjectionKind.enforcement_act,
    "objection.ruling_served": ObjectionKind.enforcement_act,
}
KNOWN_EVENTS: frozenset[str] = frozenset().union(
    *(rule.starts_on | rule.met_by | rule.met_by_all for rule in RULES),
    {SUSPENSION_STARTED, SUSPENSION_ENDED, EXTENSION_APPROVED, CASE_CLOSED},
    {PAYOUT_DEFERRED, PAYOUT_DEFERRAL_LIFTED},
)


@dataclass(frozen=True, kw_only=True)
class ClockEvent:
    """One recorded event as the clocks see it."""

    id: int
    name: str
    on: date
    subject_type: str = "case"
    subject_id: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> tuple[str, int | None]:
        return self.subject_type, self.subject_id

    @property
    def kind(self) -> str | None:
        value = self.params.get("kind", DEFAULT_KIND.get(self.name))
        return None if value is None else str(value)


@dataclass(frozen=True)
class Pause:
    """A recorded suspension: from ``start`` (inclusive) to ``end`` (exclusive, None while it runs)."""

    kind: str  # a SuspensionKind, or PAYOUT_DEFERRAL
    start: date
    end: date | None


@dataclass(frozen=True, kw_only=True)
class ClockComputation:
    """Everything about one clock that follows from the events and the calendar."""

    rule: str
    subject_type: str
    subject_id: int | None
    seq: int  # 0 for the first clock of this rule and subject, 1 for the next (D12 renewals)
    start_event_id: int
    started_on: date
    due_on: date  # while paused: the due date if the clock resumed on the day it paused
    provisional: bool
    met_on: date | None
    met_late: bool
    met_by_event: bool  # met by an event (not a period that ran out)
    paused_since: date | None
    paused_days: int
    extension_months: int

    @property
    def status(self) -> DeadlineStatus:
        if self.met_on is not None:
            return DeadlineStatus.met
        if self.paused_since is not None:
            return DeadlineStatus.paused
        return DeadlineStatus.open


def paired_suspensions(
    events: Iterable[ClockEvent],
) -> tuple[list[tuple[ClockEvent, date]], list[ClockEvent]]:
    """Pair each ``suspension.ended`` with the earliest running suspension of its kind (or its subject):
    the suspensions ended, each with the day it ended, and those still running."""
    running: list[ClockEvent] = []
    ended: list[tuple[ClockEvent, date]] = []
    for event in sorted(events, key=lambda e: (e.on, e.id)):
        if event.name == SUSPENSION_STARTED:
            running.append(event)
        elif event.name == SUSPENSION_ENDED:
            started = matching_suspension(running, event)
            if started is not None:
                running.remove(started)
                ended.append((started, event.on))
    return ended, running


def suspensions(events: Iterable[ClockEvent], *, deferral_max_months: int | None = None) -> list[Pause]:
    """Every recorded suspension as a pause, ended as ``paired_suspensions`` pairs them.

    A deferral (暂缓执行) ends by itself the day after its last day, resumption recorded or not.
    """
    ended, running = paired_suspensions(events)
    pauses = [_pause(started, ended_on, deferral_max_months) for started, ended_on in ended]
    pauses.extend(_pause(e, None, deferral_max_months) for e in running)
    return sorted(pauses, key=lambda p: p.start)


def _pause(started: ClockEvent, ended_on: date | None, deferral_max_months: int | None) -> Pause:
    kind = SuspensionKind(started.kind or "")
    if kind != SuspensionKind.deferral:
        # CPL (2023) art. 267: a suspension (中止) lasts until enforcement is resumed (恢复执行).
        return Pause(kind, started.on, ended_on)
    # SPC deferral rules 2002: a deferral lasts until its last day, and at most three months;
    # enforcement resumes the next day without a further decision.
    last_days = [date.fromisoformat(str(started.params["ends_on"]))] if started.params.get("ends_on") else []
    if deferral_max_months is not None:
        last_days.append(same_date_months_later(started.on, deferral_max_months))
    if not last_days:
        return Pause(kind, started.on, ended_on)
    resumes_on = min(last_days) + timedelta(days=1)
    return Pause(kind, started.on, resumes_on if ended_on is None else min(ended_on, resumes_on))


def payout_deferrals(events: Iterable[ClockEvent]) -> list[Pause]:
    """Each approved payout deferral, from its approval until it is lifted (still running: no end)."""
    started: dict[tuple[str, int | None], date] = {}
    pauses: list[Pause] = []
    for event in sorted(events, key=lambda e: (e.on, e.id)):
        if event.name == PAYOUT_DEFERRED:
            started.setdefault(event.subject, event.on)
        elif event.name == PAYOUT_DEFERRAL_LIFTED and event.subject in started:
            pauses.append(Pause(PAYOUT_DEFERRAL, started.pop(event.subject), event.on))
    pauses.extend(Pause(PAYOUT_DEFERRAL, on, None) for on in started.values())
    return pauses


def matching_suspension(running: Sequence[ClockEvent], ended: ClockEvent) -> ClockEvent | None:
    """The running suspension an end refers to: the same subject when one is named, else the same kind."""
    for started in running:
        if started.on > ended.on:
            continue
        if ended.subject_type != "case" and ended.subject_id is not None:
            if started.subject == ended.subject:
                return started
        elif ended.kind is None or started.kind == ended.kind:
            return started
    return None


def _merged(pauses: Iterable[Pause], *, not_before: date) -> list[tuple[date, date | None]]:
    """Overlapping pauses joined, each starting no earlier than the clock."""
    merged: list[tuple[date, date | None]] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        start = max(pause.start, not_before)
        if pause.end is not None and pause.end <= start:
            continue
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            end = None if last_end is None or pause.end is None else max(last_end, pause.end)
            merged[-1] = (last_start, end)
        else:
            merged.append((start, pause.end))
    return merged


def _nominal_last_day(
    rule: ClockRule, start: date, amount: int, extra_months: int, cal: WorkingCalendar
) -> date:
    """The last day of the period before any move off a rest day (working-day periods end on one)."""
    if rule.unit == ClockUnit.days:
        last = start + timedelta(days=amount)
    elif rule.unit == ClockUnit.working_days:
        last = add_working_days(start, amount, cal).due_on
    elif rule.unit == ClockUnit.months:
        return same_date_months_later(start, amount + extra_months)
    else:
        return same_date_months_later(start, 12 * amount + extra_months)
    return same_date_months_later(last, extra_months) if extra_months else last


@dataclass
class _Clock:
    rule: ClockRule
    start: ClockEvent
    seq: int
    variant: str | None
    met: ClockEvent | None = None
    extension_months: int = 0


def derive_clocks(
    events: Sequence[ClockEvent], *, category: str | None, cal: WorkingCalendar, settings: Settings
) -> list[ClockComputation]:
    """Every clock the events start, with its due date and outcome as the events and calendar say."""
    ordered = sorted(events, key=lambda e: (e.on, e.id))
    clocks = _started_clocks(ordered, category=category)
    _assign_meets(clocks, ordered)
    for event in ordered:
        if event.name == EXTENSION_APPROVED:
            rule_id = str(event.params.get("rule", "D3"))
            months = int(event.params.get("months", settings.d3_extension_months))
            for clock in clocks:
                if (
                    clock.rule.id == rule_id
                    and clock.start.on <= event.on
                    and (clock.met is None or clock.met.on >= event.on)
                ):
                    clock.extension_months += months
    pauses = suspensions(ordered, deferral_max_months=settings.deferral_max_months) + payout_deferrals(
        ordered
    )
    closed_on = next((e.on for e in ordered if e.name == CASE_CLOSED), None)
    return [
        _compute(clock, pauses=pauses, closed_on=closed_on, cal=cal, settings=settings) for clock in clocks
    ]


def _started_clocks(ordered: Sequence[ClockEvent], *, category: str | None) -> list[_Clock]:
    clocks: list[_Clock] = []
    seen: dict[tuple[str, tuple[str, int | None]], int] = {}
    kinds_by_subject: dict[tuple[str, int | None], str] = {}
    for event in ordered:
        if event.kind is not None:
            kinds_by_subject.setdefault(event.subject, event.kind)
        for rule in RULES:
            if event.name not in rule.starts_on:
                continue
            if rule.start_kinds is not None and event.kind not in rule.start_kinds:
                continue
            key = (rule.id, event.subject)
            if key in seen and not rule.repeats:
                continue
            seq = seen[key] = seen.get(key, -1) + 1
            variant = category if rule.id == "D3" else kinds_by_subject.get(event.subject)
            clocks.append(_Clock(rule=rule, start=event, seq=seq, variant=variant))
    return clocks


def _assign_meets(clocks: Sequence[_Clock], ordered: Sequence[ClockEvent]) -> None:
    """Each meeting event meets the earliest unmet clock of its rule and subject started by then."""
    for event in ordered:
        for rule in RULES:
            if event.name not in rule.met_by:
                continue
            for clock in clocks:
                if (
                    clock.rule is rule
                    and clock.met is None
                    and clock.start.subject == event.subject
                    and clock.start.on <= event.on
                    and clock.start.id != event.id
                ):
                    clock.met = event
                    break
    for clock in clocks:
        if clock.rule.met_by_all:
            clock.met = _latest_of_all(clock, ordered)


def _latest_of_all(clock: _Clock, ordered: Sequence[ClockEvent]) -> ClockEvent | None:
    """The event that completes a clock needing several events: the latest of the first of each."""
    firsts: dict[str, ClockEvent] = {}
    for event in ordered:
        if (
            event.name in clock.rule.met_by_all
            and event.subject == clock.start.subject
            and event.on >= clock.start.on
        ):
            firsts.setdefault(event.name, event)
    if set(firsts) != clock.rule.met_by_all:
        return None
    return max(firsts.values(), key=lambda e: (e.on, e.id))


def _compute(
    clock: _Clock,
    *,
    pauses: Sequence[Pause],
    closed_on: date | None,
    cal: WorkingCalendar,
    settings: Settings,
) -> ClockComputation:
    rule, started_on = clock.rule, clock.start.on
    met_on = clock.met.on if clock.met is not None else None
    if not (rule.ends_with_case and closed_on is not None and closed_on >= started_on):
        closed_on = None
    # The clock stops running when it is met or, for clocks that end with the case, when the case closes.
    stopped_on = min((d for d in (met_on, closed_on) if d is not None), default=None)
    expires_on = clock.start.params.get("expires_on")
    if expires_on:
        last_day = date.fromisoformat(str(expires_on))
    else:
        last_day = _nominal_last_day(
            rule, started_on, rule.duration(settings, clock.variant), clock.extension_months, cal
        )
    period_end = end_before_rest_day if rule.lapses else end_on_working_day
    due = period_end(started_on, last_day, cal)
    if rule.due_day_after:
        amount = rule.duration(settings, clock.variant) + clock.extension_months
        due = PeriodEnd(due_on=first_day_after_months(started_on, amount), provisional=False)
    paused_days, paused_since = 0, None
    relevant = [p for p in pauses if p.kind in rule.paused_by]
    for start, end in _merged(relevant, not_before=started_on):
        if start > due.due_on or (stopped_on is not None and start >= stopped_on):
            break  # the clock had run out or stopped before this suspension began
        if stopped_on is not None and (end is None or end > stopped_on):
            end = stopped_on  # stopped while suspended: the pause lasted until then
        if end is None:
            paused_since = start
            break
        # SPC time-limit rules: the suspended calendar days are added, then the rest-day rule applies.
        paused_days += (end - start).days
        last_day += timedelta(days=(end - start).days)
        due = period_end(started_on, last_day, cal)
    met_by_event = met_on is not None
    if met_on is None and closed_on is not None:
        if rule.kind != ClockKind.duty:
            met_on = min(closed_on, due.due_on)
        elif closed_on <= due.due_on:
            met_on = closed_on  # the case ended before the duty fell due: nothing is left to do
    return ClockComputation(
        rule=rule.id,
        subject_type=clock.start.subject_type,
        subject_id=clock.start.subject_id,
        seq=clock.seq,
        start_event_id=clock.start.id,
        started_on=started_on,
        due_on=due.due_on,
        provisional=due.provisional,
        met_on=met_on,
        met_late=met_by_event and rule.kind == ClockKind.duty and met_on is not None and met_on > due.due_on,
        met_by_event=met_by_event,
        paused_since=paused_since,
        paused_days=paused_days,
        extension_months=clock.extension_months,
    )


def settled_status(
    computed: ClockComputation, *, previous: str | None, today: date
) -> tuple[DeadlineStatus, date | None]:
    """The status and met date to store, given what the sweep has already marked.

    Only the sweep turns a clock ``breached`` (or a window ``met`` when it runs out), so that each such
    transition is audited once. A recomputation keeps that mark while the due date is still past, and
    lifts it when a calendar change or a back-dated event has moved the due date to today or later.
    """
    status = computed.status
    rule = RULES_BY_ID[computed.rule]
    past_due = computed.due_on <= today if rule.due_day_after else computed.due_on < today
    if status != DeadlineStatus.open or not past_due:
        return status, computed.met_on
    if previous == DeadlineStatus.breached and rule.kind == ClockKind.duty:
        return DeadlineStatus.breached, None
    if previous == DeadlineStatus.met and rule.kind != ClockKind.duty:
        return DeadlineStatus.met, computed.due_on
    return DeadlineStatus.open, None


def warning_windows(settings: Settings) -> dict[int, frozenset[str]]:
    """Board rules grouped by their 'due soon' window in days."""
    windows: dict[int, set[str]] = {}
    for rule in RULES:
        if rule.id in BOARD_RULES:
            windows.setdefault(rule.warning_days(settings), set()).add(rule.id)
    return {days: frozenset(ids) for days, ids in windows.items()}
