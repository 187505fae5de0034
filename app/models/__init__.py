"""Every ORM model, imported here so that Alembic and the app see one metadata."""

from app.models.audit_entry import AuditEntry
from app.models.audit_head import AuditHead
from app.models.base import Base
from app.models.calendar_year import CalendarYear
from app.models.case import Asset
from app.models.case import AssetControlStep
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.models.case_account import CaseAccount
from app.models.case_account import LedgerEntry
from app.models.case_closure import CaseClosure
from app.models.deadline import Deadline
from app.models.deadline import DeadlineEvent
from app.models.deadline_extension import DeadlineExtension
from app.models.dishonest_listing import DishonestListing
from app.models.disposal_task import DisposalTask
from app.models.disposal_transfer import DisposalTransfer
from app.models.event_cursor import EventCursor
from app.models.idempotency_key import IdempotencyKey
from app.models.login_throttle import LoginThrottle
from app.models.measure import Measure
from app.models.objection import Objection
from app.models.objection import ObjectionHearing
from app.models.outbox_event import OutboxEvent
from app.models.payout import Payout
from app.models.payout import PayoutDeferral
from app.models.petition import Petition
from app.models.petition import PetitionUrge
from app.models.receipt import Receipt
from app.models.refusal_referral import RefusalReferral
from app.models.refusal_referral import RefusalReferralMaterial
from app.models.rollup import CaseTally
from app.models.rollup import ClosingTally
from app.models.rollup import DeadlineTally
from app.models.rollup import DurationTally
from app.models.rollup import JudgeTally
from app.models.serial_counter import SerialCounter
from app.models.termination_pool_entry import TerminationPoolEntry
from app.models.termination_pool_entry import TerminationPoolRecheck
from app.models.triage_decision import TriageDecision
from app.models.unit import Unit
from app.models.user import User
from app.models.webhook_delivery import WebhookDelivery
from app.models.webhook_subscription import WebhookSubscription

__all__ = [
    "Asset",
    "AssetControlStep",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "CaseTally",
    "ClosingTally",
    "DeadlineTally",
    "DurationTally",
    "JudgeTally",
    "DeadlineExtension",
    "IdempotencyKey",
    "LoginThrottle",
    "Party",
    "PropertyClue",
    "TerminationPoolRecheck",
    "TriageDecision",
    "Unit",
    "User",
    "CaseClosure",
    "DishonestListing",
    "DisposalTask",
    "DisposalTransfer",
    "Measure",
    "SerialCounter",
    "TerminationPoolEntry",
    "CalendarYear",
    "Deadline",
    "DeadlineEvent",
    "Objection",
    "ObjectionHearing",
    "Petition",
    "PetitionUrge",
    "RefusalReferral",
    "RefusalReferralMaterial",
    "CaseAccount",
    "LedgerEntry",
    "Payout",
    "PayoutDeferral",
    "Receipt",
    "EventCursor",
    "OutboxEvent",
    "WebhookDelivery",
    "WebhookSubscription",
]
