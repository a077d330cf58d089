"""The measures of each category and matter (激励、审慎、惩戒措施, policy 二(四), 六, 七(二))."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.credit_check.categories import Category, Purpose
from app.domain.credit_check.grades import INCENTIVE_WEIGHT_MIN_PERCENT


@dataclass(frozen=True)
class Measure:
    """One measure the checking department applies, with the clause it comes from."""

    code: str
    """Stable identifier, e.g. "punishment.restrict_bidding"."""
    text_zh: str
    """Text printed on the certificate."""
    clause: str
    """Policy clause, e.g. "七(二)3"."""


# policy 二(四)1 and 六: incentives.
_JOINT_REWARDS = Measure(
    "incentive.joint_rewards",
    "全面落实国家各部委《联合奖励备忘录》及地方各级政府、部门出台的信用奖励法规、文件中列明的各项激励政策",
    "二(四)1",
)
_GREEN_CHANNEL = Measure(
    "incentive.green_channel",
    "将拟办理事项纳入“绿色通道”，精简办事程序，减少办事环节和证明材料，压缩时限，加快办理速度",
    "六(一)",
)
_TOLERANCE_ACCEPTANCE = Measure(
    "incentive.tolerance_acceptance",
    "实行“容缺受理”：行政相对人书面承诺限期补齐相关材料的，可先行受理，加快办理进度",
    "六(一)",
)
_PUBLIC_SERVICE_PREFERENCE = Measure(
    "incentive.public_service_preference",
    "在财政性资金项目安排、招商引资配套等各类政府优惠扶持政策中予以倾斜",
    "六(二)",
)
_CREDIT_BONUS = Measure(
    "incentive.credit_bonus",
    "在公共资源交易、政府采购、招标投标等活动中依法依约采取信用加分等激励措施"
    f"（信用激励分值不得低于总评分分值的{INCENTIVE_WEIGHT_MIN_PERCENT}%，三(二)）",
    "六(二)",
)
_REDUCED_INSPECTION = Measure(
    "incentive.reduced_inspection",
    "在日常检查、专项检查、随机抽查中，可根据实际情况减少检查抽查的比例和频次",
    "六(三)",
)
_FINANCIAL_FACILITATION = Measure(
    "incentive.financial_facilitation",
    "鼓励金融机构参考信用评价结果，给予贷款利率、财产保费优惠或提供便利化服务",
    "六(四)",
)

# 二(四)1 names 绿色通道 and 容缺受理 for the "行政事项" the subject is about to handle; they do not
# fit competitive procedures (招标投标, 政府采购: equal treatment of bidders), where 六(二)'s credit
# bonus applies instead, nor a bank's loan decision, which 六(四) covers. 六(三) (fewer inspections)
# is regulatory supervision after a licence, approval or access decision.
_INCENTIVES: dict[Purpose, tuple[Measure, ...]] = {
    Purpose.ADMINISTRATIVE_APPROVAL: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION,
    ),
    Purpose.MARKET_ACCESS: (_JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION),
    Purpose.QUALIFICATION_REVIEW: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION,
    ),
    # 六(二): 财政性资金项目安排 and 政府优惠扶持政策 lean towards trustworthy subjects.
    Purpose.POLICY_SUPPORT: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _PUBLIC_SERVICE_PREFERENCE,
    ),
    Purpose.GOVERNMENT_FUNDING: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _PUBLIC_SERVICE_PREFERENCE,
    ),
    # 六(二) 公共资源交易 + 三(二) 8% incentive weight.
    Purpose.GOVERNMENT_PROCUREMENT: (_JOINT_REWARDS, _CREDIT_BONUS),
    Purpose.BIDDING: (_JOINT_REWARDS, _CREDIT_BONUS),
    # 出让 is a 公共资源交易 (六(二) credit bonus); the related 用地/矿业权 approvals get the green channel.
    Purpose.LAND_AND_MINING_RIGHTS: (_JOINT_REWARDS, _GREEN_CHANNEL, _CREDIT_BONUS),
    # 六(四): 贷款利率优惠, 便利化服务.
    Purpose.FINANCIAL_LOAN: (_JOINT_REWARDS, _FINANCIAL_FACILITATION),
    # Unknown matter: only what 二(四)1 grants for every 行政事项.
    Purpose.OTHER: (_JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE),
}

# policy 二(四)2: caution, the same for every purpose.
_CAUTIONS = (
    Measure(
        "caution.prudent_review",
        "对拟办理事项持审慎态度，加大前期资格审查和事后监督检查的工作力度",
        "二(四)2",
    ),
    Measure("caution.remind_improvement", "提醒行政相对人进行信用提升或信用修复", "二(四)2"),
)

# policy 二(四)3 and 七(二): punishments.
_JOINT_PUNISHMENT = Measure(
    "punishment.joint_punishment",
    "全面落实国家各部委《联合惩戒备忘录》及地方各级政府、部门出台的信用惩戒法规、文件中列明的各项惩戒措施，"
    "依法依规实施信用惩戒",
    "二(四)3",
)
_REMIND_REPAIR = Measure("punishment.remind_repair", "提醒行政相对人进行信用修复", "二(四)3")
_SUSPEND_LICENSING = Measure(
    "punishment.suspend_licensing",
    "暂缓办理行政许可、资质资格审核手续，或者取消有关申请资格",
    "七(二)2",
)
_RESTRICT_BIDDING = Measure("punishment.restrict_bidding", "限制参加重大项目招投标和政府采购活动", "七(二)3")
_NO_SUPPORT = Measure("punishment.no_support", "不予享受政府扶持政策，取消财政补贴资格", "七(二)4")
_RESTRICT_LAND = Measure("punishment.restrict_land", "严格限制新增项目、用地和矿业权审批", "七(二)6")
_OTHER_STATUTORY = Measure(
    "punishment.other_statutory", "依照法律、法规、规章规定的其他限制和惩戒措施办理", "七(二)8"
)

_PUNISHMENTS: dict[Purpose, tuple[Measure, ...]] = {
    # 七(二)2 names 行政许可 and 资质资格审核; 市场准入 is granted by licence or registration.
    Purpose.ADMINISTRATIVE_APPROVAL: (_SUSPEND_LICENSING,),
    Purpose.MARKET_ACCESS: (_SUSPEND_LICENSING,),
    Purpose.QUALIFICATION_REVIEW: (_SUSPEND_LICENSING,),
    # 七(二)4 first half: 政府扶持政策, 财政补贴 — exactly what these two matters hand out.
    Purpose.POLICY_SUPPORT: (_NO_SUPPORT,),
    Purpose.GOVERNMENT_FUNDING: (_NO_SUPPORT,),
    # 七(二)3 names 招投标 and 政府采购.
    Purpose.GOVERNMENT_PROCUREMENT: (_RESTRICT_BIDDING,),
    Purpose.BIDDING: (_RESTRICT_BIDDING,),
    # 七(二)6 names 用地和矿业权审批.
    Purpose.LAND_AND_MINING_RIGHTS: (_RESTRICT_LAND,),
    # 七(二) names no measure for bank loans (its 4 speaks of 上市融资 and 企业债券, which a loan is
    # not): the joint-punishment memoranda of 二(四)3 and 七(二)8's statutory measures are what a
    # lender applies.
    Purpose.FINANCIAL_LOAN: (_OTHER_STATUTORY,),
    # No specific measure fits an unknown matter: 七(二)8's catch-all.
    Purpose.OTHER: (_OTHER_STATUTORY,),
}


# policy 六(一): "可对…连续三年无不良信用记录的行政相对人提供“绿色通道”等便利服务".
GREEN_CHANNEL_CLEAN = Measure(
    "clean.green_channel",
    "行政相对人连续三年无不良信用记录，可将拟办理事项纳入“绿色通道”，精简办事程序，减少办事环节和证明材料，压缩时限",
    "六(一)",
)

# policy 七(一)13: "其他违法违规生产经营受到较重行政处罚或刑罚的" is a black-list ground; whether a
# 严重 penalty is such a case is the department's decision, not the check's.
SEVERE_PENALTY_REMINDER = Measure(
    "caution.severe_penalty_review",
    "行政相对人受到严重程度为“严重”的行政处罚，请处罚机关依法认定是否属于“受到较重行政处罚”"
    "应列入失信黑名单的情形，认定列入的按失信黑名单实施惩戒",
    "七(一)13",
)

RATING_REPORT_PURPOSES = frozenset({
    Purpose.ADMINISTRATIVE_APPROVAL, Purpose.MARKET_ACCESS, Purpose.QUALIFICATION_REVIEW,
    Purpose.POLICY_SUPPORT, Purpose.GOVERNMENT_FUNDING, Purpose.LAND_AND_MINING_RIGHTS,
    Purpose.FINANCIAL_LOAN,
})
"""三(二)'s key matters other than 招标投标 and 政府采购 (which have the entry rule): there the
department "应当要求行政相对人提供由第三方信用服务机构出具的信用评价报告" when it is an enterprise."""


def rating_report_reminder(purpose: Purpose) -> Measure:
    """三(二): the enterprise has no valid rating on the platform; the department asks for one."""
    scope = "（企业初次设立和注销、吊销除外）" if purpose is Purpose.ADMINISTRATIVE_APPROVAL else ""
    return Measure(
        "requirement.rating_report",
        f"行政相对人为企业，平台未查询到其有效期内的信用等级评价报告：办理{purpose.label}事项{scope}，"
        "应当要求其提供由第三方信用服务机构出具的信用评价报告，并按照相关规定进行信用激励或惩戒",
        "三(二)",
    )


def green_channel_fits(purpose: Purpose) -> bool:
    """Whether the 绿色通道 of 六(一) fits the matter (not competitive procedures nor loans)."""
    return _GREEN_CHANNEL in _INCENTIVES[purpose]


def measures_for(category: Category, purpose: Purpose) -> tuple[Measure, ...]:
    """The measures printed for ``category`` when the check is made for ``purpose``."""
    if category is Category.INCENTIVE:
        return _INCENTIVES[purpose]
    if category is Category.CAUTION:
        return _CAUTIONS
    if category is Category.PUNISHMENT:
        # policy 二(四)3: 落实惩戒措施 … 并提醒行政相对人进行信用修复 (always, last).
        return (_JOINT_PUNISHMENT, *_PUNISHMENTS[purpose], _REMIND_REPAIR)
    return ()
