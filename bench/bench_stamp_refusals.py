"""Hostile stamp uploads: prints how long ``POST /api/v1/stamp-jobs`` takes to answer each (median, ms).

Run with ``.venv/bin/python bench/bench_stamp_refusals.py``. Builds a throw-away app (temporary SQLite
database, archive and demo PKI), a demo seal and an API key, then sends each file through the Flask
test client with one seal operation, ``BENCH_N`` times (default 5) after one warm-up: the whole request
(multipart parsing, intake gate in its worker, and, for an accepted file, stamping and signing).
Also prints the status and error code of each answer, so the same script run on an older checkout
shows what it did with these files (stored and stamped them: 201).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import report  # noqa: E402

N = max(1, int(os.environ.get("BENCH_N", "5")))
MB = 1024 * 1024


def files() -> dict[str, bytes]:
    import zlib

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    def save(pdf: pikepdf.Pdf) -> bytes:
        buf = io.BytesIO()
        pdf.save(buf, stream_decode_level=pikepdf.StreamDecodeLevel.none)
        return buf.getvalue()

    def blank(pages: int = 1) -> pikepdf.Pdf:
        pdf = pikepdf.new()
        for _ in range(pages):
            pdf.add_blank_page(page_size=(595, 842))
        return pdf

    def zeros(megabytes: int) -> bytes:  # see tests/archive/test_intake.py zeros_flate
        import struct

        deflater = zlib.compressobj(9)
        first = deflater.compress(bytes(MB)) + deflater.flush(zlib.Z_FULL_FLUSH)
        middle = deflater.compress(bytes(MB)) + deflater.flush(zlib.Z_FULL_FLUSH)
        end = deflater.flush()[:-4]
        adler = ((megabytes * MB) % 65521) << 16 | 1
        return first + middle * (megabytes - 1) + end + struct.pack(">I", adler)

    def with_streams(*raw: bytes) -> bytes:
        pdf = blank()
        streams = []
        for data in raw:
            stream = pikepdf.Stream(pdf, b"")
            stream.write(data, filter=Name.FlateDecode)
            streams.append(pdf.make_indirect(stream))
        pdf.pages[0].obj.PieceInfo = Dictionary(Test=Dictionary(Private=Array(streams)))
        return save(pdf)

    js = blank()
    js.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('x')"))
    jbig2 = blank()
    image = pikepdf.Stream(jbig2, b"\x00" * 16)
    image.Type, image.Subtype, image.Width, image.Height = Name.XObject, Name.Image, 8, 8
    image.ColorSpace, image.BitsPerComponent, image.Filter = Name.DeviceGray, 1, Name.JBIG2Decode
    jbig2.pages[0].add_resource(jbig2.make_indirect(image), Name.XObject, prefix="Im")
    huge = blank()
    huge.pages[0].obj.MediaBox = Array([0, 0, 200_000, 200_000])
    return {
        "good: 1 blank page (accepted, stamped, signed)": save(blank()),
        "JavaScript /OpenAction": save(js),
        "decompression bomb (300 MiB in one stream)": with_streams(zeros(300)),
        "40 x 60 MiB streams": with_streams(*[zeros(60) for _ in range(40)]),
        "10,000 pages": save(blank(10_000)),
        "JBIG2 image": save(jbig2),
        "HTML/PDF polyglot": b"<html><script>alert(1)</script><!--\n" + save(blank()),
        "MediaBox 70 m x 70 m": save(huge),
    }


def main() -> None:
    from app import create_app
    from app.db import get_session
    from app.demo import load_demo
    from app.models import ReceivingUnit
    from app.services import seals as seal_svc

    tmp = Path(tempfile.mkdtemp(prefix="bench-stamp-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp / "instance"),
                      "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "ARCHIVE_DIR": str(tmp / "archive"),
                      "SECRET_KEY": "bench", "PKI_DIR": str(tmp / "pki"), "WTF_CSRF_ENABLED": False})
    from app.db import upgrade_database

    upgrade_database(app.config["DATABASE_URL"])
    with app.app_context():
        db = get_session()
        load_demo(db)
        unit = db.query(ReceivingUnit).filter_by(name="凌源市住房和城乡建设局").one()
        from app.extensions import services

        ctx = services(app)
        seal_id = seal_svc.add_generated_seal(db, ctx.archive, unit=unit, trail=ctx.trail("bench"),
                                              kind="公章", diameter_mm=42).id
        db.commit()
    key = app.test_cli_runner().invoke(args=["create-api-key", "凌源市住房和城乡建设局"]).output
    headers = {"Authorization": f"Bearer {key.strip().splitlines()[-1]}"}
    client = app.test_client()
    one_seal = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 100}]

    def post(data: bytes, ops: list[dict]) -> tuple[int, str]:
        resp = client.post("/api/v1/stamp-jobs", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "x.pdf"), "operations": json.dumps(ops)})
        body = resp.get_json(silent=True) or {}
        return resp.status_code, str(body.get("error", ""))

    def measure(name: str, data: bytes, ops: list[dict]) -> None:
        post(data, ops)  # warm-up (and the worker pool)
        samples, outcome = [], None
        for _ in range(N):
            started = time.perf_counter()
            outcome = post(data, ops)
            samples.append(time.perf_counter() - started)
        report(name, samples, extra=f"{len(data) / 1e6:6.2f} MB -> {outcome[0]} {outcome[1]}", width=48)

    for name, data in files().items():
        measure(name, data, one_seal)
    good = files()["good: 1 blank page (accepted, stamped, signed)"]
    measure("51 seal operations on 1 page", good, one_seal * 51)
    measure("50 seal operations on 1 page (the maximum)", good, one_seal * 50)


if __name__ == "__main__":
    main()
