"""Issuing letters: stored data re-renders the exact PDF; failures store nothing."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from app.archive.blobs import LocalBlobStore
from app.archive.pii import PiiCipher
from app.db import get_session
from app.documents import commitment as doc
from app.documents.fonts import UncoverableCharacter
from app.domain.errors import FieldErrors
from app.extensions import services
from app.models import DocumentCounter, IssuedDocument
from app.services import commitments as svc
from tests.conftest import PERSON_LETTER, UNIT_LETTER

TODAY = date(2026, 11, 29)
CIPHER = PiiCipher(bytes(range(32)))


def issue(app, data, today=TODAY):
    store = LocalBlobStore(app.config["ARCHIVE_DIR"])
    session = get_session()
    issued = svc.issue_commitment(session, data, secret=b"k", base_url="http://x", cipher=CIPHER,
                                  archive=store, today=today, trail=services(app).trail("test"))
    session.commit()
    return issued, store


def test_stored_payload_re_renders_the_exact_pdf(app):
    with app.app_context():
        issued, store = issue(app, PERSON_LETTER)
        record = issued.record
        assert record.template_version == doc.CURRENT_TEMPLATE_VERSION
        assert hashlib.sha256(issued.pdf).hexdigest() == record.sha256
        again = svc.render_from_payload(record.payload, record.template_version, CIPHER)
        assert hashlib.sha256(again).hexdigest() == record.sha256
        assert store.get(record.sha256) == issued.pdf
        # the ID number rests encrypted: neither the columns nor the payload hold it in clear
        code = PERSON_LETTER["subject_code"]
        assert code not in str(record.payload)
        assert code not in record.subject_code_enc
        assert record.subject_code_public == "2*************1237"
        assert CIPHER.decrypt(record.subject_code_enc) == code


def test_unknown_template_version_is_refused(app):
    with app.app_context():
        issued, _ = issue(app, UNIT_LETTER)
        with pytest.raises(ValueError):
            svc.render_from_payload(issued.record.payload, "v999", CIPHER)


def test_numbers_restart_each_year_and_carry_a_check_character(app):
    with app.app_context():
        a, _ = issue(app, UNIT_LETTER, date(2026, 12, 31))
        b, _ = issue(app, UNIT_LETTER, date(2027, 1, 1))
        assert a.record.number[:-1] == "LYXY-CN-2026-000001"
        assert b.record.number[:-1] == "LYXY-CN-2027-000001"
        found = svc.find_document(get_session(), b.record.number.lower())
        assert found.id == b.record.id


@pytest.mark.parametrize("data, error", [
    ({**UNIT_LETTER, "subject_code": "91211382MA0Y8K7Q3C"}, FieldErrors),
    ({**UNIT_LETTER, "matter": "申请\ue000事项"}, (UncoverableCharacter, FieldErrors)),
])
def test_refused_input_stores_nothing(app, data, error):
    with app.app_context():
        session = get_session()
        with pytest.raises(error):
            svc.issue_commitment(session, data, secret=b"k", base_url="http://x", cipher=CIPHER,
                                 archive=LocalBlobStore(app.config["ARCHIVE_DIR"]), today=TODAY,
                                 trail=services(app).trail("test"))
        session.rollback()
        assert session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
        assert session.scalar(select(func.count()).select_from(DocumentCounter)) == 0


def test_verification_code_check(app):
    with app.app_context():
        issued, _ = issue(app, UNIT_LETTER)
        rec = issued.record
        assert svc.code_matches(rec, rec.verification_code.lower())
        assert not svc.code_matches(rec, "WRONG")
        assert not svc.code_matches(rec, None)


def test_issued_pdf_is_the_archived_original(app):
    with app.app_context():
        issued, store = issue(app, UNIT_LETTER)
        assert svc.issued_pdf(issued.record, store) == issued.pdf


def test_issued_pdf_without_its_original_raises_instead_of_re_rendering(app, tmp_path):
    with app.app_context():
        issued, _ = issue(app, UNIT_LETTER)
        empty = LocalBlobStore(tmp_path / "empty-archive")
        with pytest.raises(svc.OriginalMissing) as caught:
            svc.issued_pdf(issued.record, empty)
        assert caught.value.sha256 == issued.record.sha256


def test_the_stored_version_decides_the_re_rendered_bytes(app):
    # A letter stored as v1 keeps v1: its payload re-renders to the bytes v1 renders, not the
    # current version's.
    with app.app_context():
        issued, _ = issue(app, UNIT_LETTER)
        v1 = svc.render_from_payload(issued.record.payload, "v1", CIPHER)
        current = svc.render_from_payload(issued.record.payload, issued.record.template_version,
                                          CIPHER)
        assert issued.record.template_version == doc.CURRENT_TEMPLATE_VERSION
        assert hashlib.sha256(current).hexdigest() == issued.record.sha256
        assert v1 != current
