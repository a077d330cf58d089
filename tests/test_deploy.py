"""deploy/: the nginx site and systemd unit an operator installs are generated from the code's one
source and accepted by the packaged nginx and systemd (issue 15 §4)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.front import find_nginx, render_site_conf

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "lyxy.conf"
UNIT = ROOT / "deploy" / "systemd" / "lyxy-web@.service"


def test_the_committed_site_is_what_the_code_generates():
    assert SITE.read_text(encoding="utf-8") == render_site_conf(), (
        "deploy/nginx/lyxy.conf is stale: .venv/bin/python -m app.front --site > deploy/nginx/lyxy.conf")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xy.lingyuan.gov.cn")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _nginx_test(tmp_path: Path, site_text: str) -> subprocess.CompletedProcess[str]:
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make setup installs it)")
    cert, key = _self_signed(tmp_path)
    site = tmp_path / "site.conf"
    site.write_text(site_text.replace("/etc/ssl/lyxy/fullchain.pem", str(cert))
                    .replace("/etc/ssl/lyxy/privkey.pem", str(key)), encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(f'pid "{tmp_path}/nginx.pid";\nerror_log "{tmp_path}/error.log";\n'
                    f"events {{}}\nhttp {{\n  access_log off;\n"
                    f'  client_body_temp_path "{tmp_path}/body";\n  include "{site}";\n}}\n')
    return subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
                          capture_output=True, text=True, timeout=60)


def test_the_packaged_nginx_accepts_the_site(tmp_path):
    result = _nginx_test(tmp_path, SITE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_nginx_check_would_catch_a_broken_site(tmp_path):
    result = _nginx_test(tmp_path, SITE.read_text(encoding="utf-8").replace(
        "client_max_body_size", "client_max_body_sizes"))
    assert result.returncode != 0 and "client_max_body_sizes" in result.stderr


def _systemd_verify(tmp_path: Path, unit_text: str) -> subprocess.CompletedProcess[str]:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / UNIT.name
    # The unit as installed under /opt/lyxy: here the checkout and its virtualenv stand in.
    unit.write_text(unit_text.replace("/opt/lyxy", str(ROOT)), encoding="utf-8")
    return subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)


def test_systemd_accepts_the_web_unit(tmp_path):
    result = _systemd_verify(tmp_path, UNIT.read_text(encoding="utf-8"))
    problems = [line for line in result.stderr.splitlines() if "lyxy-web" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_the_systemd_check_would_catch_a_broken_unit(tmp_path):
    result = _systemd_verify(tmp_path, UNIT.read_text(encoding="utf-8").replace(
        "Restart=on-failure", "Restart=sometimes"))
    assert "sometimes" in result.stderr
