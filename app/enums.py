"""Domain vocabularies shared by models, schemas and services (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """Case category (案件类型) as filed; drives triage rules T3 and T8."""

    civil_commercial = "civil_commercial"  # 民商事
    criminal_property = "criminal_property"  # 刑事裁判涉财产部分
    administrative_nonlitigation = "administrative_nonlitigation"  # 非诉行政执行
    preservation = "preservation"  # 财产保全
    litigation_fee = "litigation_fee"  # 追索诉讼费
    credit_card = "credit_card"  # 信用卡纠纷
    child_support = "child_support"  # 抚养费
    elderly_support = "elderly_support"  # 赡养费
    notarized_debt = "notarized_debt"  # 公证债权文书
    arbitral_award = "arbitral_award"  # 仲裁裁决
    other = "other"


class Behaviour(StrEnum):
    """Behavioural enforcement (行为执行): an act to be done rather than money to be paid (rule T7)."""

    title_transfer = "title_transfer"  # 办证过户
    remove_obstruction = "remove_obstruction"  # 排除妨碍
    visitation = "visitation"  # 探视权
    other_behaviour = "other_behaviour"


class PartyType(StrEnum):
    """Legal form of a party (当事人类型)."""

    natural_person = "natural_person"  # 自然人
    legal_person = "legal_person"  # 法人
    unincorporated_org = "unincorporated_org"  # 非法人组织


class RespondentClass(StrEnum):
    """What kind of respondent (被执行人) a party is; rule T5 looks for the public ones."""

    individual = "individual"
    enterprise = "enterprise"
    government_organ = "government_organ"  # 党政机关
    state_functionary = "state_functionary"  # 国家工作人员
    public_institution_staff = "public_institution_staff"  # 事业单位人员
    other_org = "other_org"


class AssetKind(StrEnum):
    """Kind of property found by the investigation (财产查控)."""

    bank_deposit = "bank_deposit"  # 银行存款
    securities = "securities"  # 股票、证券
    online_payment = "online_payment"  # 支付宝、微信等网络支付账户余额
    real_estate = "real_estate"  # 不动产
    vehicle = "vehicle"  # 车辆
    equipment = "equipment"  # 机器设备
    equity = "equity"  # 股权
    other = "other"


# §3(1) and §5(2)1 of the plan: bank deposits, stocks and Alipay-type balances are "easily liquidated".
LIQUID_ASSET_KINDS: frozenset[AssetKind] = frozenset(
    {AssetKind.bank_deposit, AssetKind.securities, AssetKind.online_payment}
)


class AssetStatus(StrEnum):
    """Measure currently on an asset."""

    found = "found"  # 查询到
    frozen = "frozen"  # 冻结
    sealed = "sealed"  # 查封
    seized = "seized"  # 扣押


class Track(StrEnum):
    """Triage outcome (繁简分流): simple (简) goes to the fast group, ordinary to a brigade."""

    simple = "simple"
    ordinary = "ordinary"


class CaseState(StrEnum):
    """Case lifecycle of DOMAIN.md §2 (plan §5)."""

    filed = "filed"  # 立案, not yet registered at the command center
    registered = "registered"  # 登记 by the comprehensive group
    triaged = "triaged"  # 繁简分流 decided and allocated
    in_progress = "in_progress"  # the handling team has started work
    at_disposal = "at_disposal"  # with the property-disposal group (plan §5(4))
    closed = "closed"  # 结案


class PartyRole(StrEnum):
    applicant = "applicant"  # 申请执行人
    respondent = "respondent"  # 被执行人


class ClosureMode(StrEnum):
    """结案方式 (DOMAIN.md §2)."""

    performed = "performed"  # 执行完毕
    settled = "settled"  # 和解结案
    terminated_current = "terminated_current"  # 终结本次执行程序 (终本)
    terminated = "terminated"  # 终结执行
    rejected = "rejected"  # 驳回申请
    not_enforced = "not_enforced"  # 不予执行
    withdrawn = "withdrawn"  # 撤回/销案
