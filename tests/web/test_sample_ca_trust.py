"""The signed samples verify on an instance that loaded them (issue 13 §2, trial item 3): ``flask
load-samples`` installs samples/sample-ca.pem as the demo CA of the verify page, labelled
示例签章证书（仅供演示）; an instance that never loaded the samples (production) trusts only its
own roots, and the same file's signer stays 未知签名者. The sample CA's key is public: it vouches
only for the files the instance loaded, never for another file signed with it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.services.samples import SAMPLE_TRUST_DIR

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MANIFEST = json.loads((SAMPLES / "issued.json").read_text(encoding="utf-8"))
SIGNED = sorted(name for name, entry in MANIFEST.items() if entry.get("signed"))
SIGNER = "凌源市信用文书服务平台（演示）"
LABEL = "示例签章证书（仅供演示）"


def _post(client, name: str, path: str = "/api/v1/verify", pdf: bytes | None = None):
    """POST the sample (or ``pdf``) as the form field ``file``; the multipart body is built here
    in memory (the test client would spool a large one to a temporary file it never closes)."""
    pdf = (SAMPLES / f"{name}.pdf").read_bytes() if pdf is None else pdf
    boundary = "----sample-boundary-7f3a"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}.pdf"'
            '\r\nContent-Type: application/pdf\r\n\r\n').encode() + pdf + \
        f"\r\n--{boundary}--\r\n".encode()
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _load(runner) -> str:
    for command in (["load-demo"], ["load-samples"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return result.output


def test_there_are_signed_samples() -> None:
    assert "stamped-letter" in SIGNED
    assert (SAMPLES / "sample-ca.pem").is_file()


@pytest.mark.parametrize("name", SIGNED)
def test_a_signed_sample_verifies_where_the_samples_were_loaded(app, runner, client, name) -> None:
    output = _load(runner)
    assert "示例签章证书" in output
    assert (Path(app.instance_path) / SAMPLE_TRUST_DIR / "sample-ca.pem").read_bytes() == \
        (SAMPLES / "sample-ca.pem").read_bytes()
    verdict = _post(client, name).get_json()
    assert verdict["signatures"], verdict
    for signature in verdict["signatures"]:
        assert signature["signer"] == SIGNER
        assert signature["status"] == "intact" and signature["trusted"] is True
        assert signature["sample_ca"] is True
        assert signature["summary"].startswith("签名有效") and LABEL in signature["summary"]
    entry = MANIFEST[name]
    url = entry.get("verify_url") or entry["context"]["verify_url"]
    number = urlsplit(url).path.rsplit("/", 1)[1]
    html = _post(client, name, f"/verify/{number}").get_data(as_text=True)
    assert SIGNER in html and LABEL in html
    assert "签名有效" in html and "未知签名者" not in html


@pytest.mark.parametrize("name", SIGNED)
def test_without_the_samples_the_signer_stays_unknown(app, client, name) -> None:
    verdict = _post(client, name).get_json()
    assert not (Path(app.instance_path) / SAMPLE_TRUST_DIR).exists()
    assert verdict["signatures"], verdict
    for signature in verdict["signatures"]:
        assert signature["status"] == "unknown_signer" and signature["trusted"] is False
        assert signature["sample_ca"] is False
        assert "未知签名者" in signature["summary"] and LABEL not in signature["summary"]


def test_the_demo_label_never_goes_to_the_instances_own_signatures(app, runner, client) -> None:
    """With the samples loaded, a file the instance signs itself is valid under its own root,
    without the demo label."""
    from app.services.verification import _with_sample_ca
    from app.stamping.validation import SignatureReport

    own = SignatureReport(field_name="Platform-1", signer=SIGNER, signing_time=None,
                          status="intact", intact=True, valid=True, trusted=True,
                          covers_whole_document=True, modification_level="none", docmdp_ok=None,
                          timestamped=False, summary_zh="签名有效，文件自签名后未被修改")
    assert _with_sample_ca([own], [own]) == [own]


def test_another_file_signed_with_the_sample_key_stays_unknown(app, runner, client, tmp_path) -> None:
    """Anyone can sign with the sample PKI (its seed is published): a file that is not one of the
    loaded samples gets no credit from the sample CA, even where the samples were loaded."""
    from datetime import date

    from app.samples import sample_signer

    _load(runner)
    forged = sample_signer(tmp_path / "pki", date(2026, 11, 29)).sign(
        (SAMPLES / "v1-commitment-project_approval-unit.pdf").read_bytes(), reason="伪造",
        location="", field_name=None)
    verdict = client.post("/api/v1/verify", data={"file": (io.BytesIO(forged), "x.pdf")}).get_json()
    assert verdict["match"] not in ("issued", "stamped", "public_copy", "filed")
    assert verdict["signatures"]
    for signature in verdict["signatures"]:
        assert signature["signer"] == SIGNER
        assert signature["status"] == "unknown_signer" and signature["sample_ca"] is False
        assert LABEL not in signature["summary"]


EXTRA_SIGNED = ("public-copy-watermarked", "stamped-cross-page-12")
"""Signed samples that are no record of the instance: they verify as samples (match ``sample``)."""


@pytest.mark.parametrize("name", EXTRA_SIGNED)
def test_a_signed_sample_without_a_record_verifies_as_a_sample(app, runner, client, name) -> None:
    """Trial: these two answered 文件已被修改 / 未知签名者 on a fresh instance with the samples."""
    _load(runner)
    verdict = _post(client, name).get_json()
    assert verdict["match"] == "sample", verdict
    assert verdict["message"] == "这是本平台的示例文件（仅供演示），与发布时完全一致"
    assert verdict["signatures"], verdict
    for signature in verdict["signatures"]:
        assert signature["status"] == "intact" and signature["trusted"] is True
        assert signature["sample_ca"] is True and LABEL in signature["summary"]
    html = _post(client, name, "/verify/LYXY-CN-2026-000006B").get_data(as_text=True)
    assert "这是本平台的示例文件（仅供演示），与发布时完全一致" in html
    assert LABEL in html and "未知签名者" not in html and "文件已被修改" not in html


@pytest.mark.parametrize("name", EXTRA_SIGNED)
def test_an_altered_byte_of_a_sample_is_not_a_sample(app, runner, client, name) -> None:
    _load(runner)
    pdf = bytearray((SAMPLES / f"{name}.pdf").read_bytes())
    at = pdf.index(b"/Producer") if b"/Producer" in pdf else len(pdf) // 2
    pdf[at + 1] ^= 0x01  # one byte inside the file
    verdict = _post(client, name, pdf=bytes(pdf)).get_json()
    assert verdict.get("match") != "sample", verdict
    for signature in verdict.get("signatures", []):
        assert signature["sample_ca"] is False and signature["trusted"] is False


@pytest.mark.parametrize("name", EXTRA_SIGNED)
def test_without_the_samples_a_sample_file_is_no_sample(app, client, name) -> None:
    verdict = _post(client, name).get_json()
    assert verdict["match"] != "sample"
    for signature in verdict["signatures"]:
        assert signature["status"] == "unknown_signer" and signature["sample_ca"] is False
