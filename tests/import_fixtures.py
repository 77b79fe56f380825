"""Fixtures of the import tests (duplicates, sessions made by imports): client M, a supervisor
and their API and web clients. Imported by name into the test modules that use them."""

import pytest
from django.test import Client as WebClient
from rest_framework.test import APIClient

from tests.builders import build_client, build_user


@pytest.fixture
def supervisor():
    build_client("M")
    return build_user("sup", role="supervisor")


@pytest.fixture
def api(supervisor):
    client = APIClient()
    client.force_authenticate(supervisor)
    return client


@pytest.fixture
def web(supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = WebClient()
    client.force_login(supervisor)
    return client
