"""Browser tests: Debian's chromium driven by pytest-playwright against a real ASGI server.

The server is uvicorn in a child process (HTTP + WebSocket), pointed at the test database: the
test's data is committed (transactional tests), and a file SQLite test database or the
PostgreSQL test database is shared by both processes. A child process can also be stopped and
started again, which the offline test needs. Pitfalls (../shared/stack-notes.md): 6 — these
tests run last; 7 — DJANGO_ALLOW_ASYNC_UNSAFE; 9 — only pytest-playwright's own Playwright;
10 — pages report `data-ws="open"` and tests wait for it before typing.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client as DjangoClient

from tests.conftest import IN_CI

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists() and not IN_CI:
                item.add_marker(pytest.mark.skip(
                    reason=f"{CHROMIUM} is missing (apt-get install -y chromium); CI runs these"))


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The URL of the test database this process uses, for the server child."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name or name == ":memory:":
        pytest.fail("browser tests need a file SQLite test database (see tests/conftest.py)")
    return f"sqlite:///{Path(name).resolve()}"


class LiveServer:
    """uvicorn serving packer.asgi on a fixed port; stop() and start() keep the port."""

    def __init__(self, db_url):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "true",
                    "DATABASE_POOL": "false", "AXES_ENABLED": "false",
                    "PACKER_HEARTBEAT_SECONDS": "2", "PYTHONPATH": str(ROOT)}
        self.proc = None

    def start(self):
        cmd = [sys.executable, "-m", "uvicorn", "packer.asgi:application", "--host", "127.0.0.1",
               "--port", str(self.port), "--lifespan", "off", "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="session")
def live_server_proc(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        url = database_url()
    server = LiveServer(url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server_proc, transactional_db):
    """The running server (restarted if a test left it stopped) over committed test data."""
    if live_server_proc.proc is None:
        live_server_proc.start()
    yield live_server_proc
    if live_server_proc.proc is None:
        live_server_proc.start()


@pytest.fixture
def login_context(browser, server):
    """New browser contexts signed in as `user`, at `station`, in English."""
    contexts = []

    def make(user, station=None):
        client = DjangoClient()
        client.force_login(user)
        context = browser.new_context(base_url=server.url, locale="en-US",
                                      viewport={"width": 1440, "height": 900})
        cookies = [{"name": "sessionid", "value": client.cookies["sessionid"].value,
                    "url": server.url},
                   {"name": "django_language", "value": "en", "url": server.url}]
        if station:
            cookies.append({"name": "packer_station", "value": station.name, "url": server.url})
        context.add_cookies(cookies)
        context.set_default_timeout(8000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
