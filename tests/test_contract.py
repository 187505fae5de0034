"""The committed contract and migrations agree with the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from typing import get_args

from alembic import command
from fastapi.routing import APIRoute

from app.routers import ROUTERS
from app.schemas.common import InputModel
from scripts.export_openapi import render
from scripts.export_openapi import render_permissions
from tests.conftest import TEST_DATABASE_URL
from tests.conftest import alembic_config

ROOT = Path(__file__).resolve().parent.parent


def test_openapi_json_matches_the_app():
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(), "openapi.json is stale: run `make openapi` and commit it"


def test_the_permission_table_in_the_docs_matches_the_policy():
    committed = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert committed == render_permissions(), "docs/permissions.md is stale: run `make openapi` and commit it"


def test_operation_ids_are_unique_and_every_operation_has_a_summary():
    spec = json.loads(render())
    seen: set[str] = set()
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op.get("operationId") and op["operationId"] not in seen, (method, path)
            assert op.get("summary"), (method, path)
            seen.add(op["operationId"])


def test_every_request_body_is_an_input_model():
    """Every body refuses unknown fields and trims its text the same way (app/schemas/common.py)."""
    bodies = [
        (route.path, model)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
        for model in get_args(param.field_info.annotation) or (param.field_info.annotation,)
        if model is not type(None)
    ]
    assert bodies
    # A batch is a list of raw items, each validated by the route with CaseCreate (an InputModel) so
    # that an invalid item gets its own errors instead of failing the batch.
    per_item = {("/cases/batch", Any)}
    assert [
        (path, getattr(model, "__name__", str(model)))
        for path, model in bodies
        if (path, model) not in per_item and not issubclass(model, InputModel)
    ] == []


def test_models_and_migrations_do_not_drift(database):
    command.check(alembic_config(TEST_DATABASE_URL))
