"""Who may call each operation, written by hand from the specification — not from ``app.policy``.

Sources: the seed (plan §3–§5), DOMAIN.md §1 (units, roles; brigades see their own cases, the
command center and leadership see all), API.md (the "who" column) and the issues. Each row names the
demo users allowed to perform the operation on its subject; every other demo user must be refused.

A subject is the record the operation acts on, built by ``test_permission_matrix.SUBJECTS``; most
belong to a case allocated to brigade-1 and handled by ``brigade1-judge``. A user who cannot see
the subject (another brigade's judge) may be refused with 404 instead of 403 (DOMAIN.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass

# The demo users of issue 2, by unit.
FILING = frozenset({"registrar", "filing-bot"})
COMPREHENSIVE = frozenset({"comprehensive", "comprehensive-lead"})
FAST = frozenset({"fast-judge"})
DISPOSAL = frozenset({"disposal"})
OBJECTION = frozenset({"objection-judge"})
BRIGADE = {n: frozenset({f"brigade{n}-judge", f"brigade{n}-judge2"}) for n in range(1, 5)}
LEADERSHIP = frozenset({"deputy", "director", "president"})
OFFICE = frozenset({"finance"})
ADMIN = frozenset({"admin"})

ALL_BRIGADES = frozenset().union(*BRIGADE.values())
# 指挥中心下设四个小组: comprehensive, fast, disposal, objection (plan §3(1)).
COMMAND_CENTER = COMPREHENSIVE | FAST | DISPOSAL | OBJECTION
EVERYONE = FILING | COMMAND_CENTER | ALL_BRIGADES | LEADERSHIP | OFFICE | ADMIN
# The handling team of the subject case and its handling judge (plan §4: 谁办案谁负责).
HANDLING_TEAM = BRIGADE[1]
HANDLING_JUDGE = frozenset({"brigade1-judge"})
# Whoever supervises (command center, leadership) or works cases (every brigade, own cases only).
SUPERVISORS_AND_TEAMS = COMMAND_CENTER | LEADERSHIP | ALL_BRIGADES
# A brigade-1 case is read by everyone but the other brigades, the office (no task of finance needs a
# case yet) and the filing division's machine account, which reads only the cases it filed, as filed:
# the registrar that filed it and the administrator read it.
SERVICE_ACCOUNTS = frozenset({"filing-bot"})
CASE_READERS = EVERYONE - (ALL_BRIGADES - HANDLING_TEAM) - OFFICE - SERVICE_ACCOUNTS
# The dishonest list is published: the office reads its listings too.
LISTING_READERS = CASE_READERS | OFFICE
# The records of the desks (objections, referrals, petitions) on a brigade-1 case.
DESK_READERS = COMMAND_CENTER | LEADERSHIP | HANDLING_TEAM
# Disposal transfers: the disposal group, the leadership that approves them and the team a transfer
# came from (issue 5); a team (the fast group too) sees only its own. The comprehensive and objection
# groups read the case itself, not the transfer record: a design choice DOMAIN.md §1 leaves open.
TRANSFER_READERS = DISPOSAL | LEADERSHIP | HANDLING_TEAM
# Case money (issue 12, plan §6(5)): the office keeps it; the command center, leadership and the
# handling team read a case's ledger and payouts; the unclaimed list is the office's and supervisors'.
MONEY_READERS = OFFICE | COMMAND_CENTER | LEADERSHIP | HANDLING_TEAM
RECEIPT_READERS = OFFICE | COMMAND_CENTER | LEADERSHIP
# The event feed (issue 16): whoever reads cases, each seeing the events of the cases it may see (a
# brigade its own, the filing division's machine account the filings of its own cases).
EVENT_READERS = EVERYONE - OFFICE


@dataclass(frozen=True)
class Expectation:
    allowed: frozenset[str]
    subject: str | None = None  # a key of test_permission_matrix.SUBJECTS; None: the operation has none
    owner: str | None = "brigade-1"  # unit holding the subject's case (None: not yet allocated)
    unseen: frozenset[str] = frozenset()  # others who may not see the subject either

    @property
    def hidden(self) -> frozenset[str]:
        """Users who cannot see the subject: brigades other than the owner (DOMAIN.md §1), and the
        service accounts, which filed none of the subjects."""
        if self.subject is None:
            return frozenset()
        owner = self.owner or ""
        own = BRIGADE[int(owner.removeprefix("brigade-"))] if owner.startswith("brigade-") else frozenset()
        return (ALL_BRIGADES - own) | SERVICE_ACCOUNTS | self.unseen


def _(
    allowed: frozenset[str],
    subject: str | None = None,
    owner: str | None = "brigade-1",
    unseen: frozenset[str] = frozenset(),
) -> Expectation:
    return Expectation(frozenset(allowed), subject, owner, unseen)


# Reachable without a token: health, metrics, documentation (problem types too), logging in (API.md)
# and the dashboard's page, which logs in itself and shows only what the user's token may read.
PUBLIC = frozenset(
    {
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /docs",
        "GET /docs/oauth2-redirect",
        "GET /redoc",
        "GET /dashboard",
        "GET /problems/{slug}",
        "GET /api/v1/openapi.json",
        "POST /api/v1/auth/token",
    }
)

EXPECTATIONS: dict[str, Expectation] = {
    # foundation (issue 2)
    "GET /api/v1/me": _(EVERYONE),
    "GET /api/v1/permissions": _(EVERYONE),  # issue 15: the permission table is no secret
    "GET /api/v1/audit/verify": _(ADMIN),
    # intake: the filing division, its registrar and its machine account (API.md; plan §5(1))
    "POST /api/v1/cases": _(FILING),
    "POST /api/v1/cases/batch": _(FILING),
    "GET /api/v1/cases": _(EVERYONE - OFFICE),  # each sees what it may (brigades: own cases)
    "GET /api/v1/cases/{case_id}": _(CASE_READERS, "team_case"),
    "GET /api/v1/cases/{case_id}/timeline": _(CASE_READERS, "team_case"),
    # registration, investigation and triage: the comprehensive group (plan §3(1) 综合组: 登记分流, 财产查控)
    "POST /api/v1/cases/{case_id}/registration": _(COMPREHENSIVE, "filed_case", owner=None),
    "POST /api/v1/cases/{case_id}/investigation": _(COMPREHENSIVE, "registered_case", owner=None),
    "POST /api/v1/cases/{case_id}/assets": _(COMPREHENSIVE | HANDLING_TEAM, "team_case"),  # API.md
    "GET /api/v1/cases/{case_id}/assets": _(CASE_READERS, "team_case"),
    # renewal and release of a freeze or seal: the handling team's own documents (issue 18)
    "POST /api/v1/cases/{case_id}/assets/{asset_id}/renewals": _(HANDLING_TEAM, "frozen_asset"),
    "POST /api/v1/cases/{case_id}/assets/{asset_id}/release": _(HANDLING_TEAM, "frozen_asset"),
    "POST /api/v1/triage/evaluate": _(COMPREHENSIVE),
    "POST /api/v1/cases/{case_id}/triage": _(COMPREHENSIVE, "registered_case", owner=None),
    "POST /api/v1/cases/{case_id}/handback": _(FAST, "fast_case", owner="fast"),  # the fast group (API.md)
    "GET /api/v1/cases/{case_id}/triage-decisions": _(CASE_READERS, "team_case"),
    # team work (plan §5(3)–(5), issue 5): the handling team records; the handling judge decides
    "POST /api/v1/cases/{case_id}/measures": _(HANDLING_TEAM, "team_case"),
    "GET /api/v1/cases/{case_id}/measures": _(CASE_READERS, "team_case"),
    "GET /api/v1/cases/{case_id}/measures/{measure_id}": _(CASE_READERS, "measure"),
    # plan §4: the director reviews; CPL art. 119: the president approves fines and detention
    "POST /api/v1/cases/{case_id}/measures/{measure_id}/review": _(
        frozenset({"director"}), "unreviewed_fine"
    ),
    "POST /api/v1/cases/{case_id}/measures/{measure_id}/approval": _(
        frozenset({"president"}), "reviewed_fine"
    ),
    "POST /api/v1/cases/{case_id}/disposal-transfers": _(HANDLING_JUDGE, "disposal_ready_case"),
    # plan §5(3): 经主管副局长批准
    "POST /api/v1/disposal-transfers/{transfer_id}/approval": _(frozenset({"deputy"}), "pending_transfer"),
    "POST /api/v1/disposal-transfers/{transfer_id}/tasks": _(DISPOSAL, "approved_transfer"),
    "POST /api/v1/disposal-transfers/{transfer_id}/return": _(DISPOSAL, "approved_transfer"),
    "GET /api/v1/disposal-transfers": _(DISPOSAL | LEADERSHIP | FAST | ALL_BRIGADES),
    "GET /api/v1/disposal-transfers/{transfer_id}": _(TRANSFER_READERS, "pending_transfer", unseen=FAST),
    "POST /api/v1/cases/{case_id}/closure": _(HANDLING_JUDGE, "team_case"),
    "GET /api/v1/cases/{case_id}/closure": _(CASE_READERS, "terminated_case"),
    # 恢复执行: a new case that is registered and triaged again by the comprehensive group
    "POST /api/v1/cases/{case_id}/restoration": _(COMPREHENSIVE, "terminated_case"),
    # dishonest list (DOMAIN.md §6; plan §4: 失信被执行人录入审批 by the director)
    "POST /api/v1/cases/{case_id}/dishonest-listings": _(HANDLING_JUDGE, "team_case"),
    "POST /api/v1/dishonest-listings/{listing_id}/decision": _(frozenset({"director"}), "proposed_listing"),
    "POST /api/v1/dishonest-listings/{listing_id}/deletion-trigger": _(HANDLING_JUDGE, "active_listing"),
    "POST /api/v1/dishonest-listings/{listing_id}/deletion": _(HANDLING_TEAM, "triggered_listing"),
    "GET /api/v1/cases/{case_id}/dishonest-listings": _(LISTING_READERS, "team_case"),
    # the list itself is published (SPC dishonest-list rules); brigades still see their own cases only
    "GET /api/v1/dishonest-listings": _(EVERYONE),
    "GET /api/v1/dishonest-listings/{listing_id}": _(LISTING_READERS, "proposed_listing"),
    "GET /api/v1/termination-pool": _(SUPERVISORS_AND_TEAMS),  # a brigade sees its own (issue 5)
    # SPC 终本 rules 2016 art. 9: the handling team re-checks its pool cases (issue 18)
    "POST /api/v1/cases/{case_id}/termination-pool/rechecks": _(HANDLING_TEAM, "terminated_case"),
    "GET /api/v1/cases/{case_id}/termination-pool/rechecks": _(CASE_READERS, "terminated_case"),
    # objections (plan §5(7): 异议组 receives and decides; the comprehensive group's front desk,
    # 执行统一事务集约办理 of plan §3(1), may receive one too)
    "POST /api/v1/objections": _(OBJECTION | COMPREHENSIVE, "team_case"),
    "GET /api/v1/objections": _(SUPERVISORS_AND_TEAMS),
    "GET /api/v1/cases/{case_id}/objections": _(DESK_READERS, "team_case"),
    "GET /api/v1/objections/{objection_id}": _(DESK_READERS, "objection"),
    "POST /api/v1/objections/{objection_id}/docket": _(OBJECTION, "objection"),
    "POST /api/v1/objections/{objection_id}/hearing": _(OBJECTION, "objection"),
    "POST /api/v1/objections/{objection_id}/ruling": _(OBJECTION, "objection"),
    "POST /api/v1/objections/{objection_id}/service": _(OBJECTION, "objection"),
    "POST /api/v1/objections/{objection_id}/reconsideration": _(OBJECTION, "objection"),
    "POST /api/v1/objections/{objection_id}/transfer": _(OBJECTION, "objection"),
    # refusal-to-execute referrals (plan §5(6)): the team submits and supplements, 综合组 handles
    "POST /api/v1/refusal-referrals": _(HANDLING_TEAM, "team_case"),
    "GET /api/v1/refusal-referrals": _(SUPERVISORS_AND_TEAMS),
    "GET /api/v1/refusal-referrals/stats": _(SUPERVISORS_AND_TEAMS),
    "GET /api/v1/refusal-referrals/{referral_id}": _(DESK_READERS, "referral"),
    "POST /api/v1/refusal-referrals/{referral_id}/review": _(COMPREHENSIVE, "referral"),
    "POST /api/v1/refusal-referrals/{referral_id}/supplement": _(HANDLING_TEAM, "returned_referral"),
    "POST /api/v1/refusal-referrals/{referral_id}/liaison": _(COMPREHENSIVE, "referral"),
    "POST /api/v1/refusal-referrals/{referral_id}/police-transfer": _(COMPREHENSIVE, "referral"),
    "POST /api/v1/refusal-referrals/{referral_id}/outcome": _(COMPREHENSIVE, "referral"),
    # petitions (plan §5(8): 综合组统一受理、登记、分流和督办); the handling team replies
    "POST /api/v1/petitions": _(COMPREHENSIVE, "team_case"),
    "GET /api/v1/petitions": _(SUPERVISORS_AND_TEAMS),
    "GET /api/v1/petitions/{petition_id}": _(DESK_READERS, "petition"),
    "POST /api/v1/petitions/{petition_id}/register": _(COMPREHENSIVE, "petition"),
    "POST /api/v1/petitions/{petition_id}/route": _(COMPREHENSIVE, "petition"),
    "POST /api/v1/petitions/{petition_id}/urge": _(COMPREHENSIVE, "petition"),
    "POST /api/v1/petitions/{petition_id}/supervise": _(COMPREHENSIVE, "petition"),
    "POST /api/v1/petitions/{petition_id}/reply": _(HANDLING_TEAM, "routed_petition"),
    "POST /api/v1/petitions/{petition_id}/resolve": _(COMPREHENSIVE, "petition"),
    "POST /api/v1/petitions/{petition_id}/close": _(COMPREHENSIVE, "petition"),
    # supervision (API.md; issue 18: the handling judge asks, the director reviews, the president extends D3)
    "GET /api/v1/deadlines": _(SUPERVISORS_AND_TEAMS),  # command center, leadership, own unit
    "POST /api/v1/cases/{case_id}/deadline-extensions": _(HANDLING_JUDGE, "team_case"),
    "POST /api/v1/deadline-extensions/{extension_id}/review": _(frozenset({"director"}), "extension_request"),
    "POST /api/v1/deadline-extensions/{extension_id}/approval": _(
        frozenset({"president"}), "reviewed_extension_request"
    ),
    "GET /api/v1/stats/overview": _(COMMAND_CENTER | LEADERSHIP),
    "GET /api/v1/stats/trends": _(COMMAND_CENTER | LEADERSHIP),
    "GET /api/v1/stats/workload": _(COMMAND_CENTER | LEADERSHIP),
    "GET /api/v1/stats/deadlines": _(COMMAND_CENTER | LEADERSHIP),
    "GET /api/v1/calendar/{year}": _(EVERYONE),
    # case money (issue 12): the office receives, claims, pays and reverses; the handling judge asks
    # for payouts and deferrals; a deputy director or the director approves a payout below the tier,
    # the director a deferral (SPC provisions on enforcement money 2017)
    "GET /api/v1/cases/{case_id}/ledger": _(MONEY_READERS, "team_case"),
    "POST /api/v1/receipts": _(OFFICE),
    "GET /api/v1/receipts": _(RECEIPT_READERS),
    "GET /api/v1/receipts/{receipt_id}": _(RECEIPT_READERS, "unclaimed_receipt"),
    "POST /api/v1/receipts/{receipt_id}/claim": _(OFFICE, "unclaimed_receipt"),
    "POST /api/v1/ledger-entries/{entry_id}/reversal": _(OFFICE, "funded_case"),
    "POST /api/v1/cases/{case_id}/payouts": _(HANDLING_JUDGE, "funded_case"),
    "GET /api/v1/payouts": _(OFFICE | COMMAND_CENTER | LEADERSHIP | ALL_BRIGADES),
    "GET /api/v1/payouts/{payout_id}": _(MONEY_READERS, "requested_payout"),
    "POST /api/v1/payouts/{payout_id}/approval": _(frozenset({"deputy", "director"}), "requested_payout"),
    "POST /api/v1/payouts/{payout_id}/execution": _(OFFICE, "approved_payout"),
    "POST /api/v1/cases/{case_id}/payout-deferrals": _(HANDLING_JUDGE, "team_case"),
    "GET /api/v1/payout-deferrals/{deferral_id}": _(MONEY_READERS, "requested_deferral"),
    "POST /api/v1/payout-deferrals/{deferral_id}/approval": _(frozenset({"director"}), "requested_deferral"),
    "POST /api/v1/payout-deferrals/{deferral_id}/lift": _(HANDLING_JUDGE | {"director"}, "approved_deferral"),
    "PUT /api/v1/calendar/{year}": _(ADMIN),
    # the event feed and webhooks (issue 16: an administrator registers subscriptions)
    "GET /api/v1/events": _(EVENT_READERS),
    "GET /api/v1/events/stream": _(EVENT_READERS),
    "POST /api/v1/webhook-subscriptions": _(ADMIN),
    "GET /api/v1/webhook-subscriptions": _(ADMIN),
    "GET /api/v1/webhook-subscriptions/{subscription_id}": _(ADMIN, "webhook_subscription", None),
    "POST /api/v1/webhook-subscriptions/{subscription_id}/disable": _(ADMIN, "webhook_subscription", None),
    "POST /api/v1/webhook-subscriptions/{subscription_id}/enable": _(ADMIN, "webhook_subscription", None),
    "GET /api/v1/webhook-subscriptions/{subscription_id}/deliveries": _(ADMIN, "webhook_subscription", None),
    "POST /api/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay": _(
        ADMIN, "webhook_delivery", None
    ),
}
