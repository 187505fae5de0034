from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from app.deps import Authorized
from app.deps import SessionDep
from app.errors import Forbidden
from app.errors import problem_responses
from app.models.user import User
from app.schemas.audit import ChainVerification
from app.services.audit import verify_chain
from app.services.audit_anchor import load_anchors
from app.settings import get_settings

router = APIRouter(tags=["audit"])


@router.get(
    "/audit/verify",
    operation_id="verify_audit_chain",
    response_model=ChainVerification,
    responses=problem_responses(Forbidden),
)
def verify_audit(session: SessionDep, user: Annotated[User, Authorized("audit.verify")]) -> ChainVerification:
    """Re-check the audit hash chain, its signed head and its checkpoints; say where it breaks (admin)."""
    settings = get_settings()
    report = verify_chain(
        session, anchors=load_anchors(settings.audit_checkpoint_dir, settings.audit_anchor_key)
    )
    return ChainVerification(
        ok=report.ok,
        entries_checked=report.entries_checked,
        first_broken_id=report.first_broken_id,
        problem=report.problem,
    )
