from __future__ import annotations

from pydantic import BaseModel

from app.schemas.common import ORMModel


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(ORMModel):
    id: int
    username: str
    full_name: str
    unit_code: str
    roles: list[str]
    is_service_account: bool
    permissions: list[str]
