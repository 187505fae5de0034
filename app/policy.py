"""Who may do what: one table, default deny (docs/permissions.md, plan §3–§5).

A grant names units and roles; ``relation`` narrows it to the case at hand: ``handling_team``
(the unit the case is allocated to) or ``handling_judge`` (the judge who handles it, "谁办案谁负责",
plan §4). Brigades see only their own cases; command-center units and leadership see all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    registrar = "registrar"
    clerk = "clerk"
    judge = "judge"
    group_lead = "group_lead"
    deputy_director = "deputy_director"
    director = "director"
    president = "president"  # 院长, or the vice-president in charge of enforcement
    commissioner = "commissioner"
    finance = "finance"
    admin = "admin"
    service = "service"


COMMAND_CENTER = frozenset({"comprehensive", "fast", "disposal", "objection"})
BRIGADES = frozenset({"brigade-1", "brigade-2", "brigade-3", "brigade-4"})
ALL_UNITS = COMMAND_CENTER | BRIGADES | {"filing", "leadership", "office", "admin"}
ANY = frozenset({"*"})


class Actor(Protocol):
    id: int
    unit_code: str
    roles: list[str]


class CaseLike(Protocol):
    @property
    def unit_code(self) -> str | None: ...

    @property
    def handler_id(self) -> int | None: ...


@dataclass(frozen=True)
class Assignment:
    """The team (and judge) a record other than a case is assigned to, such as a petition routed to a
    team: the relations ``handling_team`` and ``handling_judge`` are checked on it as on a case."""

    unit_code: str | None
    handler_id: int | None = None


@dataclass(frozen=True)
class Grant:
    units: frozenset[str]
    roles: frozenset[str] = ANY
    relation: str | None = None  # None | "handling_team" | "handling_judge"

    def matches_actor(self, actor: Actor) -> bool:
        unit_ok = "*" in self.units or actor.unit_code in self.units
        role_ok = "*" in self.roles or bool(self.roles.intersection(actor.roles))
        return unit_ok and role_ok


def _g(
    units: frozenset[str] | set[str] | str, roles: set[str] | str = "*", relation: str | None = None
) -> Grant:
    units_set = frozenset({units}) if isinstance(units, str) else frozenset(units)
    roles_set = frozenset({roles}) if isinstance(roles, str) else frozenset(roles)
    return Grant(units_set, roles_set, relation)


TEAM_UNITS = BRIGADES | {"fast"}
TEAM_STAFF = {"judge", "clerk", "group_lead"}
CENTER_STAFF = {"clerk", "group_lead", "judge"}
SUPERVISORS = COMMAND_CENTER | {"leadership"}

POLICY: dict[str, tuple[Grant, ...]] = {
    # foundation
    "me.read": (_g("*"),),
    "audit.verify": (_g("admin", "admin"),),
    # cases (plan §5(1)–(3))
    "case.create": (_g("filing", {"registrar", "service"}),),
    # Least privilege: the office (finance) works on case money only (money.*, payout.*); a service
    # account sees only the cases it filed (sees_only_filed), as filed, and not their later life
    # (case.read_history).
    "case.list": (_g(ALL_UNITS - {"office"}),),
    "case.read": (
        _g(SUPERVISORS | {"admin"}),
        _g("filing", {"registrar", "service"}),
        _g(BRIGADES, relation="handling_team"),
    ),
    # timeline, measures, assets, triage decisions, closure, listings of a case
    "case.read_history": (
        _g(SUPERVISORS | {"admin"}),
        _g("filing", "registrar"),
        _g(BRIGADES, relation="handling_team"),
    ),
    # full identity numbers of parties (PIPL art. 28: sensitive personal information, need to know):
    # the command center's desks that deal with the parties and the handling team; masked for everyone
    # else, the filing division included once a case is filed
    "case.read_id_numbers": (
        _g({"comprehensive", "objection"}),
        _g(TEAM_UNITS, relation="handling_team"),
    ),
    "case.register": (_g("comprehensive", CENTER_STAFF),),
    "case.investigate": (_g("comprehensive", CENTER_STAFF),),
    "asset.record": (_g("comprehensive", CENTER_STAFF), _g(TEAM_UNITS, TEAM_STAFF, "handling_team")),
    # renewing or releasing a freeze or seal, also in the 终本 pool (plan §5(3), SPC 终本 rules 2016)
    "asset.control": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    "triage.evaluate": (_g("comprehensive", CENTER_STAFF),),
    "case.triage": (_g("comprehensive", CENTER_STAFF),),
    "case.handback": (_g("fast", TEAM_STAFF, "handling_team"),),
    # team work (plan §5(3)–(5))
    "measure.record": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    "disposal.request": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "disposal.approve": (_g("leadership", "deputy_director"),),
    # Plan §4: the director reviews (审核把关) what the law reserves to the president, who approves it.
    "measure.review": (_g("leadership", "director"),),
    "measure.approve": (_g("leadership", "president"),),
    "disposal.work": (_g("disposal", CENTER_STAFF),),
    # the disposal group, leadership, and the team a transfer came from (filtered by origin)
    "disposal.read": (_g({"disposal", "leadership"}), _g(TEAM_UNITS, TEAM_STAFF)),
    "case.close": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "case.restore": (_g("comprehensive", CENTER_STAFF),),
    "dishonest.propose": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "dishonest.decide": (_g("leadership", "director"),),
    "dishonest.read": (_g("*"),),
    "dishonest.trigger_deletion": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "dishonest.delete": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    "termination_pool.read": (_g(SUPERVISORS), _g(BRIGADES)),
    # SPC 终本 rules 2016 art. 9: the team re-checks its pool cases
    "termination_pool.recheck": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    # desks (plan §5(6)–(8))
    "objection.file": (_g({"objection", "comprehensive"}, CENTER_STAFF),),
    "objection.handle": (_g("objection", CENTER_STAFF),),
    "objection.read": (_g(SUPERVISORS | BRIGADES),),
    "referral.submit": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    "referral.handle": (_g("comprehensive", CENTER_STAFF),),
    "referral.read": (_g(SUPERVISORS | BRIGADES),),
    "petition.handle": (_g("comprehensive", CENTER_STAFF),),
    "petition.reply": (_g(TEAM_UNITS, TEAM_STAFF, "handling_team"),),
    "petition.read": (_g(SUPERVISORS | BRIGADES),),
    # case money (plan §6(5), §5(3); SPC provisions on enforcement money 2017): the office receives,
    # claims, pays and corrects; the handling judge asks for payouts, a leader approves them by tier.
    "money.read": (_g("office", "finance"), _g(SUPERVISORS), _g(BRIGADES, relation="handling_team")),
    "receipt.read": (_g("office", "finance"), _g(SUPERVISORS)),
    "money.receive": (_g("office", "finance"),),
    "money.claim": (_g("office", "finance"),),
    "money.reverse": (_g("office", "finance"),),
    # A leader who handles a case himself (院庭长办案) asks as its handling judge, and approves no
    # request of his own.
    "payout.request": (
        _g(TEAM_UNITS, "judge", "handling_judge"),
        _g("leadership", {"deputy_director", "director"}, "handling_judge"),
    ),
    "payout.approve": (_g("leadership", {"deputy_director", "director"}),),
    "payout.execute": (_g("office", "finance"),),
    "payout.read": (_g("office", "finance"), _g(SUPERVISORS), _g(BRIGADES)),
    "payout.defer": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "payout.decide_deferral": (_g("leadership", "director"),),
    "payout.lift_deferral": (_g(TEAM_UNITS, "judge", "handling_judge"), _g("leadership", "director")),
    # supervision (plan §3(1))
    "deadline.board": (_g(SUPERVISORS), _g(BRIGADES)),
    # SPC time-limit rules: the team asks, the director reviews (plan §4), the president approves.
    "deadline.request_extension": (_g(TEAM_UNITS, "judge", "handling_judge"),),
    "deadline.review_extension": (_g("leadership", "director"),),
    "deadline.extend": (_g("leadership", "president"),),
    "stats.read": (_g(SUPERVISORS),),
    "calendar.read": (_g("*"),),
    # the event feed (docs/events.md): each caller sees the events of the cases it may see
    "event.read": (
        _g(SUPERVISORS | {"admin"}),
        _g("filing", {"registrar", "service"}),
        _g(BRIGADES),
    ),
    # webhook subscriptions carry signing secrets and send court data out: administrators only
    "webhook.manage": (_g("admin", "admin"),),
    "calendar.write": (_g("admin", "admin"),),
}


def actor_may(actor: Actor, action: str) -> bool:
    """Whether some grant of the action fits the actor's unit and roles (before case relations)."""
    return any(g.matches_actor(actor) for g in POLICY.get(action, ()))


def actor_may_on_case(actor: Actor, action: str, case: CaseLike) -> bool:
    for grant in POLICY.get(action, ()):
        if not grant.matches_actor(actor):
            continue
        if grant.relation is None:
            return True
        if grant.relation == "handling_team" and case.unit_code == actor.unit_code:
            return True
        if grant.relation == "handling_judge" and case.handler_id == actor.id:
            return True
    return False


def sees_only_filed(actor: Actor) -> bool:
    """A service (machine) account sees the cases it filed, and no other."""
    return Role.service in actor.roles


def sees_all_cases(actor: Actor) -> bool:
    """Brigade members see their own brigade's cases only (docs/permissions.md); service accounts the cases
    they filed."""
    return actor.unit_code not in BRIGADES and not sees_only_filed(actor)
