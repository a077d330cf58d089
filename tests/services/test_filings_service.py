"""The upload use cases on their own (no HTTP): file, approve, reject, revoke, and their refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.archive.blobs import LocalBlobStore
from app.archive.intake import IntakeLimits
from app.archive.pii import PiiCipher
from app.db import get_session
from app.domain.errors import FieldError
from app.extensions import services
from app.models import Filing, ReceivingUnit
from app.services import accounts
from app.services import commitments as commitment_svc
from app.services import filings as svc
from app.stamping.public_copy import is_current_public_copy
from tests.conftest import PASSWORD, UNIT_LETTER, ZJJ

TODAY = date(2026, 11, 29)
CIPHER = PiiCipher(bytes(range(32)))


class Desk:
    """A session, the archive and ZJJ's unit, as a view would hand them to the service."""

    def __init__(self, app) -> None:
        self.session = get_session()
        self.trail = services(app).trail("user:reviewer")
        self.archive = LocalBlobStore(app.config["ARCHIVE_DIR"])
        self.unit = self.session.scalar(select(ReceivingUnit).where(ReceivingUnit.name == ZJJ))
        self.reviewer_id = accounts.create_user(
            self.session, username="reviewer", password=PASSWORD, role="office_reviewer",
            display_name="审核员").id
        self.session.commit()
        # what the review desk hands to approve, reject and revoke: who decides
        self.as_reviewer = {"reviewer_id": self.reviewer_id, "trail": self.trail}

    def letter(self, **overrides) -> bytes:
        issued = commitment_svc.issue_commitment(
            self.session, {**UNIT_LETTER, **overrides}, secret=b"k", base_url="http://x",
            cipher=CIPHER, archive=self.archive, today=TODAY, trail=self.trail)
        self.session.commit()
        return issued.pdf

    def upload(self, pdf: bytes, **fields) -> svc.UploadResult:
        result = svc.file_upload(self.session, self.archive, CIPHER, data=pdf, name="承诺书.pdf",
                                 fields=fields, unit=self.unit, today=TODAY, limits=IntakeLimits(),
                                 trail=self.trail)
        self.session.commit()
        return result

    def pending(self, **overrides) -> Filing:
        return self.upload(self.letter(**overrides)).filing


@pytest.fixture
def desk(app):
    with app.app_context():
        yield Desk(app)


def test_an_issued_letter_files_as_pending_with_its_own_fields(desk):
    result = desk.upload(desk.letter())
    assert result.created
    assert result.filing.status == "pending"
    assert result.filing.subject_name == UNIT_LETTER["subject_name"]
    assert result.filing.unit_id == desk.unit.id
    assert desk.archive.get(result.filing.sha256)[:5] == b"%PDF-"


def test_the_same_file_twice_is_one_filing(desk):
    pdf = desk.letter()
    first = desk.upload(pdf)
    again = desk.upload(pdf)
    assert not again.created
    assert again.filing.id == first.filing.id
    assert desk.session.scalar(select(func.count()).select_from(Filing)) == 1


def test_approve_publishes_a_current_public_copy(desk):
    filing = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    assert filing.status == "published"
    assert filing.reviewed_by == desk.reviewer_id
    assert filing.published_at == filing.reviewed_at
    assert filing.public_copy_sha256 is not None
    assert is_current_public_copy(desk.archive.get(filing.public_copy_sha256))


def test_approve_marks_an_older_filing_under_another_name_superseded(desk):
    older = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    newer = svc.approve(desk.session, desk.archive, desk.pending(subject_name="凌源市新名建筑工程有限公司"),
                        **desk.as_reviewer)
    assert older.superseded_by_id == newer.id
    assert newer.superseded_by_id is None


def test_approve_keeps_an_older_filing_with_the_same_name_current(desk):
    older = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    svc.approve(desk.session, desk.archive, desk.pending(matter="凌源市另一项工程施工许可"),
                **desk.as_reviewer)
    assert older.superseded_by_id is None


def test_revoking_the_newer_filing_publishes_the_older_again(desk):
    older = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    newer = svc.approve(desk.session, desk.archive, desk.pending(subject_name="凌源市新名建筑工程有限公司"),
                        **desk.as_reviewer)
    svc.revoke(desk.session, newer, reason="材料不实", **desk.as_reviewer)
    assert older.superseded_by_id is None  # issue 12 §3: supersession follows what is published


def test_revoking_the_middle_filing_leaves_the_oldest_superseded_by_the_newest(desk):
    oldest = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    middle = svc.approve(desk.session, desk.archive, desk.pending(legal_representative="李新"),
                         **desk.as_reviewer)
    newest = svc.approve(desk.session, desk.archive, desk.pending(legal_representative="王最新"),
                         **desk.as_reviewer)
    svc.revoke(desk.session, middle, reason="材料不实", **desk.as_reviewer)
    assert oldest.superseded_by_id == newest.id


def test_an_older_letter_approved_late_does_not_supersede_a_newer_one(desk):
    """Trial of issue 12: filing an older letter after a newer one was published made the newer
    one 已更新. Supersession follows the letters (date, then number), not the order of approval."""
    older_letter = desk.letter()  # numbered first
    newer = svc.approve(desk.session, desk.archive, desk.pending(legal_representative="王五"),
                        **desk.as_reviewer)
    late = svc.approve(desk.session, desk.archive, desk.upload(older_letter).filing, **desk.as_reviewer)
    assert (late.superseded_by_id, newer.superseded_by_id) == (newer.id, None)


def test_revoking_never_leaves_a_cycle(desk):
    older_letter = desk.letter()
    newer = svc.approve(desk.session, desk.archive, desk.pending(legal_representative="王五"),
                        **desk.as_reviewer)
    late = svc.approve(desk.session, desk.archive, desk.upload(older_letter).filing, **desk.as_reviewer)
    newest = svc.approve(desk.session, desk.archive, desk.pending(legal_representative="赵六"),
                         **desk.as_reviewer)
    svc.revoke(desk.session, newest, reason="材料不实", **desk.as_reviewer)
    assert (late.superseded_by_id, newer.superseded_by_id) == (newer.id, None)


def test_reject_keeps_the_reason_with_its_spaces_collapsed(desk):
    filing = svc.reject(desk.session, desk.pending(), **desk.as_reviewer,
                        reason="  签字页\n缺少   盖章 ")
    assert filing.status == "rejected"
    assert filing.review_reason == "签字页 缺少 盖章"
    assert filing.reviewed_by == desk.reviewer_id


@pytest.mark.parametrize("reason, message", [
    ("", "请填写原因"),
    ("  \n ", "请填写原因"),
    ("长" * (svc.MAX_REASON_LEN + 1), f"原因不能超过{svc.MAX_REASON_LEN}个字符"),
])
def test_reject_and_revoke_need_a_reason_of_bounded_length(desk, reason, message):
    pending = desk.pending()
    with pytest.raises(FieldError) as refused:
        svc.reject(desk.session, pending, **desk.as_reviewer, reason=reason)
    assert refused.value.field == "reason"
    assert message in refused.value.message
    assert pending.status == "pending"
    published = svc.approve(desk.session, desk.archive, pending, **desk.as_reviewer)
    with pytest.raises(FieldError) as refused:
        svc.revoke(desk.session, published, **desk.as_reviewer, reason=reason)
    assert refused.value.field == "reason"
    assert published.status == "published"


def test_revoke_takes_a_published_filing_off(desk):
    published = svc.approve(desk.session, desk.archive, desk.pending(), **desk.as_reviewer)
    filing = svc.revoke(desk.session, published, **desk.as_reviewer, reason="承诺主体申请撤回")
    assert filing.status == "revoked"
    assert filing.revoked_reason == "承诺主体申请撤回"
    assert filing.revoked_at is not None
    assert desk.archive.get(filing.sha256)[:5] == b"%PDF-"  # stays in the archive


@pytest.mark.parametrize("steps, action, message", [
    (("approve",), "approve", "只有待审核的上传可以通过（当前：公示中）"),
    (("reject",), "approve", "只有待审核的上传可以通过（当前：已驳回）"),
    (("approve",), "reject", "只有待审核的上传可以驳回（当前：公示中）"),
    (("approve", "revoke"), "reject", "只有待审核的上传可以驳回（当前：已撤销）"),
    ((), "revoke", "只有公示中的承诺书可以撤销"),
    (("reject",), "revoke", "只有公示中的承诺书可以撤销"),
    (("approve", "revoke"), "revoke", "只有公示中的承诺书可以撤销"),
])
def test_a_step_out_of_order_is_refused_and_changes_nothing(desk, steps, action, message):
    filing = desk.pending()
    do = {
        "approve": lambda: svc.approve(desk.session, desk.archive, filing,
                                       **desk.as_reviewer),
        "reject": lambda: svc.reject(desk.session, filing, **desk.as_reviewer,
                                     reason="材料不全"),
        "revoke": lambda: svc.revoke(desk.session, filing, **desk.as_reviewer,
                                     reason="申请撤回"),
    }
    for step in steps:
        do[step]()
    desk.session.commit()
    status = filing.status
    with pytest.raises(FieldError) as refused:
        do[action]()
    assert refused.value.field == "status"
    assert refused.value.message == message
    desk.session.rollback()
    assert desk.session.get(Filing, filing.id).status == status
