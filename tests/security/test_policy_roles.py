"""The policy for every unit and role, including those no demo user holds (a clerk in a brigade, a
group lead in the fast group, a commissioner, a service account outside the filing division): the
permission matrix sends requests as the demo users only, so a grant to anyone else is checked here.

Each action's rows are written by hand from DOMAIN.md §1, the plan (§3–§5) and API.md, in the form
``"units: roles"`` with ``@team`` (the unit the case is allocated to) or ``@judge`` (its handling
judge) where the grant holds only on the case at hand; ``*`` is any unit or any role.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from itertools import combinations

import pytest

from app.policy import ALL_UNITS
from app.policy import POLICY
from app.policy import Assignment
from app.policy import Role
from app.policy import actor_may
from app.policy import actor_may_on_case
from app.policy import sees_all_cases
from app.policy import sees_only_filed

BRIGADES = ("brigade-1", "brigade-2", "brigade-3", "brigade-4")
# DOMAIN.md §1: the command center's four groups, the brigades, the filing division, leadership, the
# office; and the administrators of this service.
UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "command-center": ("comprehensive", "fast", "disposal", "objection"),
    "brigades": BRIGADES,
    "teams": (*BRIGADES, "fast"),  # the units that execute cases (plan §5(3))
    "comprehensive": ("comprehensive",),
    "fast": ("fast",),
    "disposal": ("disposal",),
    "objection": ("objection",),
    "filing": ("filing",),
    "leadership": ("leadership",),
    "office": ("office",),
    "admin": ("admin",),
}
UNITS = (
    "comprehensive",
    "fast",
    "disposal",
    "objection",
    *BRIGADES,
    "filing",
    "leadership",
    "office",
    "admin",
)
ROLES = tuple(Role)
STAFF = "clerk judge group_lead"  # who works a case in a group or team (not leadership, office, machines)

EXPECTED: dict[str, tuple[str, ...]] = {
    "me.read": ("*: *",),
    "audit.verify": ("admin: admin",),
    "case.create": ("filing: registrar service",),
    "case.list": ("command-center brigades filing leadership admin: *",),
    "case.read": ("command-center leadership admin: *", "filing: registrar service", "brigades: * @team"),
    "case.read_history": ("command-center leadership admin: *", "filing: registrar", "brigades: * @team"),
    "case.read_id_numbers": ("comprehensive objection: *", "teams: * @team"),
    "case.register": (f"comprehensive: {STAFF}",),
    "case.investigate": (f"comprehensive: {STAFF}",),
    "asset.record": (f"comprehensive: {STAFF}", f"teams: {STAFF} @team"),
    "asset.control": (f"teams: {STAFF} @team",),
    "triage.evaluate": (f"comprehensive: {STAFF}",),
    "case.triage": (f"comprehensive: {STAFF}",),
    "case.handback": (f"fast: {STAFF} @team",),
    "measure.record": (f"teams: {STAFF} @team",),
    "disposal.request": ("teams: judge @judge",),
    "disposal.approve": ("leadership: deputy_director",),
    "measure.review": ("leadership: director",),
    "measure.approve": ("leadership: president",),
    "disposal.work": (f"disposal: {STAFF}",),
    "disposal.read": ("disposal leadership: *", f"teams: {STAFF}"),
    "case.close": ("teams: judge @judge",),
    "case.restore": (f"comprehensive: {STAFF}",),
    "dishonest.propose": ("teams: judge @judge",),
    "dishonest.decide": ("leadership: director",),
    "dishonest.read": ("*: *",),
    "dishonest.trigger_deletion": ("teams: judge @judge",),
    "dishonest.delete": (f"teams: {STAFF} @team",),
    "termination_pool.read": ("command-center leadership brigades: *",),
    "termination_pool.recheck": (f"teams: {STAFF} @team",),
    "objection.file": (f"objection comprehensive: {STAFF}",),
    "objection.handle": (f"objection: {STAFF}",),
    "objection.read": ("command-center leadership brigades: *",),
    "referral.submit": (f"teams: {STAFF} @team",),
    "referral.handle": (f"comprehensive: {STAFF}",),
    "referral.read": ("command-center leadership brigades: *",),
    "petition.handle": (f"comprehensive: {STAFF}",),
    "petition.reply": (f"teams: {STAFF} @team",),
    "petition.read": ("command-center leadership brigades: *",),
    "deadline.board": ("command-center leadership brigades: *",),
    "deadline.request_extension": ("teams: judge @judge",),
    "deadline.review_extension": ("leadership: director",),
    "deadline.extend": ("leadership: president",),
    "stats.read": ("command-center leadership: *",),
    "calendar.read": ("*: *",),
    "calendar.write": ("admin: admin",),
    # case money (plan §6(5)): the office handles money, the handling judge asks, leaders approve
    "money.read": ("office: finance", "command-center leadership: *", "brigades: * @team"),
    "receipt.read": ("office: finance", "command-center leadership: *"),
    "money.receive": ("office: finance",),
    "money.claim": ("office: finance",),
    "money.reverse": ("office: finance",),
    "payout.request": ("teams: judge @judge", "leadership: deputy_director director @judge"),
    "payout.approve": ("leadership: deputy_director director",),
    "payout.execute": ("office: finance",),
    "payout.read": ("office: finance", "command-center leadership brigades: *"),
    "payout.defer": ("teams: judge @judge",),
    "payout.decide_deferral": ("leadership: director",),
    "payout.lift_deferral": ("teams: judge @judge", "leadership: director"),
    # the event feed: whoever reads cases; webhooks send court data out, so administrators only
    "event.read": ("command-center leadership admin: *", "filing: registrar service", "brigades: *"),
    "webhook.manage": ("admin: admin",),
}


@dataclass(frozen=True)
class Row:
    units: frozenset[str]  # empty: any unit
    roles: frozenset[str]  # empty: any role
    relation: str | None

    @classmethod
    def parse(cls, text: str) -> Row:
        units, _, rest = text.partition(":")
        words = rest.split()
        relation = next((w[1:] for w in words if w.startswith("@")), None)
        roles = {w for w in words if not w.startswith("@")}
        unit_codes = {code for group in units.split() if group != "*" for code in UNIT_GROUPS[group]}
        return cls(frozenset(unit_codes), frozenset(roles - {"*"}), relation)

    def fits(self, unit: str, roles: tuple[str, ...]) -> bool:
        return (not self.units or unit in self.units) and (not self.roles or bool(self.roles & set(roles)))


@dataclass
class MadeUpUser:
    id: int
    unit_code: str
    roles: list[str] = field(default_factory=list)


ME = 7
SOMEONE_ELSE = 8


def expected_may(action: str, unit: str, roles: tuple[str, ...], *, team: bool, judge: bool) -> bool:
    """What the rows say for a user of ``unit`` with ``roles``, on a case allocated to the user's unit
    (``team``) and handled by the user (``judge``)."""
    for row in map(Row.parse, EXPECTED[action]):
        if not row.fits(unit, roles):
            continue
        if row.relation is None or (row.relation == "team" and team) or (row.relation == "judge" and judge):
            return True
    return False


def test_the_units_are_those_of_the_organisation():
    assert set(UNITS) == ALL_UNITS


def test_every_policy_action_has_written_rows():
    assert set(EXPECTED) == set(POLICY)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_unit_and_role_may_do_what_the_rows_say(action):
    wrong = []
    for unit in (*UNITS, "elsewhere"):
        for role in ROLES:
            user = MadeUpUser(ME, unit, [role])
            # before the case is looked at: some grant fits the unit and role
            if actor_may(user, action) != expected_may(action, unit, (role,), team=True, judge=True):
                wrong.append((unit, role, "any case"))
            for team, judge in ((True, True), (True, False), (False, True), (False, False)):
                case = Assignment(
                    unit_code=unit if team else "brigade-9", handler_id=ME if judge else SOMEONE_ELSE
                )
                expected = expected_may(action, unit, (role,), team=team, judge=judge)
                if actor_may_on_case(user, action, case) != expected:
                    wrong.append((unit, role, f"team={team} judge={judge}"))
    assert wrong == []


@pytest.mark.parametrize("unit", UNITS)
def test_several_roles_add_up_and_no_role_grants_only_what_any_role_may(unit):
    for first, second in combinations(ROLES, 2):
        both = MadeUpUser(ME, unit, [first, second])
        for action in EXPECTED:
            assert actor_may(both, action) == (
                actor_may(MadeUpUser(ME, unit, [first]), action)
                or actor_may(MadeUpUser(ME, unit, [second]), action)
            ), (unit, first, second, action)
    nobody = MadeUpUser(ME, unit, [])
    for action in EXPECTED:
        assert actor_may(nobody, action) == expected_may(action, unit, (), team=True, judge=True), action


@pytest.mark.parametrize("unit", UNITS)
def test_brigades_see_their_own_cases_and_service_accounts_those_they_filed(unit):
    # DOMAIN.md §1: brigades see their own cases only; command-center units and leadership see all.
    for roles in (*combinations(ROLES, 1), *combinations(ROLES, 2)):
        user = MadeUpUser(ME, unit, list(roles))
        assert sees_only_filed(user) == (Role.service in roles), roles
        assert sees_all_cases(user) == (unit not in BRIGADES and Role.service not in roles), (unit, roles)
