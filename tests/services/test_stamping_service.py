"""Stamping on its own: jobs and seals applied are audited (issue 11 §2: applying an official
seal was untraced), with the signer and public address handed in, not read from the app."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.archive.intake import IntakeLimits
from app.db import get_session
from app.domain.access import Reader
from app.domain.errors import FieldError
from app.extensions import services
from app.models import AuditEntry, ReceivingUnit, StampJob
from app.services import commitments as commitment_svc
from app.services import seals as seal_svc
from app.services import stamping as svc
from tests.conftest import UNIT_LETTER, pdf_pages

ZJJ = "凌源市住房和城乡建设局"


class Desk:
    """A unit's stamping desk: session, archive, signer and a registered seal."""

    def __init__(self, app, trail) -> None:
        self.ctx = services(app)
        self.db = get_session()
        self.trail = trail
        self.unit = self.db.scalar(select(ReceivingUnit).where(ReceivingUnit.name == ZJJ))
        self.seal = seal_svc.add_generated_seal(self.db, self.ctx.archive, unit=self.unit,
                                                trail=self.ctx.trail("setup"))
        self.db.commit()

    def tools(self) -> dict[str, object]:
        return {"signer": self.ctx.signer, "base_url": "https://xinyong.example.test",
                "trail": self.trail}

    def entries(self, action: str) -> list[AuditEntry]:
        return list(self.db.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


@pytest.fixture
def desk(app, trail):
    with app.app_context():
        yield Desk(app, trail)


def test_a_job_and_its_seal_are_audited(desk):
    job = svc.create_job(desk.db, desk.ctx.archive, pdf=pdf_pages(2), name="合同.pdf",
                         unit_id=desk.unit.id, limits=IntakeLimits(), trail=desk.trail)
    ops = [svc.Operation("seal", {"seal_id": desk.seal.id, "page": 1, "x_mm": 150, "y_mm": 240}),
           svc.Operation("cross_page_seal", {"seal_id": desk.seal.id})]
    svc.apply_operations(desk.db, desk.ctx.archive, job, ops, unit_id=desk.unit.id, **desk.tools())
    desk.db.commit()
    [created] = desk.entries("create_stamp_job")
    assert created.object_id == str(job.id)
    assert created.details["sha256"] == job.original_sha256
    [stamped] = desk.entries("stamp")
    assert stamped.actor == "user:test"
    assert stamped.object_id == str(job.id)
    assert stamped.details["seal_ids"] == [desk.seal.id]
    assert stamped.details["operations"] == ["seal", "cross_page_seal"]
    assert stamped.details["result_sha256"] == job.result_sha256


def test_stamping_in_one_request_is_audited(desk):
    ops = [{"op": "seal", "seal_id": desk.seal.id, "page": 1, "x_mm": 150, "y_mm": 240}]
    job = svc.stamp_now(desk.db, desk.ctx.archive, pdf=pdf_pages(1), name="a.pdf", operations=ops,
                        unit_id=desk.unit.id, api_key_id=None, limits=IntakeLimits(),
                        **desk.tools())
    desk.db.commit()
    assert [e.object_id for e in desk.entries("create_stamp_job")] == [str(job.id)]
    assert [e.details["seal_ids"] for e in desk.entries("stamp")] == [[desk.seal.id]]


def test_a_refused_stamping_stores_and_records_nothing(desk):
    ops = json.loads('[{"op": "seal", "seal_id": 999, "page": 1, "x_mm": 150, "y_mm": 240}]')
    with pytest.raises(FieldError):
        svc.stamp_now(desk.db, desk.ctx.archive, pdf=pdf_pages(1), name="a.pdf", operations=ops,
                      unit_id=desk.unit.id, api_key_id=None, limits=IntakeLimits(),
                      **desk.tools())
    desk.db.rollback()
    assert desk.db.scalar(select(func.count()).select_from(StampJob)) == 0
    assert desk.entries("stamp") == []


def test_a_job_on_an_issued_letter_records_the_read(desk):
    issued = commitment_svc.issue_commitment(
        desk.db, UNIT_LETTER, secret=desk.ctx.secret, base_url=desk.ctx.base_url,
        archive=desk.ctx.archive, cipher=desk.ctx.pii_cipher, today=desk.ctx.today(),
        trail=desk.ctx.trail("setup"))
    job, ground = svc.create_job_for_document(
        desk.db, desk.ctx.archive, number=issued.record.number, unit_id=None,
        cipher=desk.ctx.pii_cipher, reader=Reader(office=True), trail=desk.trail)
    desk.db.commit()
    [read] = desk.entries("read_letter")
    assert read.object_id == issued.record.number
    assert read.details == {"ground": ground.value, "via": "stamp_job"}
    assert [e.object_id for e in desk.entries("create_stamp_job")] == [str(job.id)]


def test_signature_reports_use_the_trust_roots_handed_in(desk):
    ops = [{"op": "watermark", "text": "仅供投标使用"}]
    job = svc.stamp_now(desk.db, desk.ctx.archive, pdf=pdf_pages(1), name="a.pdf", operations=ops,
                        unit_id=desk.unit.id, api_key_id=None, limits=IntakeLimits(),
                        **desk.tools())
    trusted = svc.signature_reports(job, desk.ctx.archive, desk.ctx.trust_roots())
    untrusted = svc.signature_reports(job, desk.ctx.archive, [])
    assert [r.status for r in trusted] == ["intact"]
    assert [r.status for r in untrusted] == ["unknown_signer"]
