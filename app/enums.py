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


class IdDocumentKind(StrEnum):
    """The identity document a party's ``id_number`` is taken from (身份证件类型)."""

    resident_id = "resident_id"  # 居民身份证, 18 characters (GB 11643-1999)
    legacy_resident_id = "legacy_resident_id"  # first-generation 居民身份证, 15 digits (no check character)
    hmt_residence_permit = "hmt_residence_permit"  # 港澳台居民居住证 (GB 11643 layout, 810000/820000/830000)
    foreign_permanent_residence = "foreign_permanent_residence"  # 外国人永久居留身份证
    passport = "passport"  # 护照, number as printed, with the issuing country
    uscc = "uscc"  # 统一社会信用代码 (GB 32100-2015)
    organisation_code = "organisation_code"  # 组织机构代码, issued before 2015 (GB 11714-1997)


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


class AssetControlAction(StrEnum):
    """A step on a frozen, sealed or seized asset after the first measure."""

    renewal = "renewal"  # 续冻/续封
    release = "release"  # 解除冻结/解除查封


class RecheckMethod(StrEnum):
    """How a 终本 pool case was re-checked."""

    network_inquiry = "network_inquiry"  # 网络执行查控系统查询
    onsite = "onsite"  # 实地调查
    other = "other"


class RecheckResult(StrEnum):
    """What a 终本 pool re-check found."""

    nothing_found = "nothing_found"  # 未发现可供执行的财产
    property_found = "property_found"  # 发现可供执行的财产


class Track(StrEnum):
    """Triage outcome (繁简分流): simple (简) goes to the fast group, ordinary to a brigade."""

    simple = "simple"
    ordinary = "ordinary"


class CaseState(StrEnum):
    """Case lifecycle of plan §5."""

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
    """结案方式 (plan §5)."""

    performed = "performed"  # 执行完毕
    settled = "settled"  # 和解结案
    terminated_current = "terminated_current"  # 终结本次执行程序 (终本)
    terminated = "terminated"  # 终结执行
    rejected = "rejected"  # 驳回申请
    not_enforced = "not_enforced"  # 不予执行
    withdrawn = "withdrawn"  # 撤回/销案


class ObjectionKind(StrEnum):
    """What an objection (执行异议) is about (docs/rules.md#objections, plan §5(7))."""

    enforcement_act = "enforcement_act"  # 执行行为异议
    outsider = "outsider"  # 案外人异议
    add_change_parties = "add_change_parties"  # 追加、变更当事人
    jurisdiction = "jurisdiction"  # 管辖权异议
    reconsideration = "reconsideration"  # 复议


class FilerKind(StrEnum):
    """Who files an objection: a party to the case or a case outsider (案外人、利害关系人)."""

    party = "party"
    outsider = "outsider"


class ObjectionState(StrEnum):
    received = "received"  # 收到
    docketed = "docketed"  # 立案 (执异 number)
    hearing_scheduled = "hearing_scheduled"  # 听证已安排
    heard = "heard"  # 已听证
    ruled = "ruled"  # 已裁定
    served = "served"  # 裁定已送达
    reconsideration_applied = "reconsideration_applied"  # 申请复议
    transferred = "transferred"  # 卷宗已移送上一级法院
    not_accepted = (
        "not_accepted"  # 不予受理: received and kept, not heard (e.g. a late jurisdiction objection)
    )


class ObjectionOutcome(StrEnum):
    upheld = "upheld"  # 异议成立
    rejected = "rejected"  # 驳回异议
    not_accepted = "not_accepted"  # 不予受理


class ReferralStage(StrEnum):
    """Stages of a refusal-to-execute referral (拒执移送, plan §5(6))."""

    submitted = "submitted"  # 执行团队移交材料
    returned = "returned"  # 材料不齐, 退回补充
    complete = "complete"  # 材料齐全
    liaised = "liaised"  # 已与刑庭对接
    police_transferred = "police_transferred"  # 已移送公安机关
    following_up = "following_up"  # 跟进中 (accepted / prosecuted)
    concluded = "concluded"  # 已有结果 (declined / judged)


class ReferralOutcome(StrEnum):
    accepted = "accepted"  # 立案
    declined = "declined"  # 不予立案
    prosecuted = "prosecuted"  # 提起公诉
    judged = "judged"  # 判决


class ReferralReviewResult(StrEnum):
    complete = "complete"
    returned = "returned"


class PetitionChannel(StrEnum):
    visit = "visit"  # 来访
    letter = "letter"  # 来信
    phone = "phone"  # 来电
    online = "online"  # 网上信访


class PetitionState(StrEnum):
    """Enforcement petition (涉执信访) lifecycle (plan §5(8))."""

    received = "received"  # 接访
    registered = "registered"  # 登记
    routed = "routed"  # 转交承办团队
    replied = "replied"  # 已回复
    resolved = "resolved"  # 已化解
    closed = "closed"  # 报结


class MeasureKind(StrEnum):
    """An enforcement measure the handling team records (执行措施, plan §5(3))."""

    execution_notice = "execution_notice"  # 执行通知书
    property_report_order = "property_report_order"  # 报告财产令
    document_service = "document_service"  # 送达法律文书
    applicant_clues = "applicant_clues"  # 申请执行人提供的财产线索, recorded and verified
    summons = "summons"  # 传唤
    mediation = "mediation"  # 调解
    settlement_agreement = "settlement_agreement"  # 执行和解协议
    settlement_performed = "settlement_performed"  # 执行和解协议履行完毕
    fine = "fine"  # 罚款决定书
    judicial_detention = "judicial_detention"  # 司法拘留决定书
    consumption_ban = "consumption_ban"  # 限制消费令
    missing_respondent_search = "missing_respondent_search"  # 查找被执行人
    whereabouts_unknown = "whereabouts_unknown"  # 被执行人下落不明
    property_report_failed = "property_report_failed"  # 拒绝报告、虚假报告或逾期报告财产
    online_property_check = "online_property_check"  # 网络执行查控系统查询
    onsite_property_check = "onsite_property_check"  # 实地调查 (subtype: OnsiteCheckSubject)
    applicant_heard = "applicant_heard"  # 告知申请执行人并听取意见
    disposal_document = "disposal_document"  # 拍卖/处置文书, signed and served
    obstruction_found = "obstruction_found"  # 妨害、抗拒执行的行为
    obstruction_punished_or_referred = "obstruction_punished_or_referred"  # 已依法处罚或移送
    suspension = "suspension"  # 暂缓执行、中止执行、公告送达、评估拍卖期间 (subtype: SuspensionKind)
    suspension_end = "suspension_end"  # 恢复: the recorded suspension ends
    payment_received = "payment_received"  # 被执行人履行款项


class OnsiteCheckSubject(StrEnum):
    """What an on-site property check (实地调查) covered (docs/rules.md#gate, the "four checks")."""

    real_estate = "real_estate"  # 不动产
    vehicles = "vehicles"  # 车辆
    business_registration = "business_registration"  # 工商登记


class Decision(StrEnum):
    """A leader's decision on a request (审批)."""

    approve = "approve"
    refuse = "refuse"


class DisposalTransferState(StrEnum):
    """Centralised disposal transfer (财产集约处置移送, plan §5(3)–(4))."""

    requested = "requested"  # 员额法官申请移送
    approved = "approved"  # 主管副局长批准: the case is at disposal
    refused = "refused"
    returned = "returned"  # 退回原移送执行实施庭
    withdrawn = "withdrawn"  # the case closed before a decision


class DisposalTaskKind(StrEnum):
    """Work of the property-disposal group (plan §3(1), §5(4))."""

    seal = "seal"  # 查封
    seize = "seize"  # 扣押
    search = "search"  # 搜查
    evict = "evict"  # 强制腾房
    clear_land = "clear_land"  # 迁出土地
    appraise = "appraise"  # 评估
    auction = "auction"  # 拍卖
    announce = "announce"  # 公告


class DishonestGround(StrEnum):
    """Grounds for the dishonest-respondent list (失信被执行人名单, SPC dishonest-list rules art. 1)."""

    able_but_refuses = "able_but_refuses"  # 有履行能力而拒不履行
    obstructs = "obstructs"  # 以伪造证据、暴力、威胁等方法妨碍、抗拒执行
    evades_by_sham = "evades_by_sham"  # 以虚假诉讼、虚假仲裁或者隐匿、转移财产等方法规避执行
    breaks_reporting_duty = "breaks_reporting_duty"  # 违反财产报告制度
    breaks_consumption_ban = "breaks_consumption_ban"  # 违反限制消费令
    breaks_settlement = "breaks_settlement"  # 无正当理由拒不履行执行和解协议


class DishonestListingState(StrEnum):
    proposed = "proposed"  # 承办法官提出
    refused = "refused"  # 局长不予批准
    active = "active"  # 已纳入名单
    deletion_pending = "deletion_pending"  # 删除事由发生, D11 running
    deleted = "deleted"  # 已删除
    withdrawn = "withdrawn"  # the case closed before a decision


class DeletionTrigger(StrEnum):
    """Why a listing must be deleted within 3 working days (SPC dishonest-list rules art. 10)."""

    paid = "paid"  # 已履行完毕
    settled = "settled"  # 和解协议已履行完毕
    term_ended = "term_ended"  # 纳入期限届满
    applicant_request = "applicant_request"  # 申请执行人书面申请删除, 经审查同意
    enforcement_ended = "enforcement_ended"  # 裁定终结执行或不予执行
    pool_rechecks_empty = "pool_rechecks_empty"  # 终本后连续两次查询均无财产


class TerminationPoolStatus(StrEnum):
    """A 终本 case in the pool (docs/rules.md#gate)."""

    in_pool = "in_pool"  # re-checked every 6 months
    restored = "restored"  # 恢复执行 as a new case
    expired = "expired"  # the re-check period is over


class DeadlineStatus(StrEnum):
    """State of a deadline clock (节点期限, docs/rules.md#deadlines)."""

    open = "open"  # running
    met = "met"  # done (on time or late: see ``met_late``), or a period that has run its course
    breached = "breached"  # past due and not done (marked by the sweep)
    paused = "paused"  # stopped while a suspension runs


class SuspensionKind(StrEnum):
    """Periods that do not count towards the enforcement time limits (SPC time-limit rules)."""

    deferral = "deferral"  # 暂缓执行
    suspension = "suspension"  # 中止执行
    public_notice = "public_notice"  # 公告送达
    appraisal_auction = "appraisal_auction"  # 鉴定、评估、拍卖


class ExtensionState(StrEnum):
    """A request to extend the enforcement period (D3): the team asks, the director reviews, the
    president approves (SPC time-limit rules; plan §4)."""

    requested = "requested"  # 承办法官申请
    reviewed = "reviewed"  # 局长审核
    approved = "approved"  # 院长批准


class ReceiptChannel(StrEnum):
    """How money reached the court's enforcement account (执行款专户)."""

    bank_transfer = "bank_transfer"  # quoting the case account reference
    online_deduction = "online_deduction"  # 网络查控扣划
    auction_proceeds = "auction_proceeds"  # from the property-disposal group
    cash = "cash"  # handed over to two officers
    other = "other"


class ReceiptState(StrEnum):
    """A receipt is in its case's ledger, or unclaimed until the office claims it (认领)."""

    unclaimed = "unclaimed"
    credited = "credited"


class PayoutKind(StrEnum):
    """To whom a payout goes: the applicant (发还申请执行人), the court for the application fee, or
    the respondent for what is left once the claim and the fee are covered (余款退还被执行人)."""

    applicant = "applicant"
    fee = "fee"
    respondent = "respondent"


class PayoutState(StrEnum):
    """The handling judge asks, a leader approves by amount tier, the office pays (SPC provisions on
    enforcement money, 2017)."""

    requested = "requested"
    approved = "approved"
    refused = "refused"
    executed = "executed"


class LedgerEntryKind(StrEnum):
    """An immutable line of a case's ledger; a reversal names the entry it reverses."""

    receipt = "receipt"
    payout = "payout"
    reversal = "reversal"


class DeferralReason(StrEnum):
    """Why a payout waits (SPC provisions on enforcement money, 2017)."""

    disputed = "disputed"  # the money is in dispute (异议)
    distribution = "distribution"  # a distribution among several creditors (参与分配)
    applicant_unreachable = "applicant_unreachable"  # 申请执行人无法联系
    other = "other"


class DeferralState(StrEnum):
    """A payout deferral: asked by the handling judge, decided by the director, lifted when it ends."""

    requested = "requested"
    approved = "approved"
    refused = "refused"
    lifted = "lifted"


class SubscriptionStatus(StrEnum):
    """A webhook subscription (docs/events.md)."""

    active = "active"
    failing = "failing"  # its receiver failed several attempts in a row; deliveries go on, backing off
    disabled = "disabled"  # switched off by an administrator: nothing is owed to it from then on


class DeliveryStatus(StrEnum):
    """One event owed to one webhook subscription."""

    pending = "pending"  # due at next_attempt_at (or held by a relay until then)
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # gave up after retrying for the retry period; an administrator may replay it
