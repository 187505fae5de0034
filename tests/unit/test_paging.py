"""Keyset cursors: what a list issues it takes back; anything else is a 422 naming ``cursor``."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import InvalidInput
from app.models.case import Case
from app.models.deadline import Deadline
from app.services.paging import Keyset

BY_ID = Keyset((Case.id,), descending=True)
BY_DUE_DATE = Keyset((Deadline.due_on, Deadline.id), tag="d1")


@pytest.mark.parametrize(
    ("keyset", "key"),
    [(BY_ID, (1,)), (BY_ID, (2_147_483_647,)), (BY_DUE_DATE, (date(2026, 2, 28), 42))],
)
def test_a_cursor_gives_back_the_key_it_was_made_from(keyset: Keyset, key: tuple[object, ...]) -> None:
    assert keyset.decode(keyset.encode(key)) == key


@pytest.mark.parametrize(
    ("keyset", "cursor"),
    [
        (BY_ID, "not-a-cursor"),
        (BY_ID, "YWJj"),  # "abc"
        (BY_ID, BY_ID.encode([0])),  # ids start at 1
        (BY_ID, BY_DUE_DATE.encode([date(2026, 2, 28), 42])),  # another list's cursor
        (BY_DUE_DATE, BY_ID.encode([42])),
        (BY_DUE_DATE, BY_DUE_DATE.encode(["2026-02-30", 42])),  # no such day
    ],
)
def test_a_cursor_this_list_did_not_issue_is_refused(keyset: Keyset, cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        keyset.decode(cursor)
    assert [e["field"] for e in refused.value.extra["errors"]] == ["cursor"]


def test_no_cursor_is_the_first_page() -> None:
    assert BY_ID.decode(None) is None


def test_a_composite_key_continues_after_the_last_row_in_its_order() -> None:
    after = str(BY_DUE_DATE.after([date(2026, 2, 28), 42]))
    assert after == "deadline.due_on >= :due_on_1 AND (deadline.due_on > :due_on_2 OR deadline.id > :id_1)"
    assert str(BY_ID.after([42])) == '"case".id < :id_1'
