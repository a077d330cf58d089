"""/V/<number> (and /v/<number>): the short address in the margin line's QR code (issue 13 §2)."""

from __future__ import annotations

import re

import pytest

from app.domain.numbers import DocumentType, format_document_number
from app.domain.urls import short_verify_url
from tests.conftest import PERSON_LETTER


def test_short_urls_are_upper_case_with_the_path_prefix_kept():
    number = "LYXY-CN-2026-000012X"
    assert short_verify_url("http://127.0.0.1:8000/", number) == f"HTTP://127.0.0.1:8000/V/{number}"
    assert short_verify_url("https://xy.Example.org/lyxy/Pub/", number) == \
        f"HTTPS://XY.EXAMPLE.ORG/lyxy/Pub/V/{number}"
    with pytest.raises(ValueError):
        short_verify_url("xy.example.org", number)


def _page(resp) -> str:
    """The page without its CSRF token (it carries the time of the request)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", resp.get_data(as_text=True))


@pytest.mark.parametrize("prefix", ["/V/", "/v/"])
def test_the_short_address_redirects_to_the_public_page_without_the_code(client, commitments, prefix):
    body = commitments.create(**PERSON_LETTER).get_json()
    number, code = body["number"], body["verification_code"]
    for query in ("", f"?c={code}"):  # a code given to the short address is dropped
        resp = client.get(f"{prefix}{number.lower()}{query}")
        assert resp.status_code == 302
        assert resp.headers["Location"] == f"/verify/{number}"
    page = _page(client.get(f"{prefix}{number}?c={code}", follow_redirects=True))
    assert page == _page(client.get(f"/verify/{number}"))
    assert page != _page(client.get(f"/verify/{number}?c={code}"))
    assert "211382199003071237" not in page and "张**" in page


def test_an_unknown_number_is_404_in_chinese_like_the_verify_page(client):
    unknown = format_document_number(DocumentType.CN, 2026, 999_999)
    for prefix in ("/V/", "/v/"):
        resp = client.get(f"{prefix}{unknown}")
        assert resp.status_code == 404
        assert f"未找到编号为“{unknown}”的文书" in resp.get_data(as_text=True)
    bad = client.get("/V/LYXY-CN-2026-000001")  # no check character
    assert bad.status_code == 400 and "编号" in bad.get_data(as_text=True)


def test_the_short_address_shares_the_lookup_quota(app_factory):
    unknown = format_document_number(DocumentType.CN, 2026, 999_999)
    client = app_factory(LOOKUP_RATE_LIMIT="3 per minute").test_client()
    statuses = [client.get(f"/{p}/{unknown}").status_code for p in ("V", "v", "verify", "V")]
    assert statuses == [404, 404, 404, 429]
    assert client.get(f"/api/v1/documents/{unknown}").status_code == 429


def test_a_stamped_margin_line_scans_to_the_short_address(app, clerk, client, commitments, tmp_path):
    """The stamping operation margin_line on an issued letter: from a 150 dpi grey raster of the
    whole first page, zbar and zxing read the short address, which leads to the public page."""
    import subprocess

    import zxingcpp
    from PIL import Image
    from pyzbar import pyzbar

    number = commitments.create().get_json()["number"]
    job_url = clerk.post("/staff/stamp", data={"document_number": number}).headers["Location"]
    resp = clerk.post(job_url, data={"margin_line": "1"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    (tmp_path / "r.pdf").write_bytes(clerk.get(job_url + "/result.pdf").data)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "r.pdf"), str(tmp_path / "scan")], check=True)
    image = Image.open(tmp_path / "scan.png").convert("L")
    url = short_verify_url(app.config["PUBLIC_BASE_URL"], number)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
    assert [s.data.decode() for s in pyzbar.decode(image) if s.type == "QRCODE"] == [url]
    path = url.split("://", 1)[1].partition("/")[2]
    assert client.get("/" + path).headers["Location"] == f"/verify/{number}"
