"""Shared fixtures and collection rules of the test suite.

- `postgres` marker: the test needs PostgreSQL (row locks, real concurrency). It runs in the
  PostgreSQL pass (DATABASE_URL=postgres://…) and skips, with the reason, on SQLite.
- Browser tests (marker `browser`) run last: Playwright's sync API leaves an event loop running
  that breaks async tests collected after it (../shared/stack-notes.md, pitfall 6).
"""

import os

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import translation

# Fixtures shared by the import tests (supervisor, api, web); a module may define its own.
pytest_plugins = ["tests.import_fixtures"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(trylast=True)  # after `-m` deselection: only browser tests that will run count
def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)
    if any(item.get_closest_marker("browser") for item in items):
        use_file_sqlite_test_db()


def use_file_sqlite_test_db():
    """Browser tests run a server in a child process, which cannot see an in-memory SQLite
    database: give the SQLite test database a file (before it is created)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not (db.get("TEST") or {}).get("NAME"):
        import tempfile

        db.setdefault("TEST", {})["NAME"] = os.path.join(
            tempfile.gettempdir(), f"packer_test_{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.5 s per password on the shared CI cores; tests need no real hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a test that activated uk or bg in this thread
    (a page render, a report in the user's language) must not change the next test's answers."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _floor_updates_at_once(settings):
    """Tests see the floor's station cards after each change (the timed window is tested in
    tests/test_floor_window.py)."""
    settings.PACKER_FLOOR_UPDATE_MS = 0


@pytest.fixture(autouse=True)
def _require_postgres_marker(request):
    if request.node.get_closest_marker("postgres") is None:
        return
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer "
            "(CI runs this in its PostgreSQL pass)"
        )
