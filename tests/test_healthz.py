"""/healthz (liveness: process + database) and /readyz (readiness: + Redis, migrations).

Caddy and the compose health check use /healthz: a Redis outage must not take the server out
of the proxy. The public sees only a status word; supervisors see each check's detail.
"""

import pytest

from packer import health
from profiles.roles import PACKER, SUPERVISOR
from tests.builders import build_user


def broken(message):
    def check():
        raise ConnectionError(message)
    return check


@pytest.mark.django_db
def test_healthz_ok_without_login_says_only_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_ignores_a_broken_channel_layer(client, monkeypatch):
    monkeypatch.setattr(health, "check_channel_layer", broken("redis is down"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_without_error_text_when_the_database_fails(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", broken("db.internal:5432 password wrong"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_readyz_reports_redis_down_as_503_to_the_public_without_detail(client, monkeypatch):
    monkeypatch.setattr(health, "check_channel_layer", broken("redis://secret-host:6379"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"secret-host" not in response.content


@pytest.mark.django_db
def test_readyz_shows_each_check_to_a_supervisor(client, monkeypatch):
    client.force_login(build_user("sup", role=SUPERVISOR))
    monkeypatch.setattr(health, "check_channel_layer", broken("redis is down"))
    body = client.get("/readyz").json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["migrations"]["ok"] is True
    assert body["channel_layer"]["ok"] is False
    assert body["channel_layer"]["error"] == "ConnectionError: redis is down"


@pytest.mark.django_db
def test_readyz_all_ok(client):
    client.force_login(build_user("sup", role=SUPERVISOR))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {body[name]["ok"] for name in ("database", "channel_layer", "migrations")} == {True}


@pytest.mark.django_db
def test_a_packer_sees_no_detail(client):
    client.force_login(build_user("pk", role=PACKER))
    assert client.get("/readyz").json() == {"status": "ok"}


def test_probes_refuse_post(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
