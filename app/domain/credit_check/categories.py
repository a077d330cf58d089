"""The matters a check is made for (核查事项, policy 三(二)) and the result categories (policy 二(四))."""

from __future__ import annotations

from enum import Enum


class Purpose(Enum):
    """核查事项: the key matters of policy 三(二) where a rating report is required, plus 其他."""

    ADMINISTRATIVE_APPROVAL = "administrative_approval"
    """行政审批 (三(二): 不包括企业初次设立和注销、吊销)."""
    MARKET_ACCESS = "market_access"
    """市场准入."""
    QUALIFICATION_REVIEW = "qualification_review"
    """资质审核."""
    POLICY_SUPPORT = "policy_support"
    """政策扶持."""
    GOVERNMENT_PROCUREMENT = "government_procurement"
    """政府采购 (entry rule of 三(二) applies)."""
    BIDDING = "bidding"
    """招标投标 (entry rule of 三(二) applies)."""
    GOVERNMENT_FUNDING = "government_funding"
    """政府资金安排使用."""
    LAND_AND_MINING_RIGHTS = "land_and_mining_rights"
    """国有土地和矿权出让."""
    FINANCIAL_LOAN = "financial_loan"
    """金融贷款发放."""
    OTHER = "other"
    """其他行政管理服务事项 (二(一): every matter is checked)."""

    @property
    def label(self) -> str:
        """Chinese label, e.g. "招标投标"."""
        return _PURPOSE_LABELS[self]


_PURPOSE_LABELS = {
    Purpose.ADMINISTRATIVE_APPROVAL: "行政审批",
    Purpose.MARKET_ACCESS: "市场准入",
    Purpose.QUALIFICATION_REVIEW: "资质审核",
    Purpose.POLICY_SUPPORT: "政策扶持",
    Purpose.GOVERNMENT_PROCUREMENT: "政府采购",
    Purpose.BIDDING: "招标投标",
    Purpose.GOVERNMENT_FUNDING: "政府资金安排",
    Purpose.LAND_AND_MINING_RIGHTS: "国有土地和矿权出让",
    Purpose.FINANCIAL_LOAN: "金融贷款",
    Purpose.OTHER: "其他",
}


class Category(Enum):
    """信用核查结果类别 (policy 二(四)1–3, plus 无不良记录 when none applies)."""

    INCENTIVE = "incentive"
    """激励: 守信红名单 or a valid rating of A or better (二(四)1)."""
    CAUTION = "caution"
    """审慎: 轻微失信记录 or a valid rating from B to BBB (二(四)2)."""
    PUNISHMENT = "punishment"
    """惩戒: 失信黑名单 (incl. 违诺, 五(四)3) or a valid rating of CCC or worse (二(四)3)."""
    CLEAN = "clean"
    """无不良记录: none of the above."""

    @property
    def label(self) -> str:
        """Chinese label, e.g. "惩戒"."""
        return _CATEGORY_LABELS[self]

    @property
    def rank(self) -> int:
        """Severity order, most severe wins: 惩戒 3 > 审慎 2 > 激励 1 > 无不良记录 0."""
        return _CATEGORY_RANKS[self]


_CATEGORY_LABELS = {
    Category.INCENTIVE: "激励",
    Category.CAUTION: "审慎",
    Category.PUNISHMENT: "惩戒",
    Category.CLEAN: "无不良记录",
}
_CATEGORY_RANKS = {Category.CLEAN: 0, Category.INCENTIVE: 1, Category.CAUTION: 2, Category.PUNISHMENT: 3}
