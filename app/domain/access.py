"""Who may read an issued letter (谁可以查阅已出具的承诺书): the one rule every route asks.

Issue 10 §1: an issued 信用承诺书 carries the subject's full name and 身份证号码 / 统一社会信用代码.
It is readable by

(a) whoever holds its 验证码 (the applicant, anyone who scans the QR code printed on it),
(b) the receiving unit (接受承诺单位) it is addressed to, and
(c) the credit office (发改局信用办: the office_admin and office_reviewer roles),

and by no one else, by any route (web pages, API, previews, stamp jobs, filings). A unit's clerk
of 发改局 is a receiving unit like any other: only the office roles read every letter.

Pure: no Flask, no database. The service layer turns "no" into ``DocumentNotFound``, the web
layer into 404 (never 403), so a refusal does not confirm that the number exists.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import Enum

from app.domain.report_kinds import ReportKind
from app.domain.roles import OFFICE_ROLES, Role


class AccessGround(Enum):
    """Why a reader may read a letter (查阅依据); recorded in the audit log."""

    CODE = "verification_code"
    """(a) holds the 验证码."""
    ADDRESSEE = "addressee"
    """(b) the receiving unit the letter is addressed to."""
    OFFICE = "office"
    """(c) the credit office."""
    ISSUER = "issuer"
    """A 信用核查结果告知书's issuing unit (``certificate_access``)."""


@dataclass(frozen=True)
class Reader:
    """Who asks to read a letter (查阅人)."""

    office: bool = False
    """True for the credit office's staff (``OFFICE_ROLES``)."""
    unit_name: str | None = None
    """The receiving unit the reader acts for (a unit clerk's unit, a unit's API key), by its
    registered name; None for the public, agencies and the office."""

    @classmethod
    def for_role(cls, role: str | None, unit_name: str | None) -> Reader:
        """A signed-in account: ``role`` as stored on the user, ``unit_name`` its unit's name.

        Only ``unit_clerk`` accounts act for a unit, whatever else is set on the account.
        """
        if role in OFFICE_ROLES:
            return cls(office=True)
        return cls(unit_name=unit_name if role == Role.UNIT_CLERK else None)


ANONYMOUS = Reader()
"""The public: reads a letter only with its verification code."""


@dataclass(frozen=True)
class Letter:
    """What the rule needs to know of an issued letter."""

    addressee: str
    """接受承诺单位 as printed on the letter (``IssuedDocument.receiving_unit``)."""
    verification_code: str
    """The letter's 验证码 (8 upper-case base32 characters)."""


def normalise_code(code: str | None) -> str:
    """A typed or scanned 验证码: surrounding blanks dropped, upper case (codes are base32)."""
    return (code or "").strip().upper()


def letter_access(reader: Reader, letter: Letter, code: str | None = None) -> AccessGround | None:
    """The ground on which ``reader`` may read ``letter``, or None when they may not.

    :param reader: who asks (``ANONYMOUS`` for the public).
    :param letter: the letter's addressee and verification code.
    :param code: the 验证码 the reader presents, if any (compared in constant time).
    :returns: ``AccessGround.CODE`` when the code matches, else ``OFFICE`` for the credit
        office, ``ADDRESSEE`` for the addressed unit, else None.
    """
    presented = normalise_code(code)
    if presented and hmac.compare_digest(presented.encode(),
                                         normalise_code(letter.verification_code).encode()):
        return AccessGround.CODE
    if reader.office:
        return AccessGround.OFFICE
    if reader.unit_name is not None and reader.unit_name.strip() \
            and reader.unit_name == letter.addressee:
        return AccessGround.ADDRESSEE
    return None


@dataclass(frozen=True)
class Certificate:
    """What the rule needs to know of an issued 信用核查结果告知书."""

    issuer: str
    """The issuing unit's registered name."""
    addressee: str
    """主送: the requesting department's registered name (issue 14 §2)."""
    verification_code: str


def certificate_access(reader: Reader, cert: Certificate,
                       code: str | None = None) -> AccessGround | None:
    """The ground on which ``reader`` may read a certificate's content (subject, purpose,
    conclusion), or None: then only that its number exists and whether it is valid.

    Issue 14 §2 (policy 二: the check serves the department that asks): the content is for the
    requesting department (主送), the unit that issued it, the credit office and whoever holds
    its 验证码 (the paper, its QR code); a second unit's clerk is the public.
    """
    presented = normalise_code(code)
    if presented and hmac.compare_digest(presented.encode(),
                                         normalise_code(cert.verification_code).encode()):
        return AccessGround.CODE
    if reader.office:
        return AccessGround.OFFICE
    unit = (reader.unit_name or "").strip()
    if unit and unit == cert.addressee:
        return AccessGround.ADDRESSEE
    if unit and unit == cert.issuer:
        return AccessGround.ISSUER
    return None


# --------------------------------------------------------------------------------------------
# Staff records: filings, 信用核查 certificates, agency reports
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A signed-in staff or agency account, as the rules below need it."""

    role: str
    """The stored role (``Role``)."""
    unit_id: int | None = None
    """The receiving unit a unit clerk acts for."""
    agency_id: int | None = None
    """The credit agency an agency user acts for."""

    @classmethod
    def of(cls, user: object) -> Account:
        """From any object with ``role``, ``unit_id`` and ``agency_id`` (the ``User`` row)."""
        return cls(role=getattr(user, "role", ""), unit_id=getattr(user, "unit_id", None),
                   agency_id=getattr(user, "agency_id", None))


def unit_scope(account: Account | None) -> int | None:
    """The unit whose seals, stamp jobs, filings and certificates a unit clerk is confined to;
    None (every unit) for the office. Routes let in only the roles they serve."""
    return account.unit_id if account is not None and account.role == Role.UNIT_CLERK else None


def may_see_unit_record(account: Account, record_unit_id: int | None,
                        addressee_unit_id: int | None = None) -> bool:
    """A filing or a 信用核查 certificate: a unit clerk sees its own unit's only (for a
    certificate also those addressed to it, ``addressee_unit_id``), the office every one (others
    never reach these routes)."""
    if account.role != Role.UNIT_CLERK:
        return True
    return account.unit_id is not None and account.unit_id in (record_unit_id, addressee_unit_id)


def may_see_id_numbers(account: Account) -> bool:
    """A natural person's ID number and full name in staff searches: the credit office only
    (as for 查看身份证号码), each such view logged; unit clerks see the masked forms."""
    return account.role in OFFICE_ROLES


def may_see_agency_report(account: Account, *, kind: str, agency_id: int,
                          requesting_unit_id: int | None) -> bool:
    """An agency report: the office sees all; an agency its own; a department the 信用报告 it
    commissioned (policy 四(二)/(三): for the commissioning department only), never a rating
    through this route."""
    if account.role in OFFICE_ROLES:
        return True
    if account.role == Role.AGENCY_USER:
        return agency_id == account.agency_id
    return (account.role == Role.UNIT_CLERK and kind == ReportKind.DECISION
            and account.unit_id is not None and requesting_unit_id == account.unit_id)
