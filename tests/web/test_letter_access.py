"""Who may read an issued letter (issue 10 §1), tried through HTTP with a second unit's key and
login: the code holder, the addressed unit and the credit office; no one else, by any route.
Refusals are 404 like an unknown number, and store nothing."""

from __future__ import annotations

import io
import json
import re
from functools import cached_property
from pathlib import Path

import pikepdf
import pypdf
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.db import get_session
from app.demo import DEMO_AGENCY
from app.domain.numbers import DocumentType, format_document_number
from app.domain.roles import Role
from app.models import Filing, ReceivingUnit, Seal, StampJob
from tests.conftest import CZJ, PERSON_LETTER, ZJJ, login_as

ROOT = "http://127.0.0.1:8000"
ID_NUMBER = PERSON_LETTER["subject_code"]
FULL_NAME = PERSON_LETTER["subject_name"]
UNKNOWN = format_document_number(DocumentType.CN, 2026, 999_999)
"""A well-formed number (right check character) that was never issued."""
TYPED_FIELDS = {"scenario": "administrative_service", "subject_kind": "enterprise",
                "subject_name": "凌源市另一家示例有限公司", "subject_code": "91211382MA0Y8K7Q3B",
                "legal_representative": "王五", "matter": "财政局的事项",
                "commitment_date": "2026-11-20"}


class World:
    """Two units (ZJJ, the addressee of the letter; CZJ, the second unit), the credit office, an
    agency and the public, each made on first use (logins and seals cost a few 100 ms each)."""

    def __init__(self, app, runner, make_user) -> None:
        self.app, self.runner = app, runner
        make_user(Role.UNIT_CLERK, "zjj", display_name="住建局经办人", owner=ZJJ)
        make_user(Role.UNIT_CLERK, "czj", display_name="财政局经办人", owner=CZJ)
        make_user(Role.OFFICE_REVIEWER, "office")
        self.anon = app.test_client()
        issued = self.anon.post("/api/v1/commitments", json=PERSON_LETTER).get_json()
        self.number: str = issued["number"]
        """A natural person's letter addressed to ZJJ."""
        self.code: str = issued["verification_code"]
        self.pdf: bytes = self.anon.get(issued["pdf_url"].removeprefix(ROOT)).data
        """The issued PDF: what is at stake, the full name and ID number."""
        assert ID_NUMBER in _text(self.pdf)

    @cached_property
    def zjj(self) -> FlaskClient:
        return _login(self.app, "zjj")

    @cached_property
    def czj(self) -> FlaskClient:
        return _login(self.app, "czj")

    @cached_property
    def office(self) -> FlaskClient:
        return _login(self.app, "office")

    @cached_property
    def zjj_key(self) -> dict[str, str]:
        return _key(self.runner, ZJJ)

    @cached_property
    def czj_key(self) -> dict[str, str]:
        return _key(self.runner, CZJ)

    @cached_property
    def agency_key(self) -> dict[str, str]:
        return _key(self.runner, DEMO_AGENCY["name"])

    @cached_property
    def zjj_seal(self) -> int:
        return _seal(self.app, self.zjj, ZJJ)

    @cached_property
    def czj_seal(self) -> int:
        return _seal(self.app, self.czj, CZJ)


def _login(app, username: str) -> FlaskClient:
    c = login_as(app, username)
    c.get("/staff/")  # shows (and so drops) the welcome message
    return c


def _key(runner, owner: str) -> dict[str, str]:
    key = runner.invoke(args=["create-api-key", owner]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def _unit_id(app, name: str) -> int:
    with app.app_context():
        return get_session().scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == name))


def _seal(app, clerk: FlaskClient, unit: str) -> int:
    resp = clerk.post("/staff/seals/generate", data={"unit_id": _unit_id(app, unit),
                                                     "kind": "公章", "diameter_mm": "42"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    clerk.get("/staff/seals")  # shows (and so drops) the flashed messages
    with app.app_context():
        return get_session().scalar(select(Seal.id).where(Seal.unit_id == _unit_id(app, unit))
                                    .order_by(Seal.id.desc()))


@pytest.fixture
def world(app, runner, make_user) -> World:
    return World(app, runner, make_user)


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def _blobs(app) -> set[Path]:
    root = Path(app.config["ARCHIVE_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _stored(app) -> tuple[int, int, set[Path]]:
    return _count(app, StampJob), _count(app, Filing), _blobs(app)


def _blank_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _api_stamp(client: FlaskClient, key: dict[str, str], number: str, seal: int):
    return client.post("/api/v1/stamp-jobs", headers=key, content_type="multipart/form-data",
                       data={"document_number": number,
                             "operations": json.dumps([{"op": "anchor_seal", "seal_id": seal}])})


def _private(resp) -> str:
    """The body, without the CSRF tokens (they carry a timestamp)."""
    return re.sub(r'(name="csrf_token" value=")[^"]*', r"\1", resp.get_data(as_text=True))


def _errors(resp) -> str:
    """The error box of a form page."""
    found = re.search(r'<div class="errors".*?</div>', _private(resp), re.S)
    return found.group(0) if found else ""


def _reveals_nothing(resp) -> None:
    body = _private(resp)
    assert ID_NUMBER not in body
    assert ID_NUMBER[6:14] not in body
    assert FULL_NAME not in body


# --- stamp jobs by number --------------------------------------------------------------------


def test_api_stamp_job_on_another_units_letter_is_404_like_an_unknown_number(world):
    assert world.czj_key
    assert world.czj_seal  # made (and stored) before counting
    before = _stored(world.app)
    foreign = _api_stamp(world.anon, world.czj_key, world.number, world.czj_seal)
    unknown = _api_stamp(world.anon, world.czj_key, UNKNOWN, world.czj_seal)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json()["error"] == unknown.get_json()["error"] == "not_found"
    assert foreign.get_json()["message"].replace(world.number, "N") == \
        unknown.get_json()["message"].replace(UNKNOWN, "N")
    _reveals_nothing(foreign)
    assert _stored(world.app) == before


def test_api_stamp_job_on_its_own_letter_works_for_the_addressed_unit(world):
    resp = _api_stamp(world.anon, world.zjj_key, world.number, world.zjj_seal)
    assert resp.status_code == 201, resp.get_json()
    pdf = world.anon.get(f"/api/v1/stamp-jobs/{resp.get_json()['id']}/result.pdf",
                         headers=world.zjj_key)
    assert pdf.status_code == 200
    assert ID_NUMBER in _text(pdf.data)


def test_staff_stamp_by_number_of_another_units_letter_is_404(world):
    before = _stored(world.app)
    foreign = world.czj.post("/staff/stamp", data={"document_number": world.number})
    unknown = world.czj.post("/staff/stamp", data={"document_number": UNKNOWN})
    assert foreign.status_code == unknown.status_code == 404
    assert _private(foreign).replace(world.number, "N") == _private(unknown).replace(UNKNOWN, "N")
    _reveals_nothing(foreign)
    assert _stored(world.app) == before
    anonymous = world.anon.post("/staff/stamp", data={"document_number": world.number})
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    assert _stored(world.app) == before


@pytest.mark.parametrize("who", ["zjj", "office"])
def test_staff_stamp_by_number_works_for_the_addressed_unit_and_the_office(world, who):
    client = getattr(world, who)
    resp = client.post("/staff/stamp", data={"document_number": world.number})
    assert resp.status_code == 303, _private(resp)
    job_url = resp.headers["Location"]
    assert client.get(job_url).status_code == 200
    assert client.get(job_url + "/original/1.png").status_code == 200


# --- stamp jobs of another unit --------------------------------------------------------------


def test_another_units_stamp_job_is_404_on_every_route(world):
    resp = _api_stamp(world.anon, world.zjj_key, world.number, world.zjj_seal)
    job_id = resp.get_json()["id"]
    web = world.zjj.post("/staff/stamp", data={"document_number": world.number})
    web_job = int(re.search(r"/staff/stamp/(\d+)", web.headers["Location"]).group(1))
    world.zjj.post(f"/staff/stamp/{web_job}", data={"seal_id": str(world.zjj_seal),
                                                    "anchor_seal": "1"})
    for url in (f"/api/v1/stamp-jobs/{job_id}", f"/api/v1/stamp-jobs/{job_id}/result.pdf"):
        assert world.anon.get(url, headers=world.czj_key).status_code == 404, url
        assert world.anon.get(url, headers=world.agency_key).status_code == 404, url
        assert world.anon.get(url, headers=world.zjj_key).status_code == 200, url
    for url in (f"/staff/stamp/{web_job}", f"/staff/stamp/{web_job}/result.pdf",
                f"/staff/stamp/{web_job}/original/1.png", f"/staff/stamp/{web_job}/result/1.png"):
        resp = world.czj.get(url)
        assert resp.status_code == 404, url
        _reveals_nothing(resp)
        assert world.zjj.get(url).status_code == 200, url
        assert world.office.get(url).status_code == 200, url
    refused = world.czj.post(f"/staff/stamp/{web_job}", data={"seal_id": str(world.czj_seal),
                                                              "anchor_seal": "1"})
    assert refused.status_code == 404


def test_the_offices_stamp_jobs_are_not_an_agency_keys(world):
    """Office jobs have no unit (unit_id None), nor has an agency's key: None must not match."""
    resp = world.office.post("/staff/stamp", data={"document_number": world.number})
    job = int(re.search(r"/staff/stamp/(\d+)", resp.headers["Location"]).group(1))
    for url in (f"/api/v1/stamp-jobs/{job}", f"/api/v1/stamp-jobs/{job}/result.pdf"):
        resp = world.anon.get(url, headers=world.agency_key)
        assert resp.status_code == 404, url
        _reveals_nothing(resp)
    assert world.czj.get(f"/staff/stamp/{job}").status_code == 404


def test_a_job_made_on_another_units_letter_before_the_rule_stays_unreadable(world):
    """A job opened by CZJ on ZJJ's letter (as the old code allowed) shows nothing to CZJ."""
    app = world.app
    with app.app_context():
        db = get_session()
        from app.web.common import archive

        job = StampJob(unit_id=_unit_id(app, CZJ), document_number=world.number,
                       original_name=f"{world.number}.pdf",
                       original_sha256=archive().put(world.pdf), page_count=2, operations=[])
        db.add(job)
        db.commit()
        job_id = job.id
    for url in (f"/staff/stamp/{job_id}", f"/staff/stamp/{job_id}/original/1.png"):
        assert world.czj.get(url).status_code == 404, url
    assert world.anon.get(f"/api/v1/stamp-jobs/{job_id}", headers=world.czj_key).status_code == 404


# --- filings ---------------------------------------------------------------------------------


def _web_upload(client: FlaskClient, pdf: bytes, **fields):
    return client.post("/staff/filings/new", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf), "承诺书.pdf"), **fields})


def _api_upload(world: World, key: dict[str, str], pdf: bytes, **fields):
    return world.anon.post("/api/v1/filings", headers=key, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "a.pdf"), **fields})


def test_another_units_letter_does_not_prefill_an_upload(world):
    """The issued PDF (its number inside), or any PDF with the number typed in: no pre-fill of
    the name and ID number for a unit the letter is not addressed to."""
    before = _stored(world.app)
    for resp in (_web_upload(world.czj, world.pdf),
                 _web_upload(world.czj, _blank_pdf(), document_number=world.number),
                 _api_upload(world, world.czj_key, world.pdf),
                 _api_upload(world, world.czj_key, _blank_pdf(), document_number=world.number)):
        assert resp.status_code == 400, _private(resp)
        _reveals_nothing(resp)
    assert _stored(world.app) == before
    foreign = _web_upload(world.czj, _blank_pdf(), document_number=world.number)
    unknown = _web_upload(world.czj, _blank_pdf(), document_number=UNKNOWN)
    assert _private(foreign).replace(world.number, "N") == _private(unknown).replace(UNKNOWN, "N")
    api_foreign = _api_upload(world, world.czj_key, _blank_pdf(), document_number=world.number)
    api_unknown = _api_upload(world, world.czj_key, _blank_pdf(), document_number=UNKNOWN)
    assert api_foreign.get_data(as_text=True).replace(world.number, "N") == \
        api_unknown.get_data(as_text=True).replace(UNKNOWN, "N")


def test_another_units_letter_cannot_be_filed_under_other_metadata(world):
    """Typing one's own metadata over another unit's letter does not make it one's own: the
    letter (its number in the file) is refused as an unknown number would be, nothing stored."""
    before = _stored(world.app)
    resp = _api_upload(world, world.czj_key, world.pdf, **TYPED_FIELDS)
    assert resp.status_code == 400
    assert "document_number" in resp.get_json()["fields"]
    _reveals_nothing(resp)
    assert _stored(world.app) == before


def test_the_addressed_unit_cannot_restate_the_letter(world):
    """What a unit files about one of our letters must agree with the letter: a different name
    or matter is refused field by field (the ID number is never echoed), nothing stored."""
    before = _stored(world.app)
    resp = _api_upload(world, world.zjj_key, world.pdf, subject_name="凌源市另一家示例有限公司",
                       matter="完全不同的事项", subject_code="11010519491231002X")
    assert resp.status_code == 400
    fields = resp.get_json()["fields"]
    assert set(fields) == {"subject_name", "matter", "subject_code"}
    assert FULL_NAME in fields["subject_name"]
    assert world.number in fields["matter"]
    assert ID_NUMBER not in resp.get_data(as_text=True)
    assert "11010519491231002X" not in fields["subject_code"]
    assert _stored(world.app) == before


def test_a_typed_number_must_be_the_files(world):
    """The number typed with an upload is the letter's own when the file carries one."""
    before = _stored(world.app)
    resp = _api_upload(world, world.zjj_key, world.pdf, document_number=UNKNOWN)
    assert resp.status_code == 400
    assert world.number in resp.get_json()["fields"]["document_number"]
    assert _stored(world.app) == before


def test_the_addressed_unit_gets_the_prefill(world):
    resp = _web_upload(world.zjj, world.pdf)
    assert resp.status_code == 303, _private(resp)
    with world.app.app_context():
        filing = get_session().scalar(select(Filing))
        assert filing.subject_name == FULL_NAME
        assert filing.document_number == world.number


def test_another_units_filing_is_404_on_every_route(world):
    fid = _api_upload(world, world.zjj_key, world.pdf).get_json()["id"]
    for url in (f"/staff/filings/{fid}", f"/staff/filings/{fid}/original.pdf",
                f"/staff/filings/{fid}/page-1.png"):
        resp = world.czj.get(url)
        assert resp.status_code == 404, url
        _reveals_nothing(resp)
        assert world.zjj.get(url).status_code == 200, url
        assert world.office.get(url).status_code == 200, url
        assert world.anon.get(url).status_code == 302, url
    assert world.anon.get(f"/api/v1/filings/{fid}", headers=world.czj_key).status_code == 404
    assert world.anon.get(f"/api/v1/filings/{fid}", headers=world.agency_key).status_code == 404
    assert world.anon.get(f"/api/v1/filings/{fid}", headers=world.zjj_key).status_code == 200
    # correcting "another unit's rejected upload" answers as for a filing that does not exist
    before = _stored(world.app)
    other = _web_upload(world.czj, _blank_pdf(), replaces=str(fid), **TYPED_FIELDS)
    missing = _web_upload(world.czj, _blank_pdf(), replaces="999999", **TYPED_FIELDS)
    assert other.status_code == missing.status_code == 400
    assert _errors(other) == _errors(missing)
    assert "本单位被驳回" in _errors(other)
    assert _stored(world.app) == before


def test_duplicates_are_per_receiving_unit(world, runner):
    pdf = _blank_pdf()
    first = _api_upload(world, world.zjj_key, pdf, **TYPED_FIELDS)
    assert first.status_code == 201
    zjj_id = first.get_json()["id"]
    world.office.post(f"/staff/review/{zjj_id}/reject", data={"reason": "未加盖公章"})
    second = _api_upload(world, world.czj_key, pdf, **TYPED_FIELDS)
    assert second.status_code == 201, second.get_json()
    body = second.get_json()
    assert body["id"] != zjj_id
    assert body["status"] == "pending"
    assert not body["duplicate"]
    assert "未加盖公章" not in _private(second)
    again = _api_upload(world, world.czj_key, pdf)
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    web = _web_upload(world.czj, pdf)
    assert web.status_code == 303
    assert web.headers["Location"].endswith(f"/staff/filings/{body['id']}")
    assert _count(world.app, Filing) == 2
    # both filings share one blob: search, review, public copy and the archive check all hold
    assert f'href="/staff/filings/{body["id"]}"' in _private(
        world.czj.get("/staff/filings?q=另一家示例"))
    assert f'href="/staff/filings/{zjj_id}"' not in _private(
        world.czj.get("/staff/filings?q=另一家示例"))
    office_list = _private(world.office.get("/staff/filings?q=另一家示例"))
    assert f'href="/staff/filings/{zjj_id}"' in office_list
    assert f'href="/staff/filings/{body["id"]}"' in office_list
    assert world.office.post(f"/staff/review/{body['id']}/approve").status_code == 303
    copy = world.anon.get(f"/public/commitments/{body['id']}/public-copy.pdf")
    assert copy.status_code == 200
    assert copy.data.startswith(b"%PDF")
    assert world.zjj.get(f"/staff/filings/{zjj_id}/original.pdf").data == pdf
    assert world.czj.get(f"/staff/filings/{body['id']}/original.pdf").data == pdf
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 0, result.output


# --- the applicant's code --------------------------------------------------------------------


def test_the_code_holder_reads_the_letter_and_no_one_else_without_it(world):
    for fmt in ("pdf", "docx"):
        ok = world.anon.get(f"/commitments/{world.number}.{fmt}?c={world.code}")
        assert ok.status_code == 200, fmt
        assert ok.headers["Cache-Control"] == "no-store"
        for url in (f"/commitments/{world.number}.{fmt}",
                    f"/commitments/{world.number}.{fmt}?c=AAAAAAAA",
                    f"/commitments/{world.number}.{fmt}?c={world.code}x"):
            for client in (world.anon, world.czj):
                resp = client.get(url)
                assert resp.status_code == 404, url
                _reveals_nothing(resp)
        unknown = world.anon.get(f"/commitments/{UNKNOWN}.{fmt}?c={world.code}")
        wrong = world.anon.get(f"/commitments/{world.number}.{fmt}?c=AAAAAAAA")
        assert unknown.status_code == 404
        assert _private(unknown).replace(UNKNOWN, "N") == _private(wrong).replace(world.number, "N")
    assert world.anon.get(f"/commitments/{world.number}?c={world.code.lower()}").status_code == 200


# --- Cache-Control ---------------------------------------------------------------------------


def test_personal_pages_and_files_are_never_stored(world):
    api_job = _api_stamp(world.anon, world.zjj_key, world.number, world.zjj_seal).get_json()["id"]
    web = world.zjj.post("/staff/stamp", data={"document_number": world.number})
    job = int(re.search(r"/staff/stamp/(\d+)", web.headers["Location"]).group(1))
    world.zjj.post(f"/staff/stamp/{job}", data={"seal_id": str(world.zjj_seal), "anchor_seal": "1"})
    fid = _api_upload(world, world.zjj_key, world.pdf).get_json()["id"]
    routes = [
        (world.zjj, "/staff/", {}), (world.zjj, "/staff/filings", {}),
        (world.zjj, f"/staff/filings/{fid}", {}), (world.zjj, f"/staff/filings/{fid}/original.pdf", {}),
        (world.zjj, f"/staff/filings/{fid}/page-1.png", {}), (world.office, f"/staff/filings/{fid}", {}),
        (world.zjj, "/staff/stamp", {}), (world.zjj, f"/staff/stamp/{job}", {}),
        (world.zjj, f"/staff/stamp/{job}/original/1.png", {}),
        (world.zjj, f"/staff/stamp/{job}/result/1.png", {}),
        (world.zjj, f"/staff/stamp/{job}/result.pdf", {}), (world.zjj, "/staff/seals", {}),
        (world.office, "/staff/review", {}), (world.office, "/staff/credit/", {}),
        (world.anon, "/login", {}),
        (world.anon, f"/commitments/{world.number}?c={world.code}", {}),
        (world.anon, f"/commitments/{world.number}.pdf?c={world.code}", {}),
        (world.anon, f"/commitments/{world.number}.docx?c={world.code}", {}),
        (world.anon, f"/api/v1/stamp-jobs/{api_job}", world.zjj_key),
        (world.anon, f"/api/v1/stamp-jobs/{api_job}/result.pdf", world.zjj_key),
        (world.anon, f"/api/v1/filings/{fid}", world.zjj_key),
        (world.czj, f"/staff/filings/{fid}", {}),  # refusals too
    ]
    for client, url, headers in routes:
        resp = client.get(url, headers=headers)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        assert resp.headers.get("Cache-Control") == "no-store", url
    created = world.anon.post("/api/v1/commitments", json=PERSON_LETTER)
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    stamped = _api_stamp(world.anon, world.zjj_key, world.number, world.zjj_seal)
    assert stamped.status_code == 201
    assert stamped.headers["Cache-Control"] == "no-store"
    # public, impersonal files keep their caching
    blank = world.anon.get("/blank/procurement_bidding/unit.pdf")
    assert "no-store" not in blank.headers.get("Cache-Control", "")
    assert "max-age" in blank.headers.get("Cache-Control", "")
