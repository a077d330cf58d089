"""Scaffolds of third-party credit reports (policy 三 and 四): editable DOCX plus a PDF preview.

Two kinds, both issued by a registered 第三方信用服务机构 and later uploaded to the platform:

- ``"rating"``: 企业综合信用等级评价报告 (policy 三; outline of domain-rules §5.2), valid one year
  (三(五));
- ``"decision"``: 信用报告 for a major government decision (policy 四(一)), for one named project
  or activity only (四(二)), with the agency answering for its truth (四(三)).

The service pre-fills what it knows (subject, number, agency, dates, the public credit information
as of the issue date, the grade scale); everything the agency must write is printed as a field to
fill, "【请填写：…】", highlighted. The package reads in the order the data flows:

- ``model``: the input (:class:`ScaffoldInfo`, checked on construction) and the content blocks;
- ``wording``: the fixed text of the version (``templates/reports/<version>/wording.json``);
- ``content``: what a report says, built once as a list of blocks (:func:`scaffold_blocks`) from
  that wording and the info;
- ``pdf``: the blocks through Jinja2 + WeasyPrint (``templates/reports/<version>/``, the
  version the report record stores, ``app.documents.registry``);
- ``docx``: the blocks as WordprocessingML (``app.documents.wordml``, the letters' page and fonts),

so both files carry the same sections and the same data.

No ID numbers are ever printed: :class:`ReportSubject` has no ID field, the legal representative is
a name only, and any text that looks like a 居民身份证号码 is refused (subject and project fields)
or masked (lines of the public credit information).

This module is the package's public interface: callers import from ``app.documents.reports``.
"""

from app.documents.reports.content import scaffold_blocks
from app.documents.reports.docx import scaffold_docx
from app.documents.reports.model import (
    DECISION,
    DECISION_RECOMMENDATIONS,
    KINDS,
    NUMBER_TYPE,
    RATING,
    REQUIRED_SECTIONS,
    TITLE_SUFFIX,
    ReportSubject,
    ScaffoldInfo,
    default_valid_until,
)
from app.documents.reports.pdf import scaffold_pdf

__all__ = [
    "DECISION",
    "DECISION_RECOMMENDATIONS",
    "KINDS",
    "NUMBER_TYPE",
    "RATING",
    "REQUIRED_SECTIONS",
    "TITLE_SUFFIX",
    "ReportSubject",
    "ScaffoldInfo",
    "default_valid_until",
    "scaffold_blocks",
    "scaffold_docx",
    "scaffold_pdf",
]
