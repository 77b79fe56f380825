"""Helpers of the API tests: signed-in API clients per role and the station's calls.

    api = token_client(build_user(role="packer"))
    claim = api.post(f"/api/v1/lists/{pl.pk}/claim/", {"station": "PC-1"}).json()
    scan(api, pl.pk, claim["token"], "ORDER-001")
"""

import itertools

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.builders import build_user, build_worker

_scan_ids = itertools.count(1)


def token_client(user):
    """An API client that authenticates like a station: `Authorization: Token …`."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


def role_client(role):
    return token_client(build_user(role=role))


def url(pk, action=""):
    return f"/api/v1/lists/{pk}/{action}"


def claim(api, pk, station):
    return api.post(url(pk, "claim/"), {"station": station}, format="json")


def scan(api, pk, token, code, scan_id=None):
    body = {"code": code, "scan_id": scan_id or f"s{next(_scan_ids)}"}
    return api.post(url(pk, "scan/"), body, format="json", HTTP_X_CLAIM_TOKEN=token)


def action(api, pk, token, name, **fields):
    body = {"action": name, "scan_id": f"a{next(_scan_ids)}", **fields}
    return api.post(url(pk, "action/"), body, format="json", HTTP_X_CLAIM_TOKEN=token)


def assert_error(response, status, code):
    """An error answer: the status, JSON {"code", "message"} with a non-empty message."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    return body


def supervisor_badge(code="SUP-BADGE-1", name="Sue"):
    """A supervisor with a badge; returns the "approval" a station sends after scanning it."""
    from profiles.models import Worker

    if not Worker.objects.filter(badge_code=code).exists():
        worker = build_worker(name, role="supervisor")
        worker.badge_code = code
        worker.save(update_fields=["badge_code"])
    return {"badge": code}
