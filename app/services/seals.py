"""The seal registry: each unit's seals, their images in the archive, demo seals for demo units."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.domain.errors import FieldError
from app.models import MAX_ROW_ID, ReceivingUnit, Seal
from app.services.audit import AuditTrail
from app.stamping.seal_images import generate_seal, normalise_seal_upload
from app.stamping.types import SealImage

SEAL_KINDS = ("公章", "业务专用章")
MIN_DIAMETER_MM, MAX_DIAMETER_MM = 20.0, 60.0


def _check(kind: str, diameter_mm: float) -> None:
    if kind not in SEAL_KINDS:
        raise FieldError("kind", f"印章类型应为：{'、'.join(SEAL_KINDS)}")
    if not MIN_DIAMETER_MM <= diameter_mm <= MAX_DIAMETER_MM:
        raise FieldError("diameter_mm", f"印章直径应在{MIN_DIAMETER_MM:g}–{MAX_DIAMETER_MM:g}毫米之间"
                                        "（单位印章一般为42或45毫米）")


def add_uploaded_seal(session: Session, archive: BlobStore, *, unit: ReceivingUnit,
                      name: str, kind: str, diameter_mm: float, image: bytes,
                      trail: AuditTrail) -> Seal:
    """Validate and normalise an uploaded scan, store it, register the seal and audit it."""
    _check(kind, diameter_mm)
    seal_image = normalise_seal_upload(image, diameter_mm)
    seal = Seal(unit_id=unit.id, name=name, kind=kind, diameter_mm=diameter_mm,
                png_sha256=archive.put(seal_image.png), generated=False)
    session.add(seal)
    session.flush()
    trail.record(session, "add_seal", "seal", seal.id, unit_id=unit.id, kind=kind,
                 diameter_mm=diameter_mm, sha256=seal.png_sha256)
    return seal


def add_generated_seal(session: Session, archive: BlobStore, *, unit: ReceivingUnit,
                       trail: AuditTrail, kind: str = "公章", diameter_mm: float = 42.0) -> Seal:
    """A demo seal drawn by the generator (it always carries the word 演示), audited."""
    _check(kind, diameter_mm)
    bottom = "" if kind == "公章" else kind
    image = generate_seal(unit.name, diameter_mm=diameter_mm, bottom_text=bottom, kind=kind)
    seal = Seal(unit_id=unit.id, name=unit.name, kind=kind, diameter_mm=diameter_mm,
                png_sha256=archive.put(image.png), generated=True)
    session.add(seal)
    session.flush()
    trail.record(session, "generate_seal", "seal", seal.id, unit_id=unit.id, kind=kind,
                 diameter_mm=diameter_mm, sha256=seal.png_sha256)
    return seal


def seal_image(seal: Seal, archive: BlobStore) -> SealImage:
    return SealImage(png=archive.get(seal.png_sha256), diameter_mm=seal.diameter_mm)


def seals_of_unit(session: Session, unit_id: int) -> list[Seal]:
    return list(session.scalars(select(Seal).where(Seal.unit_id == unit_id, Seal.active)
                                .order_by(Seal.id)))


def get_seal_for(session: Session, seal_id: int, unit_id: int | None) -> Seal:
    """The seal ``seal_id`` if it belongs to ``unit_id`` (None: any unit, for the office)."""
    seal = session.get(Seal, seal_id) if 0 < seal_id <= MAX_ROW_ID else None
    if seal is None or not seal.active or (unit_id is not None and seal.unit_id != unit_id):
        raise FieldError("seal_id", f"未找到编号为{seal_id}的可用印章")
    return seal
