"""Triage rules (DOMAIN.md §3): the public worked examples, then boundaries of each rule."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from app.enums import AssetKind
from app.enums import AssetStatus
from app.enums import Behaviour
from app.enums import Category
from app.enums import RespondentClass
from app.enums import Track
from app.rules.triage_rules import DEFAULT_RULE_SET
from app.rules.triage_rules import LIQUID_ASSET_KINDS
from app.rules.triage_rules import RULE_IDS
from app.rules.triage_rules import AssetFact
from app.rules.triage_rules import RuleSet
from app.rules.triage_rules import TriageFacts
from app.rules.triage_rules import default_rule_set
from app.rules.triage_rules import evaluate

D = Decimal
IND = RespondentClass.individual
ENT = RespondentClass.enterprise
STAFF = RespondentClass.public_institution_staff


def deposit(value: str, status: AssetStatus = AssetStatus.frozen) -> AssetFact:
    return AssetFact(AssetKind.bank_deposit, D(value), status, disposable=True)


def securities(value: str) -> AssetFact:
    return AssetFact(AssetKind.securities, D(value), AssetStatus.frozen, disposable=True)


def thing(kind: AssetKind, value: str, *, disposable: bool = True) -> AssetFact:
    return AssetFact(kind, D(value), AssetStatus.sealed, disposable=disposable)


def facts(
    claim: str | None,
    *respondents: RespondentClass,
    category: Category = Category.civil_commercial,
    **kwargs: object,
) -> TriageFacts:
    kwargs.setdefault("investigation_completed", True)
    return TriageFacts(
        category=category,
        claim_amount=None if claim is None else D(claim),
        respondent_classes=respondents or (IND,),
        **kwargs,
    )


# examples/triage.md, one row per example: (facts, track, every rule that fires).
EXAMPLES = [
    pytest.param(
        facts("80000.00", ENT, assets=(deposit("90000"),)), Track.simple, ["T1"], id="1-deposit-covers"
    ),
    pytest.param(
        facts("80000.00", IND, assets=(deposit("30000"), securities("50000"))),
        Track.simple,
        ["T1"],
        id="2-deposit-plus-securities-cover",
    ),
    pytest.param(
        facts(
            "80000.00",
            IND,
            property_clue_count=1,
            assets=(deposit("1000", AssetStatus.found), thing(AssetKind.vehicle, "70000")),
        ),
        Track.simple,
        ["T9"],
        id="3-clue-and-liquid-asset",
    ),
    pytest.param(
        facts("35000.00", ENT, assets=(thing(AssetKind.equipment, "50000"),)),
        Track.simple,
        ["T6"],
        id="4-small-claim",
    ),
    pytest.param(
        facts("35000.00", STAFF, assets=(thing(AssetKind.equipment, "50000"),)),
        Track.simple,
        ["T5", "T6"],
        id="5-public-staff-small-claim",
    ),
    pytest.param(facts("250000.00", ENT), Track.simple, ["T4"], id="6-nothing-found"),
    pytest.param(
        facts("250000.00", ENT, assets=(thing(AssetKind.real_estate, "2000000"),)),
        Track.ordinary,
        [],
        id="7-ordinary",
    ),
    pytest.param(
        facts(
            "250000.00",
            IND,
            category=Category.notarized_debt,
            assets=(thing(AssetKind.real_estate, "2000000"),),
            willing_to_perform=True,
        ),
        Track.simple,
        ["T2"],
        id="8-respondent-agrees",
    ),
    pytest.param(
        facts("120000.00", IND, category=Category.credit_card, assets=(thing(AssetKind.vehicle, "30000"),)),
        Track.simple,
        ["T3"],
        id="9-credit-card",
    ),
    pytest.param(
        facts(
            None,
            IND,
            behaviour=Behaviour.remove_obstruction,
            assets=(thing(AssetKind.real_estate, "500000"),),
        ),
        Track.simple,
        ["T7"],
        id="10-remove-obstruction",
    ),
    pytest.param(
        facts("12000.00", IND, category=Category.elderly_support),
        Track.simple,
        ["T4", "T6", "T8"],
        id="11-elderly-support",
    ),
    pytest.param(
        facts(
            "250000.00",
            ENT,
            assets=(thing(AssetKind.real_estate, "1000000"),),
            manual_simple_reason="respondent's only asset is already agreed to be sold by the parties",
        ),
        Track.simple,
        ["T10"],
        id="12-manual",
    ),
]


@pytest.mark.parametrize(("case", "track", "rule_ids"), EXAMPLES)
def test_public_examples(case: TriageFacts, track: Track, rule_ids: list[str]) -> None:
    result = evaluate(case, DEFAULT_RULE_SET)
    assert result.track is track
    assert list(result.rule_ids) == rule_ids
    assert result.rule_set_version == "2021-03-plan-v1"


# Boundaries: (facts, every rule that fires). Simple exactly when the list is non-empty.
BOUNDARIES = [
    # §3(1): 5万元以下 includes 50,000.00 itself.
    pytest.param(facts("50000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),)), ["T6"], id="T6-at-limit"),
    pytest.param(facts("50000.01", ENT, assets=(thing(AssetKind.vehicle, "1"),)), [], id="T6-one-cent-over"),
    # T1 compares the sum of liquid assets with the outstanding claim, ≥ fires.
    pytest.param(
        facts("80000.00", ENT, assets=(deposit("30000.00"), securities("50000.00"))), ["T1"], id="T1-equal"
    ),
    pytest.param(
        facts("80000.00", ENT, assets=(deposit("29999.99"), securities("50000.00"))), [], id="T1-cent-short"
    ),
    pytest.param(
        facts(
            "80000.00",
            ENT,
            assets=(
                AssetFact(AssetKind.online_payment, D("40000.00"), AssetStatus.found, disposable=True),
                AssetFact(AssetKind.bank_deposit, D("40000.00"), AssetStatus.found, disposable=True),
            ),
        ),
        ["T1"],
        id="T1-any-status-online-payment",
    ),
    pytest.param(
        facts("80000.00", ENT, assets=(deposit("50000.00"), thing(AssetKind.equity, "900000"))),
        [],
        id="T1-illiquid-assets-not-counted",
    ),
    # T1 compares the outstanding claim (claim − paid); T5 and T6 the claim at filing (标的额).
    pytest.param(
        facts("80000.00", ENT, paid_amount=D("30000.00"), assets=(deposit("50000.00"),)),
        ["T1"],
        id="paid-reduces-outstanding-for-T1-not-T6",
    ),
    pytest.param(
        facts("80000.00", STAFF, paid_amount=D("60000.00"), assets=(thing(AssetKind.vehicle, "1"),)),
        [],
        id="T5-T6-claim-at-filing-not-what-is-left",
    ),
    # T1 needs something outstanding and liquid assets above zero.
    pytest.param(
        facts(
            "80000.00",
            ENT,
            paid_amount=D("80000.00"),
            assets=(deposit("0.00"), thing(AssetKind.vehicle, "1")),
        ),
        [],
        id="T1-fully-paid-nothing-to-triage",
    ),
    pytest.param(
        facts("0.00", ENT, paid_amount=D("0.00"), assets=(thing(AssetKind.vehicle, "1"),)),
        ["T6"],
        id="T1-zero-claim-zero-liquid",
    ),
    # T9 needs a liquid asset worth more than zero.
    pytest.param(
        facts(
            "250000.00",
            ENT,
            property_clue_count=2,
            assets=(deposit("0.00", AssetStatus.found), thing(AssetKind.vehicle, "1")),
        ),
        [],
        id="T9-zero-balance-account",
    ),
    pytest.param(
        facts(
            "250000.00",
            ENT,
            property_clue_count=2,
            assets=(deposit("0.01", AssetStatus.found), thing(AssetKind.vehicle, "1")),
        ),
        ["T9"],
        id="T9-one-fen",
    ),
    pytest.param(
        facts("80000.00", ENT, paid_amount=D("29999.99"), assets=(deposit("50000.00"),)),
        [],
        id="paid-one-cent-too-little",
    ),
    # A purely behavioural case has no outstanding claim: T1, T5, T6 cannot fire.
    pytest.param(
        facts(None, STAFF, behaviour=Behaviour.title_transfer, assets=(deposit("100000.00"),)),
        ["T7"],
        id="behavioural-no-claim",
    ),
    pytest.param(
        facts(None, IND, behaviour=Behaviour.visitation, assets=()), ["T4", "T7"], id="T7-visitation"
    ),
    pytest.param(
        facts(None, IND, behaviour=Behaviour.other_behaviour, assets=(thing(AssetKind.vehicle, "1"),)),
        ["T7"],
        id="T7-any-behaviour",
    ),
    # T4 needs a completed investigation; then only non-disposable property still fires it.
    pytest.param(facts("250000.00", ENT, investigation_completed=False), [], id="T4-not-completed"),
    pytest.param(
        facts("250000.00", ENT, assets=(thing(AssetKind.real_estate, "900000", disposable=False),)),
        ["T4"],
        id="T4-only-undisposable",
    ),
    # T9 needs a clue at filing and a liquid asset recorded.
    pytest.param(
        facts("250000.00", ENT, property_clue_count=2, assets=(thing(AssetKind.vehicle, "9000"),)),
        [],
        id="T9-clue-without-liquid-asset",
    ),
    pytest.param(
        facts("250000.00", ENT, property_clue_count=0, assets=(deposit("10.00", AssetStatus.found),)),
        [],
        id="T9-liquid-asset-without-clue",
    ),
    pytest.param(
        facts("250000.00", ENT, property_clue_count=1, assets=(deposit("10.00", AssetStatus.found),)),
        ["T9"],
        id="T9-both",
    ),
    # T5: public respondent and ≤ 50,000.00.
    pytest.param(
        facts("50000.00", ENT, STAFF, assets=(thing(AssetKind.vehicle, "1"),)), ["T5", "T6"], id="T5-at-limit"
    ),
    pytest.param(facts("50000.01", ENT, STAFF, assets=(thing(AssetKind.vehicle, "1"),)), [], id="T5-over"),
    pytest.param(
        facts("1000.00", RespondentClass.government_organ, assets=(thing(AssetKind.vehicle, "1"),)),
        ["T5", "T6"],
        id="T5-government-organ",
    ),
    # T10 needs a written reason.
    pytest.param(
        facts("250000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),), manual_simple_reason="  \n "),
        [],
        id="T10-blank-reason",
    ),
    # T2: either willingness or a likely settlement.
    pytest.param(
        facts("250000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),), settlement_likely=True),
        ["T2"],
        id="T2-settlement",
    ),
    # Many rules at once, reported in id order.
    pytest.param(
        facts(
            "20000.00",
            STAFF,
            category=Category.child_support,
            property_clue_count=1,
            assets=(deposit("20000.00"),),
            willing_to_perform=True,
            manual_simple_reason="obvious",
        ),
        ["T1", "T2", "T5", "T6", "T8", "T9", "T10"],
        id="many-rules-in-order",
    ),
]


@pytest.mark.parametrize(("case", "rule_ids"), BOUNDARIES)
def test_rule_boundaries(case: TriageFacts, rule_ids: list[str]) -> None:
    result = evaluate(case, DEFAULT_RULE_SET)
    assert list(result.rule_ids) == rule_ids
    assert result.track is (Track.simple if rule_ids else Track.ordinary)


@pytest.mark.parametrize("category", [c for c in Category if c not in DEFAULT_RULE_SET.simple_categories])
def test_t3_only_for_listed_categories(category: Category) -> None:
    result = evaluate(facts("250000.00", ENT, category=category, assets=(thing(AssetKind.vehicle, "1"),)))
    assert "T3" not in result.rule_ids


@pytest.mark.parametrize("category", sorted(DEFAULT_RULE_SET.simple_categories))
def test_t3_categories(category: Category) -> None:
    result = evaluate(facts("250000.00", ENT, category=category, assets=(thing(AssetKind.vehicle, "1"),)))
    assert result.rule_ids == ("T3",)


def test_custom_limit_changes_outcome() -> None:
    case = facts("80000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),))
    assert evaluate(case, DEFAULT_RULE_SET).track is Track.ordinary

    raised = default_rule_set(version="court-2026-v2", small_claim_limit=D("100000.00"))
    result = evaluate(case, raised)
    assert result.track is Track.simple
    assert result.rule_ids == ("T6",)
    assert result.rule_set_version == "court-2026-v2"
    assert "100000.00" in result.rules[0].explanation


def test_custom_categories() -> None:
    rule_set = RuleSet(version="no-credit-card", simple_categories=frozenset({Category.preservation}))
    case = facts("120000.00", IND, category=Category.credit_card, assets=(thing(AssetKind.vehicle, "1"),))
    assert evaluate(case, rule_set).track is Track.ordinary


@pytest.mark.parametrize(
    ("case", "rule_id", "numbers"),
    [
        pytest.param(
            facts("80000.00", ENT, assets=(deposit("90000"),)), "T1", ["90000.00", "80000.00"], id="T1"
        ),
        pytest.param(
            facts("35000.00", STAFF, assets=(thing(AssetKind.vehicle, "1"),)),
            "T5",
            ["35000.00", "50000.00", "public_institution_staff"],
            id="T5",
        ),
        pytest.param(
            facts("35000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),)),
            "T6",
            ["35000.00", "50000.00"],
            id="T6",
        ),
        pytest.param(
            facts("50000.00", ENT, paid_amount=D("15000.00"), assets=(thing(AssetKind.vehicle, "1"),)),
            "T6",
            ["claim at filing 50000.00", "50000.00"],
            id="T6-paid",
        ),
        pytest.param(
            facts("250000.00", ENT, property_clue_count=3, assets=(deposit("10", AssetStatus.found),)),
            "T9",
            ["3 property clue"],
            id="T9",
        ),
        pytest.param(
            facts(
                "250000.00", ENT, assets=(thing(AssetKind.vehicle, "1"),), manual_simple_reason="same as X"
            ),
            "T10",
            ["same as X"],
            id="T10",
        ),
    ],
)
def test_explanations_carry_the_numbers(case: TriageFacts, rule_id: str, numbers: list[str]) -> None:
    fired = {rule.id: rule.explanation for rule in evaluate(case).rules}
    explanation = fired[rule_id]
    assert explanation.startswith(f"{rule_id}: ")
    assert "\n" not in explanation
    for number in numbers:
        assert number in explanation


def test_every_rule_explains_itself_on_one_line() -> None:
    case = facts(
        "20000.00",
        STAFF,
        category=Category.credit_card,
        behaviour=Behaviour.title_transfer,
        property_clue_count=1,
        # a frozen deposit that cannot be paid out yet: liquid (T1, T9) but not disposable (T4)
        assets=(AssetFact(AssetKind.bank_deposit, D("20000.00"), AssetStatus.frozen, disposable=False),),
        settlement_likely=True,
        manual_simple_reason="line one\nline two",
    )
    everything = dataclasses.replace(DEFAULT_RULE_SET, support_categories=frozenset({Category.credit_card}))
    result = evaluate(case, everything)
    assert result.rule_ids == RULE_IDS
    for rule in result.rules:
        assert rule.explanation.startswith(f"{rule.id}: ")
        assert "\n" not in rule.explanation and len(rule.explanation) > len(rule.id) + 10


@pytest.mark.parametrize(
    ("case", "reasons"),
    [
        pytest.param(
            facts("250000.00", ENT, assets=(thing(AssetKind.real_estate, "2000000"),)),
            {
                "T1": "liquid assets 0.00 (0 deposit/securities/online-payment record(s)) < outstanding "
                "claim 250000.00",
                "T2": "not recorded as willing",
                "T3": "category civil_commercial is not one handled simply",
                "T4": "1 of 1 recorded asset(s) can be disposed of",
                "T5": "claim at filing 250000.00 > limit 50000.00",
                "T6": "claim at filing 250000.00 > small-claim limit 50000.00",
                "T7": "no act to enforce",
                "T8": "category civil_commercial is not a support case",
                "T9": "no property clue at filing and no liquid asset worth more than nil",
                "T10": "not marked simple",
            },
            id="7-house-ordinary",
        ),
        pytest.param(
            facts(
                "60000.00",
                ENT,
                IND,
                paid_amount=D("5000.00"),
                property_clue_count=2,
                investigation_completed=False,
                assets=(deposit("1000"),),
            ),
            {
                "T1": "liquid assets 1000.00 (1 deposit/securities/online-payment record(s)) < outstanding "
                "claim 55000.00 (claim 60000.00 − paid 5000.00)",
                "T4": "the property investigation is not completed",
                "T5": "claim at filing 60000.00 > limit 50000.00",
            },
            id="partly-paid-investigation-open",
        ),
        pytest.param(
            facts("40000.00", ENT, IND, assets=(thing(AssetKind.vehicle, "1"),)),
            {"T5": "no respondent is of a public class", "T9": "no property clue"},
            id="T5-no-public-respondent",
        ),
        pytest.param(
            facts("40000.00", ENT, property_clue_count=1, assets=(thing(AssetKind.vehicle, "1"),)),
            {
                "T5": "respondents: enterprise",
                "T9": "1 property clue(s) at filing and no liquid asset worth more than nil",
            },
            id="T9-clue-without-liquid-asset",
        ),
        pytest.param(
            facts(None, IND, behaviour=Behaviour.title_transfer, assets=(thing(AssetKind.vehicle, "1"),)),
            {
                "T1": "no monetary claim",
                "T5": "no monetary claim",
                "T6": "no monetary claim",
            },
            id="behavioural",
        ),
    ],
)
def test_rules_that_do_not_fire_say_why(case: TriageFacts, reasons: dict[str, str]) -> None:
    result = evaluate(case)
    outcomes = {rule.id: rule for rule in result.not_fired}
    assert tuple(sorted((*result.rule_ids, *outcomes), key=RULE_IDS.index)) == RULE_IDS
    for rule_id, reason in reasons.items():
        assert outcomes[rule_id].fired is False
        assert reason in outcomes[rule_id].explanation, outcomes[rule_id].explanation
    for rule in result.not_fired:
        assert rule.explanation.startswith(f"{rule.id}: ") and rule.explanation.endswith(")")
        assert "\n" not in rule.explanation


def test_evaluate_is_pure() -> None:
    case = facts("35000.00", STAFF, assets=(deposit("1.00"),))
    assert evaluate(case) == evaluate(case)
    assert case.assets == (deposit("1.00"),)


def test_liquid_asset_kinds() -> None:
    assert LIQUID_ASSET_KINDS == {AssetKind.bank_deposit, AssetKind.securities, AssetKind.online_payment}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"claim_amount": 35000.0}, TypeError),  # floats are refused: money is exact
        ({"claim_amount": D("-1.00")}, ValueError),
        ({"claim_amount": D("1.001")}, ValueError),
        ({"claim_amount": D("1"), "paid_amount": D("-0.01")}, ValueError),
        ({"claim_amount": D("1"), "property_clue_count": -1}, ValueError),
    ],
)
def test_facts_refuse_bad_money(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        TriageFacts(category=Category.civil_commercial, **kwargs)


def test_rule_set_refuses_blank_version_and_bad_limit() -> None:
    with pytest.raises(ValueError):
        RuleSet(version=" ")
    with pytest.raises(ValueError):
        RuleSet(version="x", small_claim_limit=D("-5"))


NOT_SIMPLE_CATEGORY = (
    "is not one handled simply (administrative_nonlitigation, credit_card, litigation_fee, preservation)"
)
NOT_SUPPORT = "is not a support case (child_support, elderly_support)"
NOT_WILLING = (
    "T2: respondent not recorded as willing to perform voluntarily, and settlement not likely (plan §5(2)2)"
)
NONE_DISPOSABLE = (
    "T4: investigation completed, none of the 1 recorded asset(s) is disposable for now (plan §5(2)4)"
)
MONEY_NOT_ACT = "T7: no act to enforce (the claim is for money) (plan §3(1))"
NOT_MARKED = "T10: not marked simple by the comprehensive group (plan §5(2)6)"


@pytest.mark.parametrize(
    ("case", "rule_set", "explanations"),
    [
        pytest.param(
            facts(
                "20000.00",
                STAFF,
                IND,
                category=Category.credit_card,
                paid_amount=D("500.00"),
                behaviour=Behaviour.title_transfer,
                property_clue_count=1,
                assets=(
                    AssetFact(AssetKind.bank_deposit, D("20000.00"), AssetStatus.frozen, disposable=False),
                ),
                settlement_likely=True,
                willing_to_perform=True,
                manual_simple_reason="同类案件",
            ),
            dataclasses.replace(DEFAULT_RULE_SET, support_categories=frozenset({Category.credit_card})),
            [
                "T1: liquid assets 20000.00 (1 deposit/securities/online-payment record(s)) ≥ outstanding "
                "claim 19500.00 (claim 20000.00 − paid 500.00) (plan §3(1), §5(2)1)",
                "T2: respondent willing to perform voluntarily and settlement likely (plan §5(2)2)",
                "T3: category credit_card is handled simply (plan §5(2)3)",
                NONE_DISPOSABLE,
                "T5: respondent is public_institution_staff and claim at filing 20000.00 ≤ limit 50000.00 "
                "(plan §5(2)5)",
                "T6: claim at filing 20000.00 ≤ small-claim limit 50000.00 (plan §3(1))",
                "T7: behavioural enforcement (title_transfer) (plan §3(1))",
                "T8: category credit_card is a support case (plan §3(1))",
                "T9: 1 property clue(s) at filing and 1 liquid asset(s) worth more than nil (plan §3(1))",
                "T10: marked simple by the comprehensive group: 同类案件 (plan §5(2)6)",
            ],
            id="every-rule-fires",
        ),
        pytest.param(
            facts("250000.00", ENT, assets=(thing(AssetKind.real_estate, "2000000"),)),
            DEFAULT_RULE_SET,
            [
                "T1: liquid assets 0.00 (0 deposit/securities/online-payment record(s)) < outstanding claim "
                "250000.00 (plan §3(1), §5(2)1)",
                NOT_WILLING,
                f"T3: category civil_commercial {NOT_SIMPLE_CATEGORY} (plan §5(2)3)",
                "T4: investigation completed, 1 of 1 recorded asset(s) can be disposed of (plan §5(2)4)",
                "T5: claim at filing 250000.00 > limit 50000.00 (plan §5(2)5)",
                "T6: claim at filing 250000.00 > small-claim limit 50000.00 (plan §3(1))",
                MONEY_NOT_ACT,
                f"T8: category civil_commercial {NOT_SUPPORT} (plan §3(1))",
                "T9: no property clue at filing and no liquid asset worth more than nil (plan §3(1))",
                NOT_MARKED,
            ],
            id="no-rule-fires",
        ),
        pytest.param(
            facts("3000.00", IND, category=Category.child_support, paid_amount=D("3000.00")),
            DEFAULT_RULE_SET,
            [
                "T1: nothing outstanding: a fully paid case is closed as performed (plan §3(1), §5(2)1)",
                NOT_WILLING,
                f"T3: category child_support {NOT_SIMPLE_CATEGORY} (plan §5(2)3)",
                "T4: investigation completed, no assets found (plan §5(2)4)",
                "T5: no respondent is of a public class (government_organ, public_institution_staff, "
                "state_functionary); respondents: individual (plan §5(2)5)",
                "T6: claim at filing 3000.00 ≤ small-claim limit 50000.00 (plan §3(1))",
                MONEY_NOT_ACT,
                "T8: category child_support is a support case (plan §3(1))",
                "T9: no property clue at filing and no liquid asset worth more than nil (plan §3(1))",
                NOT_MARKED,
            ],
            id="paid-support-case",
        ),
        pytest.param(
            facts(None, IND, behaviour=Behaviour.title_transfer, investigation_completed=False),
            DEFAULT_RULE_SET,
            [
                "T1: no monetary claim for liquid assets to pay (behavioural case) (plan §3(1), §5(2)1)",
                NOT_WILLING,
                f"T3: category civil_commercial {NOT_SIMPLE_CATEGORY} (plan §5(2)3)",
                "T4: the property investigation is not completed (plan §5(2)4)",
                "T5: no monetary claim (behavioural case) (plan §5(2)5)",
                "T6: no monetary claim (behavioural case) (plan §3(1))",
                "T7: behavioural enforcement (title_transfer) (plan §3(1))",
                f"T8: category civil_commercial {NOT_SUPPORT} (plan §3(1))",
                "T9: no property clue at filing and no liquid asset worth more than nil (plan §3(1))",
                NOT_MARKED,
            ],
            id="behavioural",
        ),
        pytest.param(
            facts(
                "80000.00",
                IND,
                property_clue_count=2,
                assets=(thing(AssetKind.vehicle, "1000", disposable=False),),
            ),
            DEFAULT_RULE_SET,
            [
                "T1: liquid assets 0.00 (0 deposit/securities/online-payment record(s)) < outstanding claim "
                "80000.00 (plan §3(1), §5(2)1)",
                NOT_WILLING,
                f"T3: category civil_commercial {NOT_SIMPLE_CATEGORY} (plan §5(2)3)",
                NONE_DISPOSABLE,
                "T5: claim at filing 80000.00 > limit 50000.00 (plan §5(2)5)",
                "T6: claim at filing 80000.00 > small-claim limit 50000.00 (plan §3(1))",
                MONEY_NOT_ACT,
                f"T8: category civil_commercial {NOT_SUPPORT} (plan §3(1))",
                "T9: 2 property clue(s) at filing and no liquid asset worth more than nil (plan §3(1))",
                NOT_MARKED,
            ],
            id="nothing-disposable",
        ),
    ],
)
def test_the_recorded_explanations_word_for_word(
    case: TriageFacts, rule_set: RuleSet, explanations: list[str]
) -> None:
    # DOMAIN.md §3: the decision records every rule with why it fired or not, and its source in the plan.
    result = evaluate(case, rule_set)
    outcomes = sorted((*result.rules, *result.not_fired), key=lambda rule: RULE_IDS.index(rule.id))
    assert [rule.explanation for rule in outcomes] == explanations
    assert [rule.id for rule in result.rules] == [rule.id for rule in outcomes if rule.fired]
    assert all(rule.fired is False for rule in result.not_fired)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: AssetFact(AssetKind.vehicle, 1.5, AssetStatus.sealed, True),
            TypeError,
            "asset value must be a Decimal amount in yuan, got float",
        ),
        (
            lambda: AssetFact(AssetKind.vehicle, True, AssetStatus.sealed, True),
            TypeError,
            "asset value must be a Decimal amount in yuan, got bool",
        ),
        (
            lambda: TriageFacts(category=Category.civil_commercial, claim_amount=D("NaN")),
            ValueError,
            "claim_amount must be a finite amount, got NaN",
        ),
        (
            lambda: TriageFacts(category=Category.civil_commercial, claim_amount=D("-1.00")),
            ValueError,
            "claim_amount must not be negative, got -1.00",
        ),
        (
            lambda: TriageFacts(category=Category.civil_commercial, claim_amount=D("1.001")),
            ValueError,
            "claim_amount must be in whole cents (fen), got 1.001",
        ),
        (
            lambda: TriageFacts(
                category=Category.civil_commercial, claim_amount=None, paid_amount=D("-0.01")
            ),
            ValueError,
            "paid_amount must not be negative, got -0.01",
        ),
        (
            lambda: TriageFacts(
                category=Category.civil_commercial, claim_amount=None, property_clue_count=-1
            ),
            ValueError,
            "property_clue_count must not be negative, got -1",
        ),
        (lambda: RuleSet(version=" "), ValueError, "rule set version must not be blank"),
        (lambda: RuleSet(version=""), ValueError, "rule set version must not be blank"),
        (
            lambda: RuleSet(version="x", small_claim_limit=D("-5")),
            ValueError,
            "small_claim_limit must not be negative, got -5",
        ),
    ],
)
def test_bad_amounts_are_refused_naming_the_amount(build, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        build()


def test_amounts_given_as_whole_yuan_and_collections_as_lists_are_stored_exactly() -> None:
    asset = AssetFact(AssetKind.vehicle, 90000, AssetStatus.sealed, True)
    case = TriageFacts(
        category=Category.civil_commercial,
        claim_amount=80000,  # type: ignore[arg-type]
        paid_amount=100,  # type: ignore[arg-type]
        respondent_classes=[IND],  # type: ignore[arg-type]
        assets=[asset],  # type: ignore[arg-type]
    )
    assert [type(v) for v in (asset.value, case.claim_amount, case.paid_amount)] == [D, D, D]
    assert (case.respondent_classes, case.assets) == ((IND,), (asset,))
    rules = RuleSet(version="x", small_claim_limit=30000, simple_categories={Category.credit_card})  # type: ignore[arg-type]
    assert type(rules.small_claim_limit) is D and rules.simple_categories == frozenset({Category.credit_card})
    assert type(rules.simple_categories) is frozenset and hash(rules)


def test_fifty_fen_outstanding_is_covered_by_a_one_yuan_deposit() -> None:
    # Plan §3(1), §5(2)1: liquid assets that pay what is still owed in full, however little that is.
    case = facts("1000.00", IND, paid_amount=D("999.50"), assets=(deposit("1.00"),))
    assert "T1" in evaluate(case).rule_ids


@pytest.mark.parametrize(
    ("respondents", "explanation"),
    [
        (
            (ENT, IND, ENT),
            "T5: no respondent is of a public class (government_organ, public_institution_staff, "
            "state_functionary); respondents: enterprise, individual (plan §5(2)5)",
        ),
        (
            (),
            "T5: no respondent is of a public class (government_organ, public_institution_staff, "
            "state_functionary); respondents: none recorded (plan §5(2)5)",
        ),
        (
            (STAFF, IND, RespondentClass.government_organ, STAFF),
            "T5: respondent is public_institution_staff, government_organ and claim at filing 40000.00 ≤ "
            "limit 50000.00 (plan §5(2)5)",
        ),
    ],
)
def test_t5_names_each_class_of_respondent_once(
    respondents: tuple[RespondentClass, ...], explanation: str
) -> None:
    case = TriageFacts(
        category=Category.civil_commercial, claim_amount=D("40000.00"), respondent_classes=respondents
    )
    result = evaluate(case)
    assert next(r.explanation for r in (*result.rules, *result.not_fired) if r.id == "T5") == explanation
