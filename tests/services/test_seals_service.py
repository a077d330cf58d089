"""The seal registry on its own: registering a seal records who did it (issue 11 §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.domain.errors import FieldError
from app.extensions import services
from app.models import AuditEntry, ReceivingUnit, Seal
from app.services import seals as svc
from app.stamping.seal_images import generate_seal
from app.stamping.types import StampingError

ZJJ = "凌源市住房和城乡建设局"


@pytest.fixture
def db(app):
    with app.app_context():
        yield get_session()


@pytest.fixture
def unit(db) -> ReceivingUnit:
    return db.scalar(select(ReceivingUnit).where(ReceivingUnit.name == ZJJ))


def entries(db, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_generated_seal_is_audited_with_its_actor_and_image(app, db, unit, trail):
    seal = svc.add_generated_seal(db, services(app).archive, unit=unit, trail=trail)
    db.commit()
    [entry] = entries(db, "generate_seal")
    assert entry.actor == "user:test"
    assert entry.object_type == "seal"
    assert entry.object_id == str(seal.id)
    assert entry.details["sha256"] == seal.png_sha256
    assert entry.details["unit_id"] == unit.id


def test_an_uploaded_seal_is_audited(app, db, unit, trail):
    scan = generate_seal(ZJJ).png
    seal = svc.add_uploaded_seal(db, services(app).archive, unit=unit, name="住建局公章",
                                 kind="公章", diameter_mm=42, image=scan, trail=trail)
    db.commit()
    [entry] = entries(db, "add_seal")
    assert entry.object_id == str(seal.id)
    assert entry.details["kind"] == "公章"
    assert entry.details["sha256"] == seal.png_sha256


def test_a_refused_upload_records_nothing(app, db, unit, trail):
    with pytest.raises(StampingError):
        svc.add_uploaded_seal(db, services(app).archive, unit=unit, name="x", kind="公章",
                              diameter_mm=42, image=b"%PDF-1.7 not an image", trail=trail)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Seal)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_refused_generation_records_nothing(app, db, unit, trail):
    with pytest.raises(FieldError):
        svc.add_generated_seal(db, services(app).archive, unit=unit, trail=trail, diameter_mm=90)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Seal)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 0
