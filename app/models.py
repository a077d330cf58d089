"""SQLAlchemy 2 models: receiving units, number counters and issued documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ReceivingUnit(Base):
    """接受承诺单位: a department that receives commitment letters."""

    __tablename__ = "receiving_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    matter_clause: Mapped[str | None] = mapped_column(Text)
    """五(二)6: the unit's matter-specific clause, printed as clause 6 when set."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentCounter(Base):
    """Last serial issued per document type and year (编号流水号)."""

    __tablename__ = "document_counters"

    doc_type: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class IssuedDocument(Base):
    """A document the service issued: number, codes, hash and the data to re-render it."""

    __tablename__ = "issued_documents"
    __table_args__ = (UniqueConstraint("doc_type", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    doc_type: Mapped[str] = mapped_column(String(4))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    """SHA-256 of the issued PDF (both copies), hex."""
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[str] = mapped_column(String(20))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[str] = mapped_column(String(100))
    subject_code: Mapped[str] = mapped_column(String(18))
    """USCC, or a resident ID number for natural persons: never shown publicly unmasked."""
    scenario: Mapped[str] = mapped_column(String(32))
    receiving_unit: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    """valid | revoked."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Everything the template needs to re-render the PDF exactly."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
