"""The one registry of document families and their released template versions.

Each released version lives complete in its own folder, ``templates/<family>/<version>/``: markup,
stylesheets and wording, nothing included from outside it, so editing one file changes at most
one version. ``templates/MANIFEST.json`` holds the SHA-256 of every file of every released
version (tests/documents/test_template_manifest.py fails when one changes); a new version is a new
folder, an entry below and ``scripts/release_template.py <family> <version>``.

Every issued record stores the (family, version) it was produced with (``template_name``,
``template_version``), and re-renders with exactly that version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    """A kind of document the service prints; the value is its folder under templates/."""

    COMMITMENT = "commitment"
    """信用承诺书 (policy 五)."""
    CERTIFICATE = "credit_check"
    """信用核查结果告知书 (policy 二, 七)."""
    PROCUREMENT_CLAUSE = "procurement"
    """招标/采购文件中的信用条款 (policy 三(二))."""
    REPORT = "reports"
    """第三方信用报告 scaffolds: 企业综合信用等级评价报告 (三) and 信用报告 (四)."""


class UnknownTemplateVersion(ValueError):
    """No released version of that family has that name."""

    def __init__(self, family: str, version: str) -> None:
        super().__init__(f"unknown template version {family}/{version}")
        self.family = family
        self.version = version


@dataclass(frozen=True)
class TemplateVersion:
    """What one released version renders with; it never changes once a document carries it."""

    family: Family
    version: str
    """Folder name under templates/<family>/, e.g. "v2"."""
    html: str
    """Markup file in the folder (Jinja2)."""
    css: str | None = None
    """Stylesheet file in the folder (Jinja2, parsed once per process); None: none."""
    ua_stylesheet: str | None = None
    """User-agent stylesheet file in the folder; None: WeasyPrint's own."""
    wording: str | None = None
    """JSON file in the folder with the document's fixed text; None: the markup holds it."""
    docx_layout: str | None = None
    """The DOCX layout in code this version is written with (see ``DOCX_LAYOUTS``); None: no
    DOCX. A layout is code, so it is frozen by the rendered samples (tests/documents/
    test_samples.py) instead of by the manifest."""
    archival: bool = False
    """Whether its PDFs are archival: PDF/A-2b with XMP (title, number, issuer, dates) and tagged
    structure (app/documents/render.py ``html_to_pdf``). Off for the versions released before
    issue 13 §3, which keep re-rendering byte-identically."""

    @property
    def folder(self) -> str:
        """Template-relative folder, e.g. "commitment/v2"."""
        return f"{self.family.value}/{self.version}"

    def path(self, name: str) -> str:
        """Template name of a file of this version, e.g. "commitment/v2/letter.css"."""
        return f"{self.folder}/{name}"

    @property
    def html_template(self) -> str:
        return self.path(self.html)

    @property
    def css_templates(self) -> tuple[str, ...]:
        return () if self.css is None else (self.path(self.css),)

    @property
    def ua_template(self) -> str | None:
        return None if self.ua_stylesheet is None else self.path(self.ua_stylesheet)


DOCX_LAYOUTS = {
    "letters-1": "app.documents.docx_render.render_letters_docx (GB/T 9704 page, one section per copy)",
    "letters-2": "app.documents.docx_render.render_letters_docx: letters-1 and the ruled lines of "
                 "the open item 六 (Letter.open_lines)",
    "report-scaffold-1": "app.documents.reports.docx.scaffold_docx",
    "letters-3": "app.documents.docx_render.render_letters_docx: the PDF's page on GB/T 9704's "
                 "28 x 22 document grid (label and number in the 版心, the PDF's faces, the "
                 "wording's QR caption), the faces' subsets embedded (app.documents.docx_fonts)",
    "report-scaffold-2": "app.documents.reports.docx.scaffold_docx: report-scaffold-1 on the "
                         "28 x 22 document grid in the PDF's faces, the faces' subsets embedded",
    "letters-4": "app.documents.docx_render.render_letters_docx: letters-3 with the 署名 in the "
                 "v5 PDF's balanced lines, a title that takes one grid line in LibreOffice and "
                 "line-end punctuation that LibreOffice keeps; the 署名 centred above the date "
                 "(4 characters in), the page number's dash 7 mm below the 版心",
    "report-scaffold-3": "app.documents.reports.docx.scaffold_docx: report-scaffold-2 with the "
                         "PDF's pages (a page break where the PDF starts a page, tables split "
                         "there), paragraphs kept whole, numbered headings indented two characters",
}
"""Every DOCX layout a released version may name: id -> where its code lives."""

_RELEASED = (
    TemplateVersion(Family.COMMITMENT, "v1", "letter.html", "letter.css",
                    wording="wording.json", docx_layout="letters-1"),
    # v2: v1's page, rendered about 20 % faster (see the header of its markup and stylesheet).
    TemplateVersion(Family.COMMITMENT, "v2", "letter.html", "letter.css", "document-ua.css",
                    wording="wording.json", docx_layout="letters-1"),
    # v3: policy 五(二)6 gets its place (issue 12 §2): when no receiving unit's clause applies
    # (blank forms; a unit's clause scoped to other matters), item 六 with ruled lines to write on.
    TemplateVersion(Family.COMMITMENT, "v3", "letter.html", "letter.css", "document-ua.css",
                    wording="wording.json", docx_layout="letters-2"),
    TemplateVersion(Family.CERTIFICATE, "v1", "certificate.html", "certificate.css"),
    TemplateVersion(Family.PROCUREMENT_CLAUSE, "v1", "clause.html"),
    # reports v1: the wording of both scaffolds is wording.json (read by app/documents/reports/
    # wording.py); content.py holds only their order and data. wording.json joined the released
    # folder after release, when it left content.py: its hash was added to the v1 entry by hand,
    # and the scaffold samples (tests/documents/test_samples.py) prove the rendering unchanged.
    TemplateVersion(Family.REPORT, "v1", "report.html", "report.css",
                    wording="wording.json", docx_layout="report-scaffold-1"),
    # Issue 13 (the paper): every family on GB/T 9704's 28 x 22 grid (版心 156 x 225 mm, 3号仿宋
    # body at a 5.571 mm pitch, 22 lines), 版头 inside the 版心, "— 1 —" page numbers, QR codes
    # with a 4-module quiet zone that a 150 dpi office scan reads. Archival (issue 13 §3): PDF/A-2b,
    # tagged, with XMP. The procurement clause is HTML that other documents quote (no PDF of its
    # own): archival there says the clause is meant for archival documents.
    TemplateVersion(Family.COMMITMENT, "v4", "letter.html", "letter.css", "document-ua.css",
                    wording="wording.json", docx_layout="letters-3", archival=True),
    TemplateVersion(Family.CERTIFICATE, "v2", "certificate.html", "certificate.css",
                    archival=True),
    TemplateVersion(Family.PROCUREMENT_CLAUSE, "v2", "clause.html", archival=True),
    TemplateVersion(Family.REPORT, "v2", "report.html", "report.css",
                    wording="wording.json", docx_layout="report-scaffold-2", archival=True),
    # v5 (trial of issue 13): a 署名 of any length per GB/T 9704 7.3.5, in balanced lines (no lone
    # last character; app/documents/signoff.py) centred above the 成文日期, which ends 4
    # characters in (domain-rules §1.3); a rare name character keeps the lines on the grid;
    # its DOCX (letters-4) prints in LibreOffice as the PDF: a one-line title, no lost "、".
    TemplateVersion(Family.COMMITMENT, "v5", "letter.html", "letter.css", "document-ua.css",
                    wording="wording.json", docx_layout="letters-4", archival=True),
    # credit_check v3 (issue 14 §2): the certificate as a 公文: 发文字号 and 主送 (the requesting
    # department), the subject's full name, the closing section kept with the sign-off (no page
    # of 署名, date and seal alone), the entry rule's reminder a sentence of its own.
    TemplateVersion(Family.CERTIFICATE, "v3", "certificate.html", "certificate.css",
                    archival=True),
    # reports v3 (issue 13, the paper's open items): one-page cover, no paragraph split over two
    # pages nor a 孤字, numbered headings indented, "1. " items, the caption "扫码核验真伪", header
    # cells that fit; its DOCX starts its pages where the PDF does.
    TemplateVersion(Family.REPORT, "v3", "report.html", "report.css",
                    wording="wording.json", docx_layout="report-scaffold-3", archival=True),
)

RELEASED: dict[Family, dict[str, TemplateVersion]] = {family: {} for family in Family}
"""family -> version -> what it renders with, in release order."""
for _t in _RELEASED:
    RELEASED[_t.family][_t.version] = _t

CURRENT: dict[Family, str] = {
    Family.COMMITMENT: "v5",
    Family.CERTIFICATE: "v3",
    Family.PROCUREMENT_CLAUSE: "v2",
    Family.REPORT: "v3",
}
"""The version new documents of each family are produced with."""


def template_version(family: Family | str, version: str) -> TemplateVersion:
    """The released ``version`` of ``family``; raises ``UnknownTemplateVersion``."""
    try:
        return RELEASED[Family(family)][version]
    except (KeyError, ValueError):
        raise UnknownTemplateVersion(str(family), version) from None


def current(family: Family) -> TemplateVersion:
    """The version new documents of ``family`` are produced with."""
    return RELEASED[family][CURRENT[family]]


def released_versions() -> tuple[TemplateVersion, ...]:
    """Every released version of every family."""
    return _RELEASED
