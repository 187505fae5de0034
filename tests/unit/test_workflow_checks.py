"""The checks every desk's workflow shares, without a database: stale versions, legal dates, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import PreconditionFailed
from app.errors import TransitionNotAllowed
from app.models.case import Case
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import check_version
from app.services.workflow import where_given
from app.settings import court_today


@dataclass
class Versioned:
    version: int


@pytest.mark.parametrize("expected", [None, 2])
def test_an_unconditional_or_current_change_goes_ahead(expected: int | None) -> None:
    check_version(Versioned(2), expected, label="objection 3")


@pytest.mark.parametrize("expected", [1, 3])
def test_a_change_based_on_another_version_is_412_naming_the_current_one(expected: int) -> None:
    # API.md conventions: If-Match with a stale version → 412 and the version to reload.
    with pytest.raises(PreconditionFailed) as refused:
        check_version(Versioned(2), expected, label="objection 3")
    assert refused.value.detail == f"objection 3 is at version 2, not {expected}"
    assert refused.value.extra == {"current_version": 2}


def test_a_legal_date_may_be_today_and_the_day_it_follows() -> None:
    today = court_today()
    check_legal_date("ruled_on", today, not_before=today, not_before_what="the objection")
    check_legal_date("ruled_on", today - timedelta(days=3650))


def test_a_legal_date_after_today_is_422_naming_the_field() -> None:
    today = court_today()
    tomorrow = today + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        check_legal_date("ruled_on", tomorrow)
    assert refused.value.extra["errors"] == [
        {
            "field": "ruled_on",
            "message": f"{tomorrow.isoformat()} is after today ({today.isoformat()})",
            "type": "value_error",
        }
    ]


def test_a_legal_date_before_what_it_follows_is_422_naming_both_dates() -> None:
    received = court_today() - timedelta(days=10)
    day_before = received - timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        check_legal_date("ruled_on", day_before, not_before=received, not_before_what="the objection")
    assert refused.value.detail == (
        f"ruled_on: {day_before.isoformat()} is before the objection ({received.isoformat()})"
    )


def test_a_list_is_filtered_by_the_given_values_only() -> None:
    stmt = where_given(select(Case), {Case.unit_code: "brigade-1", Case.state: None, Case.track: "simple"})
    assert str(stmt.whereclause) == '"case".unit_code = :unit_code_1 AND "case".track = :track_1'
    assert where_given(select(Case), {Case.state: None}).whereclause is None


@dataclass
class Team:
    unit_code: str | None
    handler_id: int | None


@dataclass
class Record:
    id: int
    version: int
    state: str
    case: Team


@dataclass
class Person:
    id: int
    unit_code: str
    roles: list[str]


JUDGE, TEAMMATE, CLERK, OUTSIDER = (
    Person(1, "brigade-1", ["judge"]),
    Person(2, "brigade-1", ["judge"]),
    Person(3, "objection", ["clerk"]),
    Person(4, "office", ["finance"]),
)


def desk(**steps: Step[Record]) -> Workflow[Record]:
    return Workflow(
        model=Record,
        entity="thing",
        noun="thing",
        state_of=lambda record: record.state,
        actions_of=lambda record: {"open": ("close", "note"), "closed": ()}[record.state],
        steps=steps,
        snapshot=lambda record: {"state": record.state},
    )


THINGS = desk(
    close=Step(permission="case.close", on=lambda record: record.case),
    note=Step(
        permission="objection.handle",
        blocked=lambda record: "the case is held" if record.case.unit_code is None else None,
        refused=lambda user, record: "not your own note" if user.id == 3 and record.id == 9 else None,
    ),
)


def test_a_desk_names_only_policy_actions_and_says_what_a_relation_is_checked_on() -> None:
    assert desk(note=Step(permission="objection.handle")).steps["note"].on is None  # no relation to check
    with pytest.raises(ValueError, match=r"^thing close: no policy action 'case.shut'$"):
        desk(close=Step(permission="case.shut"))
    with pytest.raises(ValueError, match=r"^thing close: case.close has relations; give `on`$"):
        desk(close=Step(permission="case.close"))


def test_the_caller_may_perform_what_the_state_admits_and_nothing_blocks_or_refuses() -> None:
    # Plan §4: the handling judge closes; the objection group notes. Each sees only its own actions.
    mine = Record(7, 0, "open", Team("brigade-1", JUDGE.id))
    assert THINGS.allowed_actions(JUDGE, mine) == ["close"]
    assert THINGS.allowed_actions(TEAMMATE, mine) == []
    assert THINGS.allowed_actions(CLERK, mine) == ["note"]
    assert THINGS.allowed_actions(CLERK, Record(9, 0, "open", Team("brigade-1", JUDGE.id))) == []
    assert THINGS.allowed_actions(CLERK, Record(7, 0, "open", Team(None, None))) == []
    assert THINGS.allowed_actions(JUDGE, Record(7, 0, "closed", Team("brigade-1", JUDGE.id))) == []
    assert THINGS.label(mine) == "thing 7"


@pytest.mark.parametrize(
    ("user", "record", "action", "version", "error", "detail"),
    [
        (OUTSIDER, "closed", "close", 5, Forbidden, "your unit and role may not perform close on thing 7"),
        (
            TEAMMATE,
            "closed",
            "close",
            5,
            Forbidden,
            "you may not perform close on thing 7: you do not handle it",
        ),
        (CLERK, "closed", "note", 5, PreconditionFailed, "thing 7 is at version 0, not 5"),
        (JUDGE, "closed", "close", 0, TransitionNotAllowed, "thing 7 is closed; close is not allowed"),
        (CLERK, "held", "note", None, TransitionNotAllowed, "the case is held; note is not allowed"),
    ],
)
def test_a_refusal_is_403_before_412_before_409(
    user: Person, record: str, action: str, version: int | None, error: type[Exception], detail: str
) -> None:
    # API.md conventions: who may not learns nothing of the version or the state.
    thing = Record(
        7, 0, "open" if record == "held" else record, Team(None if record == "held" else "brigade-1", 1)
    )
    with pytest.raises(error) as refused:
        THINGS.check_action(thing, user=user, action=action, expected_version=version)  # type: ignore[arg-type]
    assert refused.value.detail == detail  # type: ignore[attr-defined]
    if error is TransitionNotAllowed:
        assert refused.value.extra == {"allowed_actions": [], "state": thing.state}  # type: ignore[attr-defined]


def test_the_desks_own_refusal_is_403_with_its_reason() -> None:
    with pytest.raises(Forbidden) as refused:
        THINGS.check_action(
            Record(9, 0, "open", Team("brigade-1", 1)), user=CLERK, action="note", expected_version=0
        )  # type: ignore[arg-type]
    assert refused.value.detail == "not your own note"


def test_a_desk_may_name_its_records_its_own_way() -> None:
    named = Workflow(
        model=Record,
        entity="thing",
        noun="thing",
        state_of=lambda record: record.state,
        actions_of=lambda record: (),
        steps={"note": Step(permission="objection.handle")},
        snapshot=lambda record: {},
        label_of=lambda record: f"（2026）豫0104执异{record.id}号",
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        named.check_action(
            Record(7, 0, "open", Team(None, None)), user=CLERK, action="note", expected_version=None
        )
    assert refused.value.detail == "（2026）豫0104执异7号 is open; note is not allowed"
