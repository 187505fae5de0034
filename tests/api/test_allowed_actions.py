"""``allowed_actions`` is what the caller may do now, on every kind of record.

Each kind (case, objection, petition, refusal-to-execute referral, disposal transfer, dishonest
listing) is built through the API in several states. The command center's and the leadership's demo
users, the case's handling judge, a teammate and a judge of another brigade read it; then, for each
action of the kind (the code's own tables: the case commands, each desk's workflow steps):
- not listed: performing it with a valid body is refused, 403, 404 or 409 transition-not-allowed,
  and a 409 names the same actions the read did (actions whose route the user's unit and role may
  not call at all are left to the permission matrix, which sends every operation as every user);
- listed: performing it on a fresh record in that state succeeds, or is stopped only by a rule of
  the action itself (a legal gate such as the served disposal ruling, a record in the way).
The refusals change nothing, so one record per state serves every refused user; each user who may
act gets a fresh record.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.user import User
from app.policy import actor_may
from app.services import dishonest
from app.services import disposal
from app.services import objections
from app.services import petitions
from app.services import refusal_referrals
from app.services.case_access import COMMAND_POLICY
from app.services.case_access import ON_RECORDS
from app.settings import court_today
from tests.factories import add_termination_measures
from tests.factories import resident_id
from tests.factories import uscc

FILED = court_today() - timedelta(days=150)  # 终本 needs more than 3 months of enforcement (D4)
CENTER = ("comprehensive", "registrar", "fast-judge", "objection-judge", "disposal", "deputy", "director")
_serial = itertools.count(1)


@dataclass(frozen=True)
class Actor:
    id: int
    unit_code: str
    roles: list[str]


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    case_id: int
    respondent_id: int
    handler: str  # the case's handling judge, once allocated
    asset_id: int  # a bank deposit of the case, frozen at filing

    def people(self) -> dict[str, str]:
        """Who reads and acts, by their part: the command center and leadership, the handling judge,
        a teammate and a judge of another brigade."""
        people = {user: user for user in CENTER}
        brigade = self.handler.removeprefix("brigade")[:1] if self.handler.startswith("brigade") else ""
        if brigade:
            people["handler"] = self.handler
            people["teammate"] = f"brigade{brigade}-judge" + ("" if self.handler.endswith("2") else "2")
        people["outsider"] = f"brigade{int(brigade or 0) % 4 + 1}-judge"
        return people

    def on_case(self) -> Subject:
        return Subject("case", self.case_id, self.case_id, self.respondent_id, self.handler, self.asset_id)


class World:
    """Builds records through the API, as their users would."""

    def __init__(self, client, auth, user_ids: dict[str, int]) -> None:  # noqa: ANN001
        self.client, self.auth, self.user_ids = client, auth, user_ids
        self.usernames = {v: k for k, v in user_ids.items()}
        with session_scope(read_only=True) as session:
            self.users = {
                u.username: Actor(u.id, u.unit_code, list(u.roles)) for u in session.scalars(select(User))
            }

    def route_admits(self, kind: str, action: str, user: str) -> bool:
        """Whether the action's route lets the user's unit and role through to the record. The routes
        that do not are refused before anything is read, as the permission matrix checks operation by
        user (tests/security); sending those here would show nothing more."""
        permission = COMMAND_POLICY[action] if kind == "case" else WORKFLOWS[kind].permission(action)
        return actor_may(self.users[user], permission)

    def post(self, user: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post(f"/api/v1{url}", json=body or {}, headers=self.auth(user))
        assert 200 <= response.status_code < 300, f"{url}: {response.text}"
        return response.json()

    # Cases ---------------------------------------------------------------------------------------

    def filed(self, claim: str = "250000.00") -> Subject:
        serial = 7000 + next(_serial)
        body = {
            "case_number": f"（{FILED.year}）豫0104执{serial}号",
            "filed_on": FILED.isoformat(),
            "category": "civil_commercial",
            "claim_amount": claim,
            "applicants": [
                {"name": "张三", "party_type": "natural_person", "id_number": resident_id(serial)}
            ],
            "respondents": [
                {
                    "name": "郑州某某贸易有限公司",
                    "party_type": "legal_person",
                    "id_number": uscc(serial),
                    "respondent_class": "enterprise",
                }
            ],
        }
        case = self.post("registrar", "/cases", body)
        frozen = {
            "kind": "bank_deposit",
            "value": "30000.00",
            "status": "frozen",
            "disposable": True,
            "controlled_on": FILED.isoformat(),
        }
        asset = self.post("comprehensive", f"/cases/{case['id']}/assets", frozen)
        return Subject("case", case["id"], case["id"], case["respondents"][0]["id"], "", asset["id"])

    def registered(self, claim: str = "250000.00") -> Subject:
        case = self.filed(claim)
        self.post("comprehensive", f"/cases/{case.id}/registration", {"investigation_completed": False})
        return case

    def triaged(self, claim: str = "250000.00") -> Subject:
        case = self.registered(claim)
        decision = self.post("comprehensive", f"/cases/{case.id}/triage")
        handler = self.usernames[decision["handler_id"]]
        return Subject("case", case.id, case.id, case.respondent_id, handler, case.asset_id)

    def fast(self) -> Subject:
        return self.triaged(claim="30000.00")  # T6: a small claim goes to the fast group

    def in_progress(self) -> Subject:
        """A brigade's case, with the disposal ruling its judge signed and served."""
        case = self.triaged()
        measure = {
            "kind": "disposal_document",
            "on": court_today().isoformat(),
            "document_number": f"拍卖裁定{case.id}",
            "signed_by": self.user_ids[case.handler],
        }
        self.post(case.handler, f"/cases/{case.id}/measures", measure)
        return case

    def at_disposal(self) -> Subject:
        return self.approved_transfer().on_case()

    def performed(self) -> Subject:
        case = self.in_progress()
        release = {"released_on": court_today().isoformat(), "document_number": f"解冻{case.id}"}
        self.post(case.handler, f"/cases/{case.id}/assets/{case.asset_id}/release", release)
        self.post(case.handler, f"/cases/{case.id}/closure", {"mode": "performed"})
        return case

    def terminated(self) -> Subject:
        case = self.in_progress()
        add_termination_measures(case.id, FILED + timedelta(days=20))
        self.post(case.handler, f"/cases/{case.id}/closure", {"mode": "terminated_current"})
        return case

    # Desks ---------------------------------------------------------------------------------------

    def _on(self, kind: str, record: dict[str, Any], case: Subject) -> Subject:
        return Subject(kind, record["id"], case.id, case.respondent_id, case.handler, case.asset_id)

    def objection(self, *, to: str | None = None) -> Subject:
        case = self.in_progress()
        body = {
            "case_id": case.id,
            "kind": "enforcement_act",
            "filer_name": "郑州某某贸易有限公司",
            "filer_kind": "party",
            "received_on": court_today().isoformat(),
            "grounds": "冻结不当",
        }
        objection = self._on("objection", self.post("objection-judge", "/objections", body), case)
        for action in ("docket", "hearing", "ruling", "service", "reconsideration"):
            if to == ACTION_STATES["objection"].get(action):
                return objection
            self.act(objection, action, "objection-judge")
        return objection

    def petition(self, *, to: str | None = None) -> Subject:
        case = self.in_progress()
        body = {"received_on": court_today().isoformat(), "channel": "visit", "petitioner_name": "张三"}
        petition = self._on(
            "petition",
            self.post("comprehensive", "/petitions", body | {"case_id": case.id, "content": "催促执行"}),
            case,
        )
        for action, user in (
            ("register", "comprehensive"),
            ("route", "comprehensive"),
            ("reply", case.handler),
        ):
            if to == ACTION_STATES["petition"].get(action):
                return petition
            self.act(petition, action, user)
        return petition

    def referral(self, *, to: str | None = None) -> Subject:
        case = self.in_progress()
        body = {"case_id": case.id, "summary": "转移财产", "materials": CHECKLIST}
        referral = self._on("referral", self.post(case.handler, "/refusal-referrals", body), case)
        if to == "returned":
            self.post("comprehensive", f"/refusal-referrals/{referral.id}/review", RETURNED)
            return referral
        for action in ("review", "liaison", "outcome"):
            if to == ACTION_STATES["referral"].get(action):
                return referral
            self.act(referral, action, "comprehensive")
        return referral

    def requested_transfer(self) -> Subject:
        case = self.in_progress()
        return self._on("transfer", self.post(case.handler, f"/cases/{case.id}/disposal-transfers"), case)

    def approved_transfer(self) -> Subject:
        transfer = self.requested_transfer()
        self.act(transfer, "decide", "deputy")
        return transfer

    def returned_transfer(self) -> Subject:
        transfer = self.approved_transfer()
        self.act(transfer, "return", "disposal")
        return transfer

    def listing(self, *, to: str | None = None) -> Subject:
        case = self.in_progress()
        # A consumption-restriction order: recorded by the team, reviewed by the director, approved
        # by the president, each under their own login.
        ban = {
            "kind": "consumption_ban",
            "on": court_today().isoformat(),
            "document_number": f"限消令{case.id}",
        }
        measure = self.post(case.handler, f"/cases/{case.id}/measures", ban)
        self.post("director", f"/cases/{case.id}/measures/{measure['id']}/review", None)
        self.post("president", f"/cases/{case.id}/measures/{measure['id']}/approval", None)
        body = {"respondent_id": case.respondent_id, "ground": "obstructs", "facts": "妨碍执行"}
        listing = self._on(
            "listing", self.post(case.handler, f"/cases/{case.id}/dishonest-listings", body), case
        )
        for action, user in (("decide", "director"), ("trigger_deletion", case.handler)):
            if to == ACTION_STATES["listing"].get(action):
                return listing
            self.act(listing, action, user)
        return listing

    # Reading and acting --------------------------------------------------------------------------

    def allowed(self, subject: Subject, user: str) -> list[str]:
        response = self.client.get(
            f"/api/v1{READ[subject.kind].format(id=subject.id)}", headers=self.auth(user)
        )
        if response.status_code in (403, 404):  # not for this user to read, nor to act on
            return []
        assert response.status_code == 200, response.text
        return response.json()["allowed_actions"]

    def attempt(self, subject: Subject, action: str, user: str):  # noqa: ANN201
        url, body = ACTIONS[subject.kind][action]
        payload = body(subject) if callable(body) else body
        payload = {
            key: court_today().isoformat() if value is TODAY else value for key, value in payload.items()
        }
        path = f"/api/v1{url.format(id=subject.id, asset=subject.asset_id)}"
        return self.client.post(path, json=payload, headers=self.auth(user))

    def act(self, subject: Subject, action: str, user: str) -> None:
        response = self.attempt(subject, action, user)
        assert 200 <= response.status_code < 300, f"{subject.kind} {action} by {user}: {response.text}"


# A date field set to ``TODAY`` is sent as the court's today, read when the request is made (a run
# may cross midnight in Shanghai).
TODAY = object()
CHECKLIST = refusal_referrals.checklist()
RETURNED = {"result": "returned", "missing_items": ["warnings_given"]}
READ = {
    "case": "/cases/{id}",
    "objection": "/objections/{id}",
    "petition": "/petitions/{id}",
    "referral": "/refusal-referrals/{id}",
    "transfer": "/disposal-transfers/{id}",
    "listing": "/dishonest-listings/{id}",
}
Body = dict[str, Any] | Callable[[Subject], dict[str, Any]]
# Each action of each kind: where it is sent, with a body that is valid for it.
ACTIONS: dict[str, dict[str, tuple[str, Body]]] = {
    "case": {
        "register": ("/cases/{id}/registration", {}),
        "record_asset": (
            "/cases/{id}/assets",
            {"kind": "vehicle", "value": "90000.00", "status": "found", "disposable": True},
        ),
        "control_asset": (
            "/cases/{id}/assets/{asset}/renewals",
            {"renewed_on": TODAY, "document_number": "续冻裁定1"},
        ),
        "recheck_pool": (
            "/cases/{id}/termination-pool/rechecks",
            {"checked_on": TODAY, "method": "network_inquiry", "result": "nothing_found"},
        ),
        "record_investigation": ("/cases/{id}/investigation", {"investigation_completed": True}),
        "triage": ("/cases/{id}/triage", {}),
        "record_measure": ("/cases/{id}/measures", {"kind": "online_property_check", "on": TODAY}),
        "handback": ("/cases/{id}/handback", {"reason": "财产需评估拍卖"}),
        "request_disposal": ("/cases/{id}/disposal-transfers", {}),
        "close": ("/cases/{id}/closure", {"mode": "performed"}),
        "propose_dishonest": (
            "/cases/{id}/dishonest-listings",
            lambda s: {"respondent_id": s.respondent_id, "ground": "obstructs", "facts": "妨碍执行"},
        ),
        "refer_refusal": (
            "/refusal-referrals",
            lambda s: {"case_id": s.case_id, "summary": "转移财产", "materials": CHECKLIST},
        ),
        "restore": ("/cases/{id}/restoration", {}),
    },
    "objection": {
        "docket": ("/objections/{id}/docket", {}),
        "hearing": ("/objections/{id}/hearing", {"held_on": TODAY}),
        "ruling": (
            "/objections/{id}/ruling",
            {"outcome": "rejected", "reasons": "理由不成立", "ruled_on": TODAY},
        ),
        "service": ("/objections/{id}/service", {"served_on": TODAY}),
        "reconsideration": ("/objections/{id}/reconsideration", {"applied_on": TODAY}),
        "transfer": ("/objections/{id}/transfer", {"transferred_on": TODAY}),
    },
    "petition": {
        "register": ("/petitions/{id}/register", {}),
        "route": ("/petitions/{id}/route", {}),
        "urge": ("/petitions/{id}/urge", {"note": "请尽快答复"}),
        "supervise": ("/petitions/{id}/supervise", {}),
        "reply": ("/petitions/{id}/reply", {"reply_text": "已答复"}),
        "resolve": ("/petitions/{id}/resolve", {}),
        "close": ("/petitions/{id}/close", {}),
    },
    "referral": {
        "review": ("/refusal-referrals/{id}/review", {"result": "complete"}),
        "supplement": ("/refusal-referrals/{id}/supplement", {"materials": ["warnings_given"]}),
        "liaison": ("/refusal-referrals/{id}/liaison", {}),
        "police_transfer": (
            "/refusal-referrals/{id}/police-transfer",
            {"document_number": "移送函1", "transferred_on": TODAY},
        ),
        "outcome": ("/refusal-referrals/{id}/outcome", {"outcome": "prosecuted"}),
    },
    "transfer": {
        "decide": ("/disposal-transfers/{id}/approval", {"decision": "approve"}),
        "record_task": (
            "/disposal-transfers/{id}/tasks",
            {"kind": "appraise", "on": TODAY, "result": "评估完毕"},
        ),
        "return": ("/disposal-transfers/{id}/return", {"amount_realised": "0.00"}),
    },
    "listing": {
        "decide": ("/dishonest-listings/{id}/decision", {"decision": "approve"}),
        "trigger_deletion": ("/dishonest-listings/{id}/deletion-trigger", {"trigger": "paid"}),
        "delete": ("/dishonest-listings/{id}/deletion", {}),
    },
}
# The state each desk record is in before the action: builders stop there.
ACTION_STATES = {
    "objection": {
        "docket": "received",
        "hearing": "docketed",
        "ruling": "heard",
        "service": "ruled",
        "reconsideration": "served",
    },
    "petition": {"register": "received", "route": "registered", "reply": "routed"},
    "referral": {"review": "submitted", "liaison": "complete", "outcome": "liaised"},
    "listing": {"decide": "proposed", "trigger_deletion": "active"},
}

# Kind, state, builder.
STATES: list[tuple[str, str, Callable[[World], Subject]]] = [
    ("case", "filed", World.filed),
    ("case", "registered", World.registered),
    ("case", "triaged", World.triaged),
    ("case", "triaged_fast", World.fast),
    ("case", "in_progress", World.in_progress),
    ("case", "at_disposal", World.at_disposal),
    ("case", "closed_performed", World.performed),
    ("case", "closed_terminated", World.terminated),
    *[
        ("objection", state, lambda w, state=state: w.objection(to=state))
        for state in ("received", "docketed", "served", "reconsideration_applied")
    ],
    *[
        ("petition", state, lambda w, state=state: w.petition(to=state))
        for state in ("received", "registered", "routed", "replied")
    ],
    *[
        ("referral", state, lambda w, state=state: w.referral(to=state))
        for state in ("submitted", "returned", "complete", "liaised")
    ],
    ("transfer", "requested", World.requested_transfer),
    ("transfer", "approved", World.approved_transfer),
    ("transfer", "returned", World.returned_transfer),
    *[
        ("listing", state, lambda w, state=state: w.listing(to=state))
        for state in ("proposed", "active", "deletion_pending")
    ],
]
WORKFLOWS = {
    "objection": objections.OBJECTIONS,
    "petition": petitions.PETITIONS,
    "referral": refusal_referrals.REFERRALS,
    "transfer": disposal.TRANSFERS,
    "listing": dishonest.LISTINGS,
}


def actions_of(kind: str) -> list[str]:
    if kind == "case":
        return [command for command in COMMAND_POLICY if command not in ON_RECORDS]
    return list(WORKFLOWS[kind].steps)


def test_every_action_of_every_kind_can_be_sent():
    for kind in READ:
        assert sorted(actions_of(kind)) == sorted(ACTIONS[kind])


@pytest.mark.parametrize(
    ("kind", "tables"),
    [
        ("objection", (objections.STATE_ACTIONS, objections.RECONSIDERATION_KIND_ACTIONS)),
        ("petition", (petitions.STATE_ACTIONS,)),
        ("referral", (refusal_referrals.STAGE_ACTIONS,)),
        ("transfer", (disposal.TRANSFER_ACTIONS,)),
        ("listing", (dishonest.LISTING_ACTIONS,)),
    ],
)
def test_every_action_a_state_admits_says_who_may_perform_it(kind, tables):
    admitted = {action for table in tables for actions in table.values() for action in actions}
    assert admitted == set(WORKFLOWS[kind].steps)


def refused(response) -> bool:  # noqa: ANN001
    """403, 404 or 409 transition-not-allowed: the caller or the state stands in the way."""
    if response.status_code == 409:
        return response.json()["type"] == "/problems/transition-not-allowed"
    return response.status_code in (403, 404)


def performed(response) -> bool:  # noqa: ANN001
    """Done, or stopped by a rule of the action itself (a legal gate, a record in the way), not by
    who the caller is or the state."""
    if response.status_code == 409:
        return response.json()["type"] in ("/problems/gate-not-met", "/problems/conflict")
    return 200 <= response.status_code < 300


@pytest.mark.parametrize(("kind", "state", "build"), STATES, ids=[f"{k}-{s}" for k, s, _ in STATES])
def test_listed_actions_succeed_and_the_others_are_refused(client, auth, user_ids, kind, state, build):
    world = World(client, auth, user_ids)
    subject = build(world)
    listed = {part: world.allowed(subject, user) for part, user in subject.people().items()}
    for part, user in subject.people().items():
        for action in actions_of(kind):
            if action in listed[part] or not world.route_admits(kind, action, user):
                continue
            response = world.attempt(subject, action, user)
            assert refused(response), (
                f"{user} not offered {action}, yet {response.status_code} {response.text}"
            )
            if response.status_code == 409:
                assert response.json()["allowed_actions"] == listed[part], f"{user} {action}: {response.text}"
    assert {part: world.allowed(subject, user) for part, user in subject.people().items()} == listed
    for part, allowed in listed.items():
        for action in allowed:
            fresh = build(world)
            user = fresh.people()[part]
            response = world.attempt(fresh, action, user)
            assert performed(response), f"{user} offered {action}, yet {response.status_code} {response.text}"
