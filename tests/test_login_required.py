"""Every page and endpoint requires a login (except /healthz and the login page)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_redirect_anonymous_users_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_login_page_is_open(client):
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_api_refuses_anonymous_with_json_401(client):
    response = client.get("/api/v1/lists/1/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] in {"not_authenticated", "authentication_failed"}
