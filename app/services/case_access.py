"""Loading a case for an action: visibility, the policy's case relations, and the state machine.

Every case command goes through :func:`case_for_action`, so that who may act and in which state
is decided in one place (docs/permissions.md–§2); :data:`COMMAND_POLICY` is the permission its route
requires too. A desk's action that is also a command on the record's case (a disposal transfer's
approval, a listing's decision) is a :func:`case_step` of the desk's workflow.
"""

from __future__ import annotations

from typing import Any
from typing import Protocol

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import ClosureMode
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.models.case import Case
from app.models.user import User
from app.policy import Actor
from app.policy import CaseLike
from app.policy import actor_may_on_case
from app.policy import sees_all_cases
from app.policy import sees_only_filed
from app.services.workflow import Step
from app.services.workflow import check_version

# What the team handling an allocated case may do (plan §5(2)–(3)).
_TEAM_WORK = (
    "record_asset",
    "control_asset",
    "record_measure",
    "handback",
    "request_disposal",
    "approve_disposal",
    "close",
    "propose_dishonest",
    "decide_dishonest",
    "refer_refusal",
)
# Which case commands each state admits (plan §5). Read-only commands are not listed.
STATE_ACTIONS: dict[CaseState, tuple[str, ...]] = {
    CaseState.filed: ("register", "record_asset"),
    CaseState.registered: ("record_asset", "record_investigation", "triage"),
    CaseState.triaged: _TEAM_WORK,
    CaseState.in_progress: _TEAM_WORK,
    CaseState.at_disposal: (
        "record_asset",
        "control_asset",
        "record_measure",
        "disposal_task",
        "disposal_return",
        "propose_dishonest",
        "decide_dishonest",
        "refer_refusal",
    ),
    CaseState.closed: (),  # other closings are final; see state_actions for the 终本 pool
}
# SPC 终本 rules 2016 art. 9: a 终本 case is restored when property is found; its seals and freezes
# survive (the pool keeps them), so their renewal and release go on, and the pool's re-checks.
POOL_ACTIONS = ("restore", "control_asset", "recheck_pool")


class CaseFacts(CaseLike, Protocol):
    """What visibility and the allowed actions read of a case: a ``Case``, or a row of its columns."""

    @property
    def state(self) -> CaseState: ...

    @property
    def closure_mode(self) -> ClosureMode | None: ...

    @property
    def created_by_id(self) -> int: ...


def state_actions(case: CaseFacts) -> tuple[str, ...]:
    """The case commands the case's state admits (a case in the 终本 pool admits a few more)."""
    if case.state == CaseState.closed and case.closure_mode == ClosureMode.terminated_current:
        return POOL_ACTIONS
    return STATE_ACTIONS[case.state]


# Commands performed on a case's disposal transfer or dishonest listing: the case's state must admit
# them too, but the transfer or listing lists them, not the case.
ON_RECORDS = frozenset({"approve_disposal", "disposal_task", "disposal_return", "decide_dishonest"})

# The policy action (app.policy) that authorises each case command; its route requires it too.
COMMAND_POLICY: dict[str, str] = {
    "register": "case.register",
    "record_asset": "asset.record",
    "control_asset": "asset.control",
    "recheck_pool": "termination_pool.recheck",
    "record_investigation": "case.investigate",
    "triage": "case.triage",
    "record_measure": "measure.record",
    "handback": "case.handback",
    "request_disposal": "disposal.request",
    "approve_disposal": "disposal.approve",
    "close": "case.close",
    "propose_dishonest": "dishonest.propose",
    "decide_dishonest": "dishonest.decide",
    "refer_refusal": "referral.submit",
    "disposal_task": "disposal.work",
    "disposal_return": "disposal.work",
    "restore": "case.restore",
}


def allowed_actions(user: Actor, case: CaseFacts) -> list[str]:
    """The commands on the case that its state admits and the policy grants this caller on it."""
    return [
        command
        for command in state_actions(case)
        if command not in ON_RECORDS and actor_may_on_case(user, COMMAND_POLICY.get(command, ""), case)
    ]  # unmapped: default deny


def _state_text(case: Case) -> str:
    return f"closed as {case.closure_mode}" if case.state == CaseState.closed else str(case.state)


def case_step(command: str, **more: Any) -> Step[Any]:
    """The step of a desk action that is also ``command`` on the record's case (``record.case``):
    the command's policy action, its relations checked on the case, and a case state admitting it."""

    def blocked(record: Any) -> str | None:
        case = record.case
        if command in state_actions(case):
            return None
        return f"case {case.case_number} is {_state_text(case)}"

    return Step(permission=COMMAND_POLICY[command], on=lambda record: record.case, blocked=blocked, **more)


def seen_cases(user: User) -> ColumnElement[bool]:
    """The condition on ``Case`` of the cases the caller may see when not all (as :func:`can_see`)."""
    if sees_only_filed(user):
        return Case.created_by_id == user.id
    return Case.unit_code == user.unit_code


def visible_cases(stmt: Select[Any], user: User, case_id: Any) -> Select[Any]:
    """``stmt`` limited to records whose case (``case_id``) the caller may see (as :func:`can_see`)."""
    if sees_all_cases(user):
        return stmt
    return stmt.where(case_id.in_(select(Case.id).where(seen_cases(user))))


def can_see(user: Actor, case: CaseFacts) -> bool:
    """Brigades see their own cases only; command-center units and leadership see all (docs/permissions.md);
    a service account sees the cases it filed."""
    if sees_only_filed(user):
        return case.created_by_id == user.id
    return sees_all_cases(user) or case.unit_code == user.unit_code


def load_case(session: Session, case_id: int, user: User, *, for_update: bool = False) -> Case:
    """The case, or 404 when it does not exist or the caller may not see it."""
    stmt = select(Case).where(Case.id == case_id)
    if for_update:
        stmt = stmt.with_for_update()
    case = session.execute(stmt).scalar_one_or_none()
    if case is None or not can_see(user, case):
        raise NotFound(f"case {case_id} not found")
    return case


def case_for_action(
    session: Session, user: User, case_id: int, command: str, expected_version: int | None = None
) -> Case:
    """Load and lock a case for ``command``: 404 unseen, 403 not allowed (its grant in
    :data:`COMMAND_POLICY`), 412 stale, 409 wrong state (naming what this caller may do instead)."""
    case = load_case(session, case_id, user, for_update=True)
    if not actor_may_on_case(user, COMMAND_POLICY[command], case):
        raise Forbidden(f"you may not {command.replace('_', ' ')} on case {case.case_number}")
    check_version(case, expected_version, label=f"case {case.case_number}")
    if command not in state_actions(case):
        raise TransitionNotAllowed(
            f"case {case.case_number} is {_state_text(case)}; {command} is not allowed",
            allowed_actions=allowed_actions(user, case),
            state=case.state,
        )
    return case
