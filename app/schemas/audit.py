from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from app.schemas.common import ORMModel


class ChainVerification(BaseModel):
    ok: bool
    entries_checked: int
    first_broken_id: int | None = None
    problem: str | None = None


class AuditEntryRead(ORMModel):
    id: int
    occurred_at: datetime
    actor_username: str
    actor_unit: str | None
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str
    case_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
