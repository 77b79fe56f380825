"""GET /healthz: database and channel layer reachable, as JSON, without login."""

import pytest

from packer import health


@pytest.mark.django_db
def test_healthz_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True


@pytest.mark.django_db
def test_healthz_reports_a_broken_channel_layer_as_503(client, monkeypatch):
    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(health, "check_channel_layer", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["channel_layer"] == {"ok": False, "error": "ConnectionError: redis is down",
                                     "ms": body["channel_layer"]["ms"]}
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_reports_a_broken_database_as_503(client, monkeypatch):
    def broken():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
