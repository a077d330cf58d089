"""A demo RFC 3161 time-stamping responder (演示时间戳服务) over the demo PKI's TSA certificate.

For an instance that wants PAdES B-T/B-LT without an external TSA, and for the tests, which reach
it over real HTTP exactly as :class:`pyhanko.sign.timestamps.HTTPTimeStamper` reaches a CA's TSA.
The tokens are made by pyHanko's :class:`~pyhanko.sign.timestamps.dummy_client.DummyTimeStamper`
and signed with the ``tsa.p12`` key of :mod:`app.stamping.pki` (certificate with the critical
extendedKeyUsage timeStamping). Its time is whatever the clock passed in says: a demo TSA proves
nothing a real, independently operated TSA would; do not use it for real documents.

Protocol (RFC 3161 §3.4): ``POST`` with ``Content-Type: application/timestamp-query`` and a DER
``TimeStampReq``; the answer is ``application/timestamp-reply`` with a DER ``TimeStampResp``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from app.stamping.pki import TSA_P12_FILE
from app.stamping.types import SigningError

__all__ = ["TimestampResponder", "load_demo_tsa"]

_MAX_REQUEST_BYTES = 16384
"""A TimeStampReq is a few hundred bytes; anything much larger is not one."""


class TimestampResponder:
    """WSGI application answering RFC 3161 requests (any path) with tokens of ``stamper``."""

    def __init__(self, stamper: DummyTimeStamper) -> None:
        self._stamper = stamper

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", b"", "text/plain")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= _MAX_REQUEST_BYTES:
            return _answer(start_response, "400 Bad Request", b"", "text/plain")
        body = environ["wsgi.input"].read(length)
        try:
            request = tsp.TimeStampReq.load(body)
            request.native  # noqa: B018 - parse fully now: a malformed request fails here
        except ValueError:
            return _answer(start_response, "400 Bad Request", b"", "text/plain")
        response = self._stamper.request_tsa_response(request)
        return _answer(start_response, "200 OK", response.dump(), "application/timestamp-reply")


class _ClockedStamper(DummyTimeStamper):
    """DummyTimeStamper whose ``genTime`` comes from a clock instead of the wall clock."""

    def __init__(self, *args, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        self.fixed_dt = self._clock()
        return super().request_tsa_response(req)


def load_demo_tsa(
    pki_dir: Path, passphrase: bytes, *, clock: Callable[[], datetime] | None = None
) -> TimestampResponder:
    """The demo TSA of ``pki_dir`` (``tsa.p12``, written by :func:`app.stamping.pki.ensure_demo_pki`).

    :param passphrase: the demo PKI's passphrase (``platform.pass``).
    :param clock: the responder's time; ``None`` is the wall clock.
    :raises SigningError: the set has no TSA certificate (made before there was one) or cannot be read.
    """
    try:
        data = (Path(pki_dir) / TSA_P12_FILE).read_bytes()
    except OSError as exc:
        raise SigningError(f"演示证书目录中没有时间戳服务证书（{TSA_P12_FILE}）："
                           f"{exc.strerror or exc}") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningError("无法打开时间戳服务证书文件：口令错误或文件已损坏") from exc
    if key is None or cert is None:
        raise SigningError("时间戳服务证书文件中缺少私钥或证书")
    tsa_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    der = serialization.Encoding.DER
    stamper = _ClockedStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=tsa_key,
        certs_to_embed=[asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain],
        clock=clock or (lambda: datetime.now(UTC)),
    )
    return TimestampResponder(stamper)


def _answer(start_response: Callable, status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def main(argv: list[str] | None = None) -> None:
    """``python -m app.stamping.tsa [PKI_DIR] [HOST:PORT]``: serve the demo TSA (default
    ``instance/pki`` on ``127.0.0.1:8899``); point ``LYXY_SIGNING_TSA_URL`` at ``http://HOST:PORT/tsa``.
    The standard library's WSGI server: stamping stays free of the web stack."""
    import sys
    from wsgiref.simple_server import make_server

    from app.stamping.pki import read_demo_passphrase

    args = sys.argv[1:] if argv is None else argv
    pki_dir = Path(args[0] if args else "instance/pki")
    host, _, port = (args[1] if len(args) > 1 else "127.0.0.1:8899").rpartition(":")
    responder = load_demo_tsa(pki_dir, read_demo_passphrase(pki_dir))
    with make_server(host or "127.0.0.1", int(port), responder) as server:
        print(f"演示时间戳服务：http://{host or '127.0.0.1'}:{server.server_port}/tsa")
        server.serve_forever()


if __name__ == "__main__":
    main()
