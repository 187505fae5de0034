"""Every ORM model, imported here so that Alembic and the app see one metadata."""

from app.models.audit_entry import AuditEntry
from app.models.audit_head import AuditHead
from app.models.base import Base
from app.models.case import Asset, Case, Party, PropertyClue
from app.models.idempotency_key import IdempotencyKey
from app.models.triage_decision import TriageDecision
from app.models.unit import Unit
from app.models.user import User

__all__ = [
    "Asset", "AuditEntry", "AuditHead", "Base", "Case", "IdempotencyKey", "Party", "PropertyClue",
    "TriageDecision", "Unit", "User",
]
