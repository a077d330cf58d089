"""Personal data at rest (居民身份证号 etc.): AES-256-GCM encryption and keyed lookup hashes.

Domain rules §7.3 (PIPL Art. 51): ID numbers are encrypted at rest and matched through a keyed
hash, so an exact-match lookup never needs to decrypt. Nothing here logs, and no error message
carries plaintext, tokens or key material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
"""AES-256 key length."""
NONCE_BYTES = 12
"""96-bit GCM nonce, random per encryption."""
TAG_BYTES = 16
VERSION = 1
"""First byte of every token; a new format or key scheme gets a new number."""
ASSOCIATED_DATA = b"lyxy-pii-v1"
_LOOKUP_INFO = b"lyxy-pii-v1 lookup-hash"


class PiiError(Exception):
    """A token that cannot be decrypted (个人信息解密失败): tampered, truncated, wrong key, bad version."""


class PiiCipher:
    """Encrypts personal data for storage and computes lookup hashes (个人信息加密).

    Tokens are ``base64(version byte || nonce || ciphertext || tag)`` with associated data
    ``b"lyxy-pii-v1"``. ``lookup_hash`` uses an HMAC-SHA256 subkey derived with HKDF, so the hash
    reveals nothing about the encryption key. Callers normalise text (e.g. upper-case the final
    ``X`` of an ID number) before calling ``lookup_hash``: matching is byte-exact.
    """

    __slots__ = ("_aead", "_lookup_key")

    def __init__(self, key: bytes) -> None:
        """:raises ValueError: when ``key`` is not exactly 32 bytes."""
        if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
            length = len(key) if isinstance(key, bytes | bytearray) else type(key).__name__
            raise ValueError(f"个人信息加密密钥必须为 32 字节（当前 {length}） / "
                             f"the PII key must be exactly 32 bytes (got {length})")
        key = bytes(key)
        self._aead = AESGCM(key)
        self._lookup_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                info=_LOOKUP_INFO).derive(key)

    def __repr__(self) -> str:
        return "PiiCipher(<key hidden>)"

    @classmethod
    def from_config_value(cls, value: str) -> PiiCipher:
        """Build from a base64 key (standard or URL-safe alphabet), e.g. the ``PII_KEY`` setting.

        :raises ValueError: when the value is empty, not base64, or does not decode to 32 bytes.
        """
        if not isinstance(value, str) or not value.strip():
            raise ValueError("未配置个人信息加密密钥 / the PII key is not set "
                             "(use PiiCipher.generate_key() to make one)")
        text = value.strip().replace("-", "+").replace("_", "/")
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("个人信息加密密钥不是有效的 base64 / the PII key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ValueError(f"个人信息加密密钥必须为 32 字节，解码后为 {len(key)} 字节 / "
                             f"the PII key must decode to 32 bytes, got {len(key)}")
        return cls(key)

    @staticmethod
    def generate_key() -> str:
        """A fresh random key, base64-encoded, for configuration."""
        return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")

    def encrypt(self, text: str) -> str:
        """Encrypt ``text`` (UTF-8) with a random nonce; the same text gives a different token each time."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), ASSOCIATED_DATA)
        return base64.b64encode(bytes([VERSION]) + nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text inside ``token``.

        :raises PiiError: when the token is malformed, of an unknown version, tampered with, or was
            made with another key.
        """
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise PiiError("密文格式无效 / malformed PII token") from None
        if len(raw) < 1 + NONCE_BYTES + TAG_BYTES:
            raise PiiError("密文过短 / PII token too short")
        if raw[0] != VERSION:
            raise PiiError(f"未知的密文版本 {raw[0]} / unknown PII token version {raw[0]}")
        nonce, sealed = raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, sealed, ASSOCIATED_DATA)
        except InvalidTag:
            raise PiiError("解密失败：密文被篡改或密钥不符 / PII token tampered with or wrong key") from None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise PiiError("解密结果不是 UTF-8 文本 / decrypted PII is not UTF-8") from None

    def lookup_hash(self, text: str) -> str:
        """HMAC-SHA256 of ``text`` (UTF-8) under the derived lookup key, as 64 hex digits.

        Deterministic for one key, unrelated across keys: store it in an indexed column for exact-match
        searches (e.g. "has this ID number signed before?") without decrypting.
        """
        return hmac.new(self._lookup_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
