"""Request body caps (packer/body_limit.py): 413 before Django reads an oversized body.

Django's ASGI handler spools the whole body to a temporary file before the login check; four
anonymous 1.5 GB POSTs once added 6 GB to the temp directory. Every body is capped at 1 MB;
upload endpoints take PACKER_IMPORT_MAX_BYTES from signed-in callers only.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from packer.body_limit import BodyLimitMiddleware
from profiles.roles import ADMIN
from tests.builders import build_user

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
pytestmark = pytest.mark.django_db(transaction=True)


class Echo:
    """An inner app that reads the whole body and answers 200 with its length."""

    def __init__(self):
        self.called = False
        self.disconnected = False

    async def __call__(self, scope, receive, send):
        self.called = True
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                return
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def scope(path, *, length=None, chunked=False, headers=()):
    raw = [(k.encode(), v.encode()) for k, v in headers]
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    if chunked:
        raw.append((b"transfer-encoding", b"chunked"))
    return {"type": "http", "method": "POST", "path": path, "headers": raw}


async def call(app, scope_, body_chunks=()):
    chunks = list(body_chunks)
    reads = {"n": 0}
    sent = []

    async def receive():
        reads["n"] += 1
        if not chunks:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message):
        sent.append(message)

    await app(scope_, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, reads["n"]


def run(coro):
    return asyncio.run(coro)


def test_a_declared_oversized_body_is_refused_unread():
    inner = Echo()
    status, body, reads = run(call(BodyLimitMiddleware(inner), scope("/station/", length=2 * MB)))
    assert (status, reads, inner.called) == (413, 0, False)
    answer = json.loads(body)
    assert answer["code"] == "request_too_large"
    assert answer["limit_bytes"] == MB
    assert "1.0 MB" in answer["message"]


def test_a_small_body_passes():
    status, body, _ = run(call(BodyLimitMiddleware(Echo()), scope("/station/", length=10),
                               [b"0123456789"]))
    assert (status, body) == (200, b"10")


def test_a_chunked_body_is_cut_off_at_the_cap():
    inner = Echo()
    chunks = [b"x" * 65536] * 48  # 3 MB, no Content-Length
    status, body, reads = run(call(BodyLimitMiddleware(inner), scope("/station/", chunked=True),
                                   chunks))
    assert status == 413
    assert inner.disconnected
    assert reads <= MB // 65536 + 1


def test_an_anonymous_upload_gets_the_small_cap():
    status, body, reads = run(call(BodyLimitMiddleware(Echo()),
                                   scope("/api/v1/imports/file/", length=5 * MB)))
    assert (status, reads) == (413, 0)
    assert "Sign in" in json.loads(body)["message"]


def test_a_bogus_token_or_session_is_anonymous():
    for headers in ([("authorization", "Token not-a-token")],
                    [("cookie", "sessionid=nonsense; other=1")]):
        status, _body, reads = run(call(BodyLimitMiddleware(Echo()), scope(
            "/api/v1/imports/file/", length=5 * MB, headers=headers)))
        assert (status, reads) == (413, 0)


def test_a_signed_in_upload_gets_the_import_cap(settings):
    user = build_user(role=ADMIN)
    token = Token.objects.create(user=user)
    chunks = [b"x" * MB] * 5
    status, body, _ = run(call(BodyLimitMiddleware(Echo()), scope(
        "/api/v1/imports/file/", length=5 * MB, headers=[("authorization", f"Token {token.key}")]),
        chunks))
    assert (status, body) == (200, str(5 * MB).encode())

    status, body, _ = run(call(BodyLimitMiddleware(Echo()), scope(
        "/imports/", length=5 * MB, headers=[("cookie", f"sessionid={session_of(user)}")]),
        [b"x" * MB] * 5))
    assert status == 200


def test_even_a_signed_in_upload_is_capped_at_the_import_limit(settings):
    settings.PACKER_IMPORT_MAX_BYTES = 2 * MB
    token = Token.objects.create(user=build_user(role=ADMIN))
    status, body, reads = run(call(BodyLimitMiddleware(Echo()), scope(
        "/api/v1/imports/file/", length=3 * MB,
        headers=[("authorization", f"Token {token.key}")])))
    assert (status, reads) == (413, 0)
    assert json.loads(body)["limit_bytes"] == 2 * MB + settings.PACKER_UPLOAD_ENVELOPE_BYTES


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.session.session_key


@pytest.mark.parametrize("change", ["deactivated", "password changed"])
def test_a_session_that_no_longer_signs_in_is_anonymous(change):
    user = build_user(role=ADMIN)
    key = session_of(user)
    if change == "deactivated":
        user.is_active = False
    else:
        user.set_password("a-new-password-0987")
    user.save()
    status, _body, _reads = run(call(BodyLimitMiddleware(Echo()), scope(
        "/imports/", length=5 * MB, headers=[("cookie", f"sessionid={key}")])))
    assert status == 413


def test_the_real_application_is_wrapped():
    from packer.asgi import application

    status, body, reads = run(call(application, scope("/accounts/login/", length=50 * MB)))
    assert (status, reads) == (413, 0)


# --- against a real server ------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def temp_bytes(folder, pids):
    """Bytes in `folder`: its files plus deleted temporary files the server still holds open."""
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith(str(folder)) and target.endswith("(deleted)"):
                    total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
            except OSError:
                continue
    return total


def post_streaming(port, path, size, chunk=256 * 1024):
    """POST `size` bytes with a Content-Length, reading the answer as soon as one arrives."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                 f"application/octet-stream\r\nContent-Length: {size}\r\n\r\n".encode())
    sent, data = 0, b""
    sock.setblocking(False)
    block = b"\0" * chunk
    try:
        while sent < size:
            try:
                data += sock.recv(65536)
                if data:
                    break
            except BlockingIOError:
                pass
            try:
                sent += sock.send(block[: min(chunk, size - sent)])
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(30)
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    finally:
        sock.close()
    return int(data.split(b" ", 2)[1]) if data else None, sent


@pytest.mark.slow
def test_a_100_mb_anonymous_post_is_refused_and_the_temp_folder_grows_under_5_mb(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp), "PACKER_VAR_DIR": str(tmp_path / "var"),
           "DEBUG": "false", "STATIC_MANIFEST": "false", "AXES_ENABLED": "false"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "packer.asgi:application", "--port", str(port),
         "--lifespan", "off", "--log-level", "warning"], cwd=ROOT, env=env,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except Exception:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        before = temp_bytes(tmp, [server.pid])
        peak = {"bytes": before}
        done = threading.Event()

        def watch():
            while not done.is_set():
                peak["bytes"] = max(peak["bytes"], temp_bytes(tmp, [server.pid]))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            results = [post_streaming(port, path, 100 * MB)
                       for path in ("/accounts/login/", "/api/v1/imports/file/", "/station/")]
        finally:
            done.set()
            watcher.join()
        for status, sent in results:
            assert status == 413
            assert sent < 100 * MB
        growth = peak["bytes"] - before
        assert growth < 5 * MB, f"temp folder grew by {growth / MB:.1f} MB"
        print(f"3 anonymous 100 MB POSTs: {[r[0] for r in results]}, "
              f"{sum(r[1] for r in results) / MB:.1f} MB sent before the answer, "
              f"temp folder peak growth {growth} bytes")
        # The server is still fine.
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz").status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
