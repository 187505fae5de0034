"""Triage rules (繁简分流规则): is an enforcement case simple (简, fast group) or ordinary (a brigade)?

Pure: `evaluate` takes the facts and a versioned `RuleSet` and returns the decision with every rule
that fired and, for every other rule, why it did not, so it doubles as a dry run that explains a
decision, an ordinary one included. Rules and sources: docs/rules.md#triage;
the "plan" is the court's implementation plan (seed), §3(1) and §5(2).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.enums import LIQUID_ASSET_KINDS
from app.enums import AssetKind
from app.enums import AssetStatus
from app.enums import Behaviour
from app.enums import Category
from app.enums import RespondentClass
from app.enums import Track

__all__ = [
    "DEFAULT_RULE_SET",
    "LIQUID_ASSET_KINDS",
    "RULE_IDS",
    "AssetFact",
    "RuleOutcome",
    "RuleSet",
    "TriageFacts",
    "TriageResult",
    "default_rule_set",
    "evaluate",
]

RULE_IDS: tuple[str, ...] = tuple(f"T{n}" for n in range(1, 11))

_CENT = Decimal("0.01")


def _money(name: str, value: object) -> Decimal:
    """Exact yuan amount: a Decimal (or int) in whole cents, never negative, never a float."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal amount in yuan, got {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {amount}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {amount}")
    if amount != amount.quantize(_CENT):
        raise ValueError(f"{name} must be in whole cents (fen), got {amount}")
    return amount


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}"


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """Versioned triage parameters; the settings layer builds one from configuration."""

    version: str
    # §3(1) and §5(2)5 of the plan: 5万元以下, and 以下 includes the number itself.
    small_claim_limit: Decimal = Decimal("50000.00")
    # §5(2)3 of the plan: preservation, litigation fees, credit cards, non-litigation administrative.
    simple_categories: frozenset[Category] = frozenset(
        {
            Category.preservation,
            Category.litigation_fee,
            Category.credit_card,
            Category.administrative_nonlitigation,
        }
    )
    # §3(1) of the plan: 抚养费、赡养费.
    support_categories: frozenset[Category] = frozenset({Category.child_support, Category.elderly_support})
    # §5(2)5 of the plan: 党政机关、国家工作人员或事业单位人员.
    public_respondent_classes: frozenset[RespondentClass] = frozenset(
        {
            RespondentClass.government_organ,
            RespondentClass.state_functionary,
            RespondentClass.public_institution_staff,
        }
    )
    # §3(1) and §5(2)1 of the plan: bank deposits, stocks, Alipay-type balances.
    liquid_asset_kinds: frozenset[AssetKind] = LIQUID_ASSET_KINDS

    def __post_init__(self) -> None:
        if not self.version or not self.version.strip():
            raise ValueError("rule set version must not be blank")
        object.__setattr__(self, "small_claim_limit", _money("small_claim_limit", self.small_claim_limit))
        for name in (
            "simple_categories",
            "support_categories",
            "public_respondent_classes",
            "liquid_asset_kinds",
        ):
            object.__setattr__(self, name, frozenset(getattr(self, name)))


DEFAULT_RULE_SET = RuleSet(version="2021-03-plan-v1")


def default_rule_set(**overrides: Any) -> RuleSet:
    """The plan's rule set with some parameters replaced (e.g. ``version=…, small_claim_limit=…``)."""
    return dataclasses.replace(DEFAULT_RULE_SET, **overrides)


@dataclass(frozen=True)
class AssetFact:
    """One asset recorded by the property investigation (查控结果)."""

    kind: AssetKind
    value: Decimal
    status: AssetStatus
    disposable: bool  # False when it cannot be disposed of for now (暂时不能处分)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _money("asset value", self.value))


@dataclass(frozen=True, kw_only=True)
class TriageFacts:
    """What was filed and found, as plain values."""

    category: Category
    claim_amount: Decimal | None  # None for a purely behavioural case
    paid_amount: Decimal = Decimal("0.00")
    behaviour: Behaviour | None = None
    respondent_classes: tuple[RespondentClass, ...] = ()
    property_clue_count: int = 0  # clues the applicant gave at filing
    assets: tuple[AssetFact, ...] = ()
    investigation_completed: bool = False
    willing_to_perform: bool = False
    settlement_likely: bool = False
    manual_simple_reason: str | None = None  # rule T10

    def __post_init__(self) -> None:
        if self.claim_amount is not None:
            object.__setattr__(self, "claim_amount", _money("claim_amount", self.claim_amount))
        object.__setattr__(self, "paid_amount", _money("paid_amount", self.paid_amount))
        if self.property_clue_count < 0:
            raise ValueError(f"property_clue_count must not be negative, got {self.property_clue_count}")
        object.__setattr__(self, "respondent_classes", tuple(self.respondent_classes))
        object.__setattr__(self, "assets", tuple(self.assets))

    @property
    def outstanding_claim(self) -> Decimal | None:
        """Claim less what has been paid (never below zero); None when there is no monetary claim."""
        if self.claim_amount is None:
            return None
        return max(self.claim_amount - self.paid_amount, Decimal("0.00"))


@dataclass(frozen=True)
class RuleOutcome:
    id: str
    fired: bool
    explanation: str  # one line, with the concrete numbers: why the rule fired, or why it did not


@dataclass(frozen=True)
class TriageResult:
    track: Track
    rules: tuple[RuleOutcome, ...]  # every rule that fired, in id order
    not_fired: tuple[RuleOutcome, ...]  # every rule that did not fire, with why, in id order
    rule_set_version: str

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)


def _outcome(rule_id: str, fired: bool, reason: str, source: str) -> RuleOutcome:
    return RuleOutcome(rule_id, fired, f"{rule_id}: {reason} ({source})")


def _outstanding_text(facts: TriageFacts, outstanding: Decimal) -> str:
    text = f"outstanding claim {_yuan(outstanding)}"
    if facts.paid_amount:
        text += f" (claim {_yuan(outstanding + facts.paid_amount)} − paid {_yuan(facts.paid_amount)})"
    return text


def _liquid_assets(facts: TriageFacts, rule_set: RuleSet) -> list[AssetFact]:
    return [asset for asset in facts.assets if asset.kind in rule_set.liquid_asset_kinds]


def _listed(values: frozenset[Category] | frozenset[RespondentClass]) -> str:
    return ", ".join(sorted(str(v) for v in values))


_NO_CLAIM = "no monetary claim (behavioural case)"


# §3(1) and §5(2)1 of the plan: deposits, stocks, Alipay balances can pay the claim in full (可足额清偿).
def _t1_liquid_assets_cover_claim(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    source = "plan §3(1), §5(2)1"
    outstanding = facts.outstanding_claim
    if outstanding is None:
        return _outcome("T1", False, "no monetary claim for liquid assets to pay (behavioural case)", source)
    # Nothing outstanding is nothing to pay in full: a fully paid case is closed as performed, and
    # a nil liquid balance pays nothing (plan §3(1): 可足额清偿 needs a claim and assets to pay it).
    if outstanding <= 0:
        return _outcome("T1", False, "nothing outstanding: a fully paid case is closed as performed", source)
    liquid = _liquid_assets(facts, rule_set)
    total = sum((asset.value for asset in liquid), Decimal("0.00"))
    covered = total > 0 and total >= outstanding
    return _outcome(
        "T1",
        covered,
        f"liquid assets {_yuan(total)} ({len(liquid)} deposit/securities/online-payment record(s)) "
        f"{'≥' if covered else '<'} {_outstanding_text(facts, outstanding)}",
        source,
    )


# §5(2)2 of the plan: willing to perform voluntarily, or settlement is possible (和解可能).
def _t2_voluntary_or_settlement(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    reasons = []
    if facts.willing_to_perform:
        reasons.append("respondent willing to perform voluntarily")
    if facts.settlement_likely:
        reasons.append("settlement likely")
    if not reasons:
        reason = "respondent not recorded as willing to perform voluntarily, and settlement not likely"
        return _outcome("T2", False, reason, "plan §5(2)2")
    return _outcome("T2", True, " and ".join(reasons), "plan §5(2)2")


# §5(2)3 of the plan: preservation, litigation-fee, credit-card and non-litigation administrative cases.
def _t3_simple_category(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    if facts.category not in rule_set.simple_categories:
        reason = (
            f"category {facts.category} is not one handled simply ({_listed(rule_set.simple_categories)})"
        )
        return _outcome("T3", False, reason, "plan §5(2)3")
    return _outcome("T3", True, f"category {facts.category} is handled simply", "plan §5(2)3")


# §5(2)4 of the plan: no enforceable property found, or only property not disposable for now.
def _t4_nothing_disposable(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    source = "plan §5(2)4"
    if not facts.investigation_completed:
        return _outcome("T4", False, "the property investigation is not completed", source)
    disposable = sum(1 for asset in facts.assets if asset.disposable)
    if disposable:
        reason = f"{disposable} of {len(facts.assets)} recorded asset(s) can be disposed of"
        return _outcome("T4", False, f"investigation completed, {reason}", source)
    found = (
        "no assets found"
        if not facts.assets
        else f"none of the {len(facts.assets)} recorded asset(s) is disposable for now"
    )
    return _outcome("T4", True, f"investigation completed, {found}", source)


# §5(2)5 of the plan: public respondent and a money claim of 5万元以下 (≤ limit).
def _t5_public_respondent_small_claim(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    source = "plan §5(2)5"
    # 标的额 is the claim as filed, not what remains after payments.
    claim = facts.claim_amount
    if claim is None:
        return _outcome("T5", False, _NO_CLAIM, source)
    limit = _yuan(rule_set.small_claim_limit)
    if claim > rule_set.small_claim_limit:
        return _outcome("T5", False, f"claim at filing {_yuan(claim)} > limit {limit}", source)
    public = [c for c in facts.respondent_classes if c in rule_set.public_respondent_classes]
    if not public:
        given = ", ".join(dict.fromkeys(str(c) for c in facts.respondent_classes)) or "none recorded"
        public_classes = _listed(rule_set.public_respondent_classes)
        reason = f"no respondent is of a public class ({public_classes}); respondents: {given}"
        return _outcome("T5", False, reason, source)
    classes = ", ".join(dict.fromkeys(str(c) for c in public))
    return _outcome(
        "T5",
        True,
        f"respondent is {classes} and claim at filing {_yuan(claim)} ≤ limit {limit}",
        source,
    )


# §3(1) of the plan: small-claim cases, 执行标的在5万元以下 (≤ limit), any respondent.
def _t6_small_claim(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    # 执行标的 is the claim as filed, not what remains after payments.
    claim = facts.claim_amount
    if claim is None:
        return _outcome("T6", False, _NO_CLAIM, "plan §3(1)")
    small = claim <= rule_set.small_claim_limit
    return _outcome(
        "T6",
        small,
        f"claim at filing {_yuan(claim)} {'≤' if small else '>'} small-claim limit "
        f"{_yuan(rule_set.small_claim_limit)}",
        "plan §3(1)",
    )


# §3(1) of the plan: behavioural enforcement — title transfer, removal of obstruction, visitation 等.
def _t7_behavioural(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    if facts.behaviour is None:
        return _outcome("T7", False, "no act to enforce (the claim is for money)", "plan §3(1)")
    return _outcome("T7", True, f"behavioural enforcement ({facts.behaviour})", "plan §3(1)")


# §3(1) of the plan: child support (抚养费) and elderly support (赡养费).
def _t8_support(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    if facts.category not in rule_set.support_categories:
        reason = f"category {facts.category} is not a support case ({_listed(rule_set.support_categories)})"
        return _outcome("T8", False, reason, "plan §3(1)")
    return _outcome("T8", True, f"category {facts.category} is a support case", "plan §3(1)")


# §3(1) of the plan: property clues at filing, and the investigation found easily liquidated assets.
def _t9_clues_and_liquid_assets(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    # A zero-balance account is no easily liquidated asset (易于变现的财产 needs a value above nil).
    liquid = [asset for asset in _liquid_assets(facts, rule_set) if asset.value > 0]
    clues = facts.property_clue_count
    fired = clues >= 1 and bool(liquid)
    clues_text = f"{clues} property clue(s) at filing" if clues else "no property clue at filing"
    liquid_text = (
        f"{len(liquid)} liquid asset(s) worth more than nil"
        if liquid
        else "no liquid asset worth more than nil"
    )
    return _outcome("T9", fired, f"{clues_text} and {liquid_text}", "plan §3(1)")


# §5(2)6 of the plan: "other simple cases", marked by the comprehensive group with a written reason.
def _t10_manual(facts: TriageFacts, rule_set: RuleSet) -> RuleOutcome:
    reason = " ".join((facts.manual_simple_reason or "").split())
    if not reason:
        return _outcome("T10", False, "not marked simple by the comprehensive group", "plan §5(2)6")
    return _outcome("T10", True, f"marked simple by the comprehensive group: {reason}", "plan §5(2)6")


_RULES: tuple[Callable[[TriageFacts, RuleSet], RuleOutcome], ...] = (
    _t1_liquid_assets_cover_claim,
    _t2_voluntary_or_settlement,
    _t3_simple_category,
    _t4_nothing_disposable,
    _t5_public_respondent_small_claim,
    _t6_small_claim,
    _t7_behavioural,
    _t8_support,
    _t9_clues_and_liquid_assets,
    _t10_manual,
)


def evaluate(facts: TriageFacts, rule_set: RuleSet = DEFAULT_RULE_SET) -> TriageResult:
    """Triage a case: simple when any rule fires. Every rule is returned, T1 first: those that fired,
    and those that did not with why, so that an ordinary decision explains itself too."""
    outcomes = [check(facts, rule_set) for check in _RULES]
    fired = tuple(outcome for outcome in outcomes if outcome.fired)
    return TriageResult(
        track=Track.simple if fired else Track.ordinary,
        rules=fired,
        not_fired=tuple(outcome for outcome in outcomes if not outcome.fired),
        rule_set_version=rule_set.version,
    )
