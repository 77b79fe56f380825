"""Shared fixtures and collection rules of the test suite.

- `postgres` marker: the test needs PostgreSQL (row locks, real concurrency). It runs in the
  PostgreSQL pass (DATABASE_URL=postgres://…) and skips, with the reason, on SQLite.
- Browser tests (marker `browser`) run last: Playwright's sync API leaves an event loop running
  that breaks async tests collected after it (../shared/stack-notes.md, pitfall 6).
"""

import os

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.5 s per password on the shared CI cores; tests need no real hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _require_postgres_marker(request):
    if request.node.get_closest_marker("postgres") is None:
        return
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer "
            "(CI runs this in its PostgreSQL pass)"
        )
