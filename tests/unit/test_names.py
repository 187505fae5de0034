"""Names of people and organisations: one form for each name, nothing that hides or reorders text."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic import ValidationError

from app.schemas.case import PartyIn
from app.schemas.objection import ObjectionCreate
from app.schemas.objection import ReconsiderationCreate
from app.schemas.objection import TransferCreate
from app.schemas.petition import PetitionCreate
from app.schemas.refusal_referral import LiaisonCreate
from app.schemas.refusal_referral import PoliceTransferCreate

# Every field in a request that holds the name of a person or an organisation.
NAME_FIELDS: list[tuple[type[BaseModel], str, dict[str, Any]]] = [
    (PartyIn, "name", {"party_type": "legal_person"}),
    (
        ObjectionCreate,
        "filer_name",
        {
            "case_id": 1,
            "kind": "enforcement_act",
            "filer_kind": "party",
            "received_on": "2026-06-01",
            "grounds": "x",
        },
    ),
    (ReconsiderationCreate, "applicant", {"applied_on": "2026-06-01"}),
    (TransferCreate, "higher_court", {"transferred_on": "2026-06-01"}),
    (
        PetitionCreate,
        "petitioner_name",
        {"received_on": "2026-06-01", "channel": "visit", "content": "x"},
    ),
    (LiaisonCreate, "contact", {}),
    (PoliceTransferCreate, "police_organ", {"document_number": "x", "transferred_on": "2026-06-01"}),
]
IDS = [f"{model.__name__}.{field}" for model, field, _ in NAME_FIELDS]


def _error(model: type[BaseModel], field: str, rest: dict[str, Any], name: str) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(rest | {field: name})
    [error] = [e for e in caught.value.errors() if e["loc"] == (field,)]
    return dict(error)


@pytest.mark.parametrize(("model", "field", "rest"), NAME_FIELDS, ids=IDS)
def test_a_name_is_kept_in_composed_form_without_surrounding_blanks(model, field, rest):
    decomposed = unicodedata.normalize("NFD", "Müller Café")
    assert decomposed != "Müller Café"
    value = model.model_validate(rest | {field: f"  {decomposed}\u3000"})
    assert getattr(value, field) == "Müller Café"


@pytest.mark.parametrize(("model", "field", "rest"), NAME_FIELDS, ids=IDS)
@pytest.mark.parametrize("char", [*"\u202a\u202b\u202c\u202d\u202e", *"\u2066\u2067\u2068\u2069"])
def test_a_bidirectional_override_or_isolate_is_refused(model, field, rest, char):
    error = _error(model, field, rest, f"张三{char}司公限有")
    assert error["type"] == "name_bidi_control"
    assert f"U+{ord(char):04X}" in error["msg"]


@pytest.mark.parametrize(("model", "field", "rest"), NAME_FIELDS, ids=IDS)
@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", "\ufeff\u2060", "\u3164", " \u200b "])
def test_a_name_of_invisible_characters_only_is_refused(model, field, rest, name):
    error = _error(model, field, rest, name)
    assert error["type"] in {"name_invisible", "string_too_short"}


def test_a_name_with_a_joiner_between_visible_characters_is_kept():
    assert PartyIn.model_validate({"party_type": "natural_person", "name": "张\u200d三"}).name == "张\u200d三"
