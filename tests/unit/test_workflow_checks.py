"""The checks every desk's workflow shares, without a database: stale versions, legal dates, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, PreconditionFailed
from app.models.case import Case
from app.services.workflow import check_legal_date, check_version, where_given
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
