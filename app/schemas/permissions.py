from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field


class GrantRead(BaseModel):
    units: list[str] = Field(description='unit codes; ["*"]: any unit')
    roles: list[str] = Field(description='roles within those units; ["*"]: any role')
    relation: str | None = Field(description="narrows the grant to the case at hand (see relations)")


class ActionPermission(BaseModel):
    action: str = Field(description="the policy action, as in GET /me's permissions")
    who: str = Field(description="the grants in words")
    grants: list[GrantRead] = Field(description="any one grant suffices; none: nobody")
    operations: list[str] = Field(description="operation ids that need this action")


class OperationPermission(BaseModel):
    operation_id: str
    method: str
    path: str
    action: str | None = Field(description="null: the operation needs no action (public, or any user)")
    who: str


class PermissionTable(BaseModel):
    units: list[str]
    roles: list[str]
    relations: dict[str, str] = Field(description="what each grant relation means")
    actions: list[ActionPermission]
    operations: list[OperationPermission]
