"""The permission table: who may perform which operation, by unit and role (from app.policy)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi import Request

from app.deps import CurrentUser
from app.errors import problem_responses
from app.permission_table import permission_table
from app.schemas.permissions import PermissionTable

router = APIRouter(tags=["auth"], responses=problem_responses())


@router.get("/permissions", operation_id="get_permissions", response_model=PermissionTable)
def read_permissions(request: Request, user: CurrentUser) -> PermissionTable:
    """Who may call each operation: the policy's grants by unit and role, and each operation's action."""
    return PermissionTable.model_validate(permission_table(request.app.openapi()))
