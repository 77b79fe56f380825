"""A real local HTTP receiver of webhooks, for tests/test_webhooks.py and the deploy smoke
test: records every request (headers and raw body), answers with the next planned status (200
once the plan is used up), optionally after a delay, and checks signatures as the order-prep
side would."""

import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "s3cret-of-the-order-prep-side"


class Receiver:
    """A real HTTP server on 127.0.0.1: records every request (headers and raw body) and
    answers with the next planned status (200 when the plan is used up), optionally after a
    delay."""

    def __init__(self, plan=(), delay=0.0):
        self.plan, self.delay, self.requests = list(plan), delay, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body,
                                          "path": self.path})
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.plan.pop(0) if receiver.plan else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return len(self.requests) >= count


def verify(request, secret=SECRET):
    """The X-Packer-Signature of a recorded request checks out with `secret`."""
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Packer-Signature"], expected)
