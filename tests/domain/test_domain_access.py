"""The letter access rule (issue 10 §1): code holder, addressed unit, credit office; no one else."""

from __future__ import annotations

import pytest

from app.domain.access import ANONYMOUS, AccessGround, Letter, Reader, letter_access

ZJJ = "凌源市住房和城乡建设局"
CZJ = "凌源市财政局"
LETTER = Letter(addressee=ZJJ, verification_code="7Q2M9KXD")


@pytest.mark.parametrize("reader, code, ground", [
    (ANONYMOUS, None, None),
    (ANONYMOUS, "", None),
    (ANONYMOUS, "7Q2M9KXE", None),
    (ANONYMOUS, "7Q2M9KX", None),  # a prefix is not the code
    (ANONYMOUS, "7Q2M9KXD", AccessGround.CODE),
    (ANONYMOUS, " 7q2m9kxd ", AccessGround.CODE),  # typed in lower case, with blanks
    (ANONYMOUS, "７Ｑ２Ｍ", None),  # non-ASCII input compares without error
    (Reader(unit_name=ZJJ), None, AccessGround.ADDRESSEE),
    (Reader(unit_name=CZJ), None, None),
    (Reader(unit_name=CZJ), "7Q2M9KXD", AccessGround.CODE),
    (Reader(unit_name=""), None, None),
    (Reader(office=True), None, AccessGround.OFFICE),
])
def test_letter_access(reader, code, ground):
    assert letter_access(reader, LETTER, code) is ground


def test_a_letter_addressed_to_no_registered_unit_is_read_by_no_unit():
    letter = Letter(addressee="", verification_code="7Q2M9KXD")
    assert letter_access(Reader(unit_name=""), letter) is None


@pytest.mark.parametrize("role, unit, expected", [
    ("office_admin", None, Reader(office=True)),
    ("office_reviewer", None, Reader(office=True)),
    ("office_admin", ZJJ, Reader(office=True)),
    ("unit_clerk", ZJJ, Reader(unit_name=ZJJ)),
    ("unit_clerk", None, ANONYMOUS),
    ("agency_user", ZJJ, ANONYMOUS),  # only clerks act for a unit
    (None, None, ANONYMOUS),
    ("somebody", ZJJ, ANONYMOUS),
])
def test_reader_for_role(role, unit, expected):
    assert Reader.for_role(role, unit) == expected


# --- 信用核查结果告知书 (issue 14 §2) ---------------------------------------------------------


@pytest.mark.parametrize(("reader", "code", "ground"), [
    (Reader(), None, None),                                         # anonymous, number only
    (Reader(), "wrong234", None),
    (Reader(), " abcd2345 ", AccessGround.CODE),                     # the holder of the paper
    (Reader(unit_name="凌源市自然资源局"), None, None),               # a second unit's clerk
    (Reader(unit_name="凌源市财政局"), None, AccessGround.ADDRESSEE),  # the requesting department
    (Reader(unit_name="凌源市住房和城乡建设局"), None, AccessGround.ISSUER),
    (Reader(office=True), None, AccessGround.OFFICE),
    (Reader(unit_name=" "), None, None),
])
def test_certificate_content_is_for_its_addressee_issuer_office_and_code(reader, code, ground):
    from app.domain.access import Certificate, certificate_access

    cert = Certificate(issuer="凌源市住房和城乡建设局", addressee="凌源市财政局",
                       verification_code="ABCD2345")
    assert certificate_access(reader, cert, code) is ground
