"""PiiCipher: AES-256-GCM tokens for ID numbers at rest, and keyed lookup hashes."""

from __future__ import annotations

import base64
import logging

import pytest

from app.archive.pii import ASSOCIATED_DATA, PiiCipher, PiiError

ID_NUMBER = "211382199003071237"
KEY = bytes(range(32))


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher(KEY)


@pytest.mark.parametrize("text", [ID_NUMBER, "21138219900307123X", "", "张三丰 · 凌源市", "x" * 10_000])
def test_round_trip(cipher: PiiCipher, text: str) -> None:
    token = cipher.encrypt(text)
    assert text.encode() not in base64.b64decode(token) or text == ""
    assert cipher.decrypt(token) == text


def test_token_layout(cipher: PiiCipher) -> None:
    raw = base64.b64decode(cipher.encrypt(ID_NUMBER), validate=True)
    assert raw[0] == 1
    assert len(raw) == 1 + 12 + len(ID_NUMBER) + 16  # version, nonce, ciphertext, GCM tag


def test_token_can_be_opened_with_plain_aesgcm(cipher: PiiCipher) -> None:
    """The format is what the docstring says, so another tool with the key can read it."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(cipher.encrypt(ID_NUMBER))
    assert AESGCM(KEY).decrypt(raw[1:13], raw[13:], ASSOCIATED_DATA).decode() == ID_NUMBER
    assert ASSOCIATED_DATA == b"lyxy-pii-v1"


def test_random_nonce_gives_different_tokens(cipher: PiiCipher) -> None:
    tokens = {cipher.encrypt(ID_NUMBER) for _ in range(20)}
    assert len(tokens) == 20
    nonces = {base64.b64decode(t)[1:13] for t in tokens}
    assert len(nonces) == 20


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_tampered_token_is_refused(cipher: PiiCipher, position: int) -> None:
    raw = bytearray(base64.b64decode(cipher.encrypt(ID_NUMBER)))
    raw[position] ^= 0x01
    with pytest.raises(PiiError):
        cipher.decrypt(base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("token", [
    "", "not base64!", "AAAA", base64.b64encode(b"\x01" + b"\x00" * 20).decode(),
    base64.b64encode(b"\x02" + b"\x00" * 40).decode(),
])
def test_malformed_token_is_refused(cipher: PiiCipher, token: str) -> None:
    with pytest.raises(PiiError):
        cipher.decrypt(token)


def test_truncated_token_is_refused(cipher: PiiCipher) -> None:
    raw = base64.b64decode(cipher.encrypt(ID_NUMBER))
    with pytest.raises(PiiError):
        cipher.decrypt(base64.b64encode(raw[:-1]).decode())


def test_wrong_key_is_refused(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER)
    other = PiiCipher(bytes(reversed(KEY)))
    with pytest.raises(PiiError) as info:
        other.decrypt(token)
    assert ID_NUMBER not in str(info.value)
    assert token not in str(info.value)


def test_lookup_hash(cipher: PiiCipher) -> None:
    first = cipher.lookup_hash(ID_NUMBER)
    assert first == PiiCipher(KEY).lookup_hash(ID_NUMBER)  # deterministic for one key
    assert len(first) == 64
    assert all(c in "0123456789abcdef" for c in first)
    assert first != cipher.lookup_hash("211382199003071238")
    assert first != PiiCipher(bytes(reversed(KEY))).lookup_hash(ID_NUMBER)  # differs across keys
    assert ID_NUMBER not in first


def test_lookup_hash_does_not_use_the_encryption_key_directly(cipher: PiiCipher) -> None:
    import hashlib
    import hmac

    assert cipher.lookup_hash(ID_NUMBER) != hmac.new(KEY, ID_NUMBER.encode(), hashlib.sha256).hexdigest()


def test_generate_key_and_config_value() -> None:
    value = PiiCipher.generate_key()
    assert len(base64.b64decode(value, validate=True)) == 32
    assert value != PiiCipher.generate_key()
    cipher = PiiCipher.from_config_value(value)
    assert cipher.decrypt(cipher.encrypt(ID_NUMBER)) == ID_NUMBER
    assert PiiCipher.from_config_value(f"  {value}\n").lookup_hash("x") == cipher.lookup_hash("x")
    urlsafe = base64.urlsafe_b64encode(KEY).decode()
    assert PiiCipher.from_config_value(urlsafe).lookup_hash("x") == PiiCipher(KEY).lookup_hash("x")


@pytest.mark.parametrize(("value", "message"), [
    (base64.b64encode(b"k" * 16).decode(), "必须为 32 字节.*must decode to 32 bytes, got 16"),
    (base64.b64encode(b"k" * 33).decode(), "got 33"),
    ("", "PII key is not set"),
    ("   ", "PII key is not set"),
    ("not*base64", "not valid base64"),
])
def test_config_value_validation(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PiiCipher.from_config_value(value)


@pytest.mark.parametrize("key", [b"", b"k" * 31, b"k" * 33, "k" * 32])
def test_raw_key_must_be_32_bytes(key: object) -> None:
    with pytest.raises(ValueError, match="32"):
        PiiCipher(key)  # type: ignore[arg-type]


def test_nothing_secret_in_repr_or_logs(cipher: PiiCipher, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = cipher.encrypt(ID_NUMBER)
    cipher.decrypt(token)
    cipher.lookup_hash(ID_NUMBER)
    with pytest.raises(PiiError):
        cipher.decrypt(token[:-4])
    assert caplog.records == []
    assert "key hidden" in repr(cipher)
    assert KEY.hex() not in repr(cipher)
