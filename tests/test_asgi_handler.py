"""The production ASGI app runs each HTTP request's middleware chain and view in one thread,
entered once (packer.handler), and answers exactly as Django's own handler would."""

import json

import asgiref.sync
import pytest
from asgiref.testing import ApplicationCommunicator

from packer.asgi import application
from packer.handler import SyncChainASGIHandler
from tests.api_helpers import token_client
from tests.builders import build_list, build_user

pytestmark = pytest.mark.django_db(transaction=True)


def scope(method, path, headers=(), body=b""):
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode()),
                    *headers],
    }


async def call(method, path, headers=(), body=b""):
    app = ApplicationCommunicator(application, scope(method, path, headers, body))
    await app.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await app.receive_output(10)
    content = b""
    while True:
        message = await app.receive_output(10)
        content += message.get("body", b"")
        if not message.get("more_body"):
            break
    return start["status"], {k.lower(): v for k, v in start["headers"]}, content


def test_http_goes_through_the_sync_chain_handler():
    # Behind the body cap (packer.body_limit), which answers 413 before Django reads a byte.
    assert isinstance(application.application_mapping["http"].app, SyncChainASGIHandler)


async def test_middleware_and_views_answer_as_usual_with_few_thread_hops(monkeypatch):
    hops = []
    original = asgiref.sync.SyncToAsync.__call__

    def counted(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.SyncToAsync, "__call__", counted)
    status, headers, _body = await call("GET", "/sessions/")  # a page: login required
    assert status == 302 and headers[b"location"].startswith(b"/accounts/login/")
    assert headers[b"x-frame-options"] == b"DENY"  # the chain's middleware ran
    assert len(hops) <= 3, hops  # one for the chain and view, the rest for closing

    def packer_token():
        user = build_user(role="packer")
        token_client(user)
        return user.auth_token.key, build_list({"A-1": [("X", 1)]}).pk

    key, list_id = await asgiref.sync.sync_to_async(packer_token)()
    status, headers, body = await call("GET", f"/api/v1/lists/{list_id}/",
                                       [(b"authorization", f"Token {key}".encode())])
    assert status == 200 and json.loads(body)["orders"] == 1
    status, _headers, body = await call("GET", f"/api/v1/lists/{list_id}/")
    assert status in (401, 403) and "code" in json.loads(body)
