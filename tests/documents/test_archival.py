"""Archival output (issue 13 §3): the newest version of every family renders PDF/A-2b with XMP and
tagged structure, checked by tests/pdfa.py; released versions before it stay as they were."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from app.documents import commitment as doc
from app.documents.certificate import certificate_pdf
from app.documents.registry import RELEASED, Family, current
from app.documents.reports import scaffold_pdf
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.report_kinds import ReportKind
from app.domain.subjects import SubjectKind
from app.samples import scaffold_sample_info
from tests.conftest import PERSON_LETTER, UNIT_LETTER
from tests.pdfa import pdfa_problems, read_xmp

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CERTIFICATE = json.loads((SAMPLES / "issued.json").read_text(encoding="utf-8"))["credit-certificate"]
ISSUED_ON = date(2026, 11, 9)
ISSUE = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                      verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                      issued_on=ISSUED_ON)


def letter_pdf(data: dict = UNIT_LETTER) -> bytes:
    letters = doc.filled_letters(parse_commitment_request(data), ISSUE, "本单位承诺按时足额支付农民工工资。")
    return doc.letters_pdf(letters, created=ISSUED_ON)


def family_pdfs() -> dict[str, tuple[bytes, str | None, str, str]]:
    """name -> (PDF of the family's current version, its title, its number, its issue date)."""
    rating = scaffold_sample_info(ReportKind.RATING, ISSUED_ON)
    decision = scaffold_sample_info(ReportKind.DECISION, ISSUED_ON)
    blank = doc.blank_letters(Scenario.PROJECT_APPROVAL, SubjectKind.NATURAL_PERSON)
    return {
        "letter-unit": (letter_pdf(), "信用承诺书", ISSUE.number, "2026-11-09"),
        "letter-person": (letter_pdf(PERSON_LETTER), "信用承诺书", ISSUE.number, "2026-11-09"),
        "blank-letter": (doc.letters_pdf(blank, created=ISSUED_ON), "信用承诺书", "", "2026-11-09"),
        "certificate": (certificate_pdf(CERTIFICATE["context"]), "信用核查结果告知书",
                        CERTIFICATE["context"]["number"], CERTIFICATE["context"]["issued_on"]),
        "rating": (scaffold_pdf(rating), None, rating.number, "2026-11-09"),
        "decision": (scaffold_pdf(decision), None, decision.number, "2026-11-09"),
    }


def test_versions_released_before_issue_13_are_not_archival_and_new_ones_are():
    """Old documents keep re-rendering byte-identically (tests/documents/test_samples.py); new
    documents are archival."""
    old = {(Family.COMMITMENT, v) for v in ("v1", "v2", "v3")} | {
        (Family.CERTIFICATE, "v1"), (Family.PROCUREMENT_CLAUSE, "v1"), (Family.REPORT, "v1")}
    assert all(not RELEASED[f][v].archival for f, v in old)
    assert all(current(family).archival for family in Family)


def test_each_family_is_pdfa_2b_and_tagged():
    for name, (pdf, title, number, issued_on) in family_pdfs().items():
        assert pdfa_problems(pdf) == [], name
        xmp = read_xmp(pdf)
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B"), name
        assert xmp["xmp:CreateDate"] == xmp["xmp:ModifyDate"] == f"{issued_on}T00:00:00+08:00", name
        assert xmp["dc:language"] == "zh-CN"
        assert xmp.get("dc:identifier", "") == number, name
        if title is not None:
            assert xmp["dc:title"] == title, name
        with pikepdf.open(io.BytesIO(pdf)) as p:
            assert str(p.Root.Lang) == "zh-CN"
            assert str(p.docinfo["/CreationDate"]) == f"D:{issued_on.replace('-', '')}000000+08'00"


def test_certificate_names_its_issuer_as_creator():
    xmp = read_xmp(certificate_pdf(CERTIFICATE["context"]))
    assert xmp["dc:creator"] == CERTIFICATE["context"]["issuer"]
    assert xmp["xmp:CreatorTool"] == "信用文书服务"


def test_letter_structure_reads_title_then_paragraphs():
    with pikepdf.open(io.BytesIO(letter_pdf())) as p:
        order: list[str] = []
        stack = [p.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(reversed(list(node)))
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                order.append(str(node.S))
                if "/K" in node:
                    stack.append(node.K)
    first = next(i for i, t in enumerate(order) if t.startswith("/H"))
    # reading order: the 版头 lines (copy label, 编号: GB/T 9704 7.2), the title, then the body
    assert order[:first].count("/P") <= 2
    assert order[first:].count("/P") >= 10


def test_archival_render_is_deterministic():
    assert letter_pdf() == letter_pdf()


def _edit(pdf: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as p:
        encryption = change(p)
        out = io.BytesIO()
        p.save(out, encryption=encryption or False)
        return out.getvalue()


def _no_intent(p):
    del p.Root["/OutputIntents"]


def _javascript(p):
    p.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")


def _other_title(p):
    p.docinfo["/Title"] = "别的标题"


def _part_one(p):
    with p.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as m:
        m["pdfaid:part"] = "1"


def _encrypt(p):
    return pikepdf.Encryption(owner="o", user="")


def _untagged(p):
    del p.Root["/MarkInfo"]
    del p.Root["/Lang"]


def _unembedded(p):
    for font in p.pages[0].Resources.Font.values():
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]


def _hidden_annotation(p):
    p.pages[0].obj.Annots = p.make_indirect(pikepdf.Array([p.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[0, 0, 10, 10], F=2))]))


def _untagged_content(p):
    p.pages[0].contents_add(p.make_stream(b"0 0 10 10 re f"))


@pytest.mark.parametrize(("change", "clause"), [
    (_no_intent, "6.2.3"), (_javascript, "6.5.1"), (_other_title, "6.6.3"), (_part_one, "6.6.4"),
    (_encrypt, "6.1.3"), (_untagged, "PDF/UA 7.1"), (_unembedded, "6.2.11.4.1"),
    (_hidden_annotation, "6.3.2"), (_untagged_content, "PDF/UA 7.1: page 1"),
])
def test_the_checks_find_each_problem(change, clause):
    """tests/pdfa.py is only worth what it finds: each change breaks one requirement."""
    broken = _edit(letter_pdf(), change)
    assert any(p.startswith(clause) for p in pdfa_problems(broken)), pdfa_problems(broken)


def test_a_version_released_before_is_not_pdfa():
    problems = pdfa_problems(doc.letters_pdf(doc.filled_letters(
        parse_commitment_request(UNIT_LETTER), ISSUE, None), "v3", created=ISSUED_ON))
    assert "6.2.3: no GTS_PDFA1 OutputIntent" in problems
    assert "6.6.2.1: the catalog has no /Metadata stream" in problems

