"""The buffering front of ``make run`` (app/front.py): nginx's generated configuration is valid,
and the launcher really serves through it: bodies are buffered before they reach a worker,
forwarding headers are exactly one hop, oversized bodies are refused in Chinese, and the
launcher stops both processes (issue 10 §4). Needs the Debian package nginx (``make test``
installs it as root); skipped without it."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.front import cleanup, find_nginx, gunicorn_command, nginx_command, prepare, wait_ready

NGINX = find_nginx()
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make test installs it)")
ROOT = Path(__file__).resolve().parents[2]
MAX_BODY = 4096
LAUNCH = """
import sys
from pathlib import Path
from app.front import find_nginx, prepare, serve
cfg = prepare(Path(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), max_body_bytes=4096)
gunicorn = str(Path(sys.executable).with_name("gunicorn"))
# One worker, one thread: a body read by the worker itself would block every other request.
sys.exit(serve(cfg, [gunicorn, "--workers", "1", "--threads", "1", "--worker-class", "sync",
                     "--bind", f"unix:{cfg.socket}", "tests.web.front_echo:app"], find_nginx()))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_for(condition, seconds: float = 60) -> bool:
    """Poll ``condition`` until true or ``seconds`` pass (a bound, not a measurement)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def get(port: int, path: str, headers: dict[str, str] | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc/*/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def serves_echo(port: int) -> bool:
    """True once our nginx answers with our echo app behind it (not another listener)."""
    try:
        status, _, body = get(port, "/ready")
        return status == 200 and json.loads(body)["path"] == "/ready"
    except (OSError, ValueError, KeyError):
        return False


@pytest.fixture
def front(tmp_path):
    port = free_port()
    log = (tmp_path / "launcher.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(tmp_path / "instance"), str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    started = wait_for(lambda: serves_echo(port) or proc.poll() is not None)
    assert started, (tmp_path / "launcher.log").read_text()
    assert proc.poll() is None, (tmp_path / "launcher.log").read_text()
    yield proc, port
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.close()


def test_generated_configuration_passes_nginx_t(tmp_path):
    cfg = prepare(tmp_path / "instance", host="127.0.0.1", port=free_port(),
                  max_body_bytes=20 * 1024 * 1024)
    try:
        text = (cfg.run_dir / "nginx.conf").read_text()
        assert "client_max_body_size 20971520;" in text
        assert "proxy_request_buffering on;" in text
        check = subprocess.run(nginx_command(NGINX, cfg, "-t"), capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        assert oct(cfg.runtime_dir.stat().st_mode & 0o777) in ("0o700", "0o750")
    finally:
        cleanup(cfg)


def test_forwarding_headers_are_exactly_one_hop(front):
    _, port = front
    status, _, body = get(port, "/x", headers={
        "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9",
        "Forwarded": "for=203.0.113.9", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https"})
    assert status == 200
    headers = json.loads(body)["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["host"] == f"127.0.0.1:{port}"
    for dropped in ("x-real-ip", "forwarded", "x-forwarded-host", "x-forwarded-port"):
        assert dropped not in headers


def test_a_slow_upload_does_not_hold_the_only_worker(front):
    _, port = front
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        slow.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"a" * 10)
        # The only gunicorn thread would be stuck reading that body if it had it.
        status, _, body = get(port, "/healthz")
        assert status == 200
        assert json.loads(body)["path"] == "/healthz"
        slow.sendall(b"a" * 990)
        answer = b""
        while not answer.endswith(b"}"):
            chunk = slow.recv(4096)
            assert chunk, answer
            answer += chunk
    finally:
        slow.close()
    seen = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert seen["body_bytes"] == 1000
    assert seen["content_length"] == "1000"


def test_oversized_body_is_refused_by_the_front_in_chinese(front):
    _, port = front
    status, mime, body = get(port, "/api/v1/commitments", body=b"x" * (MAX_BODY + 1),
                             headers={"Content-Type": "application/json"})
    assert status == 413
    assert mime.startswith("application/json")
    assert json.loads(body) == {"error": "too_large", "message": "请求体过大：上传内容不能超过4 KB"}
    status, mime, body = get(port, "/verify/x", body=b"x" * (MAX_BODY + 1))
    assert status == 413
    assert mime.startswith("text/html")
    assert "上传内容不能超过4 KB" in body.decode()
    status, _, body = get(port, "/ok", body=b"x" * MAX_BODY)
    assert status == 200
    assert json.loads(body)["body_bytes"] == MAX_BODY


def test_an_overlong_address_is_refused_by_the_front_in_chinese(front):
    """User trial: nginx's own English "414 Request-URI Too Large" page reached the user. (Its
    request line is not read, so the front cannot tell an API path: the answer is the HTML page.)"""
    _, port = front
    status, _, body = get(port, "/api/v1/documents/" + "A" * 40000)
    assert status == 414
    assert "请求地址过长" in body.decode()


def test_a_malformed_request_is_refused_by_the_front_in_chinese(front):
    _, port = front
    status, _, body = get(port, "/verify/" + "%00")
    assert status == 400
    assert "请求格式错误" in body.decode()


def test_launcher_stops_nginx_and_fails_when_gunicorn_dies(front):
    proc, port = front
    gunicorn = [pid for pid in children(proc.pid)
                if b"/gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(gunicorn) == 1, children(proc.pid)
    os.kill(gunicorn[0], signal.SIGKILL)
    assert proc.wait(60) == 1
    assert not accepts(port)


def test_launcher_stops_both_on_sigterm(front):
    proc, port = front
    kids = children(proc.pid)
    assert len(kids) == 2
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert not accepts(port)
    assert all(not Path(f"/proc/{pid}").exists() or
               Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z" for pid in kids)


def test_the_app_behind_the_front_trusts_exactly_one_hop():
    """gunicorn behind nginx gets LYXY_PROXY_HOPS=1 (its REMOTE_ADDR is the unix socket's, the
    same for every client); an operator's own setting is kept."""
    from app.front import app_environment

    assert app_environment({"PATH": "/bin"}) == {"PATH": "/bin", "LYXY_PROXY_HOPS": "1"}
    assert app_environment({"LYXY_PROXY_HOPS": "2"})["LYXY_PROXY_HOPS"] == "2"


def test_each_instance_has_its_own_gunicorn_control_socket(tmp_path):
    first = prepare(tmp_path / "a", host="127.0.0.1", port=free_port(), max_body_bytes=MAX_BODY)
    second = prepare(tmp_path / "b", host="127.0.0.1", port=free_port(), max_body_bytes=MAX_BODY)
    try:
        sockets = []
        for cfg in (first, second):
            cmd = gunicorn_command(cfg, "gunicorn")
            path = Path(cmd[cmd.index("--control-socket") + 1])
            assert path.parent == cfg.runtime_dir
            sockets.append(path)
        assert sockets[0] != sockets[1]
    finally:
        cleanup(first)
        cleanup(second)


class _WarmingUp(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then 200, as a worker still warming would not."""

    answered = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).answered += 1
        self.send_response(200 if type(self).answered > 2 else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def test_the_address_is_printed_only_once_the_app_answers(tmp_path):
    path = tmp_path / "app.sock"
    assert not wait_ready(path, time.monotonic() + 0.5, lambda: False)  # nothing listening yet
    server = _UnixHTTPServer(str(path), _WarmingUp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert wait_ready(path, time.monotonic() + 30, lambda: False)
        assert _WarmingUp.answered == 3  # two 503s were waited out
        assert not wait_ready(path, time.monotonic() + 30, lambda: True)  # a stop ends the wait
    finally:
        server.shutdown()
        server.server_close()
