"""Accounts and API keys: password hashing (argon2), login checks, keys shown once and stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.errors import FieldError
from app.domain.roles import ROLE_LABELS, Role
from app.models import Agency, ApiKey, ReceivingUnit, User
from app.services.audit import AuditTrail

ROLES = {role.value: label for role, label in ROLE_LABELS.items()}
MIN_PASSWORD_LEN = 10
_hasher = PasswordHasher()
# Verified against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LEN:
        raise FieldError("password", f"密码至少需要{MIN_PASSWORD_LEN}个字符")
    return _hasher.hash(password)


def _password_ok(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether the user exists)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        _password_ok(_DUMMY_HASH, password)
        return None
    if not _password_ok(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = datetime.now(UTC)
    return user


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie issued to ``user`` so far (logout, password change,
    deactivation): the version they carry no longer matches."""
    session.execute(update(User).where(User.id == user.id)
                    .values(session_version=User.session_version + 1))
    session.refresh(user)


def _owner(session: Session, name: str) -> tuple[ReceivingUnit | None, Agency | None]:
    unit = session.scalar(select(ReceivingUnit).where(ReceivingUnit.name == name))
    agency = None if unit else session.scalar(select(Agency).where(Agency.name == name))
    if unit is None and agency is None:
        raise FieldError("owner", f"未找到名为“{name}”的单位或信用服务机构")
    return unit, agency


def create_user(session: Session, *, username: str, password: str, role: str,
                display_name: str, owner: str | None = None,
                trail: AuditTrail | None = None) -> User:
    """A new account; unit clerks belong to a unit, agency users to an agency.

    :param trail: who creates it, for the audit log; None only where accounts are set up
        rather than acted on (test fixtures).
    """
    if role not in ROLES:
        raise FieldError("role", f"角色应为以下之一：{'、'.join(ROLES)}")
    if session.scalar(select(User.id).where(User.username == username)):
        raise FieldError("username", f"用户名“{username}”已存在")
    unit = agency = None
    if role in (Role.UNIT_CLERK, Role.AGENCY_USER):
        if not owner:
            raise FieldError("owner", "经办人须指定所属单位，机构用户须指定所属机构")
        unit, agency = _owner(session, owner)
        if (role == Role.UNIT_CLERK) != (unit is not None):
            raise FieldError("owner", "角色与所属单位/机构不匹配")
        if agency is not None and agency.status != "published":
            # policy 八(二): only agencies the office published get an account ("上传端口")
            raise FieldError("owner", f"信用服务机构“{owner}”当前不是公示中状态，不能开设账号")
    user = User(username=username, display_name=display_name, role=role,
                password_hash=hash_password(password), unit_id=unit.id if unit else None,
                agency_id=agency.id if agency else None)
    session.add(user)
    session.flush()
    if trail is not None:
        trail.record(session, "create_user", "user", user.username, role=role)
    return user


@dataclass(frozen=True)
class NewApiKey:
    record: ApiKey
    plaintext: str
    """Shown once to the caller, never stored."""


def _key_hash(secret_key: bytes, plaintext: str) -> str:
    return hmac.new(secret_key, plaintext.encode(), hashlib.sha256).hexdigest()


def create_api_key(session: Session, owner: str, secret_key: bytes, name: str = "", *,
                   trail: AuditTrail) -> NewApiKey:
    """A key for a unit or an agency: ``lyxy_<prefix>_<secret>``; only its HMAC is stored."""
    unit, agency = _owner(session, owner)
    if agency is not None and agency.status != "published":
        raise FieldError("owner", f"信用服务机构“{owner}”当前不是公示中状态，不能发放接口密钥")
    prefix = secrets.token_hex(6)
    plaintext = f"lyxy_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(prefix=prefix, key_hash=_key_hash(secret_key, plaintext),
                    name=name or owner, unit_id=unit.id if unit else None,
                    agency_id=agency.id if agency else None)
    session.add(record)
    session.flush()
    trail.record(session, "create_api_key", "api_key", prefix, owner=owner)
    return NewApiKey(record=record, plaintext=plaintext)


def find_api_key(session: Session, plaintext: str, secret_key: bytes) -> ApiKey | None:
    """The live key record for ``plaintext`` (recording its use), or None."""
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "lyxy":
        return None
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if record is None or record.revoked_at is not None:
        return None
    if not hmac.compare_digest(record.key_hash, _key_hash(secret_key, plaintext.strip())):
        return None
    record.last_used_at = datetime.now(UTC)
    return record


def revoke_api_key(session: Session, prefix: str, *, trail: AuditTrail) -> ApiKey:
    """Revoke the key with ``prefix`` (again: no change), audited."""
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if record is None:
        raise FieldError("prefix", f"未找到接口密钥“{prefix}”")
    record.revoked_at = record.revoked_at or datetime.now(UTC)
    trail.record(session, "revoke_api_key", "api_key", prefix)
    return record
