"""The 终本 gate (终结本次执行程序, docs/rules.md#gate) as a pure function: recorded facts in, the list of
missing conditions out, each named by a stable item so that the judge sees what is still to do.

No database and no clock: the closure service gathers the facts, the tests use a table.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from app.enums import MeasureKind
from app.enums import OnsiteCheckSubject
from app.rules.periods import first_day_after_months

# The items in the order the judge works through them; these names are part of the API.
MISSING_ITEMS: tuple[str, ...] = (
    "execution_notice",
    "property_report_order",
    "consumption_ban",
    "dishonest_listing",
    "online_property_check",
    "onsite_property_check",
    "applicant_clues_verified",
    "missing_respondent_search",
    "applicant_heard",
    "three_months_since_filing",
    "obstruction_punished_or_referred",
)

# Measures that punish or refer an obstruction: fines, detention, or a referral for prosecution.
PUNISHMENT_KINDS = frozenset(
    {MeasureKind.fine, MeasureKind.judicial_detention, MeasureKind.obstruction_punished_or_referred}
)

# Items met simply by a measure of one of these kinds recorded on or before the closing date.
ITEM_KINDS: dict[str, frozenset[MeasureKind]] = {
    "execution_notice": frozenset({MeasureKind.execution_notice}),
    "property_report_order": frozenset({MeasureKind.property_report_order}),
    "consumption_ban": frozenset({MeasureKind.consumption_ban}),
    "online_property_check": frozenset({MeasureKind.online_property_check}),
    "onsite_property_check": frozenset({MeasureKind.onsite_property_check}),
    "applicant_clues_verified": frozenset({MeasureKind.applicant_clues}),
    "missing_respondent_search": frozenset({MeasureKind.missing_respondent_search}),
    "applicant_heard": frozenset({MeasureKind.applicant_heard}),
    "obstruction_punished_or_referred": PUNISHMENT_KINDS,
}


def months_after(start: date, months: int) -> date:
    """The same date ``months`` later, or the last day of that month when it has no such date."""
    # Civil Code art. 202: a period in months ends on the corresponding date of the final month.
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class RecordedStep:
    """A measure recorded on the case: its kind, legal date and (on-site checks) what it covered."""

    kind: str
    on: date
    subtype: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class TerminationFacts:
    """What the case file shows on the proposed 终本 date."""

    filed_on: date
    closed_on: date
    steps: tuple[RecordedStep, ...] = ()
    referrals_on: tuple[date, ...] = ()  # refusal-to-execute referrals submitted (拒执移送)
    applicant_gave_clues: bool = True  # the applicant gave property clues at filing
    obstruction_listed: bool = False  # a listing was approved on the ground "obstructs"
    dishonest_pending: bool = False  # a listing proposal awaits the director's decision
    dishonest_decided: bool = False  # a listing proposal was approved or refused
    onsite_subjects: frozenset[str] = field(default_factory=lambda: frozenset(OnsiteCheckSubject))


def _steps_until(facts: TerminationFacts) -> list[RecordedStep]:
    # A step dated after the ruling cannot support it.
    return [s for s in facts.steps if s.on <= facts.closed_on]


def _latest(dates: Iterable[date]) -> date | None:
    return max(dates, default=None)


def missing_for_termination(facts: TerminationFacts, *, min_months: int) -> list[str]:
    """Each condition of the 终本 gate that the facts do not meet, in the order of MISSING_ITEMS."""
    steps = _steps_until(facts)
    done = {s.kind for s in steps}
    onsite_covered = {s.subtype for s in steps if s.kind == MeasureKind.onsite_property_check}
    last_obstruction = _latest(s.on for s in steps if s.kind == MeasureKind.obstruction_found)
    last_punishment = _latest(
        [s.on for s in steps if s.kind in PUNISHMENT_KINDS]
        + [d for d in facts.referrals_on if d <= facts.closed_on]
    )

    met = {item: bool(kinds & done) for item, kinds in ITEM_KINDS.items()}
    # SPC 终本 rules 2016 art. 1(3): clues the applicant gave are verified; without clues nothing to verify.
    met["applicant_clues_verified"] = met["applicant_clues_verified"] or not facts.applicant_gave_clues
    # SPC 终本 rules 2016 art. 1(3): the respondent is searched for only when his whereabouts are unknown.
    met["missing_respondent_search"] = (
        met["missing_respondent_search"] or MeasureKind.whereabouts_unknown not in done
    )
    # docs/rules.md#gate "four checks": on-site checks of real estate, vehicles and business registration.
    met["onsite_property_check"] = facts.onsite_subjects <= onsite_covered
    # SPC 终本 rules 2016 art. 1(2): a respondent who meets the list's conditions is listed. A proposal
    # awaiting decision, or a listing ground never put to the director, is missing: a recorded
    # obstruction, or a failure to report property after a report order (dishonest-list rules art. 1(5)).
    report_failed = any(
        s.kind == MeasureKind.property_report_failed
        and any(o.kind == MeasureKind.property_report_order and o.on <= s.on for o in steps)
        for s in steps
    )
    listing_ground = last_obstruction is not None or report_failed
    met["dishonest_listing"] = not facts.dishonest_pending and (not listing_ground or facts.dishonest_decided)
    # SPC 终本 rules 2016 art. 1(4): more than three months since filing; the same day as D4's due date.
    met["three_months_since_filing"] = facts.closed_on >= first_day_after_months(facts.filed_on, min_months)
    # SPC 终本 rules 2016 art. 1(5): obstruction punished by fine or detention, or referred for prosecution;
    # required only where an obstruction was recorded (a punishment no earlier than the latest one), or
    # where the respondent was listed for obstructing.
    obstructed = last_obstruction is not None or facts.obstruction_listed
    met["obstruction_punished_or_referred"] = not obstructed or (
        last_punishment is not None and (last_obstruction is None or last_punishment >= last_obstruction)
    )
    return [item for item in MISSING_ITEMS if not met[item]]


def evidence_for_termination(facts: TerminationFacts) -> dict[str, list[int]]:
    """For each item met by measures, the ids of the measures that meet it (kept with the closure)."""
    steps = _steps_until(facts)
    return {
        item: [s.id for s in steps if s.kind in kinds and s.id is not None]
        for item, kinds in ITEM_KINDS.items()
    }
