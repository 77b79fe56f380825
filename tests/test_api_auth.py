"""API sign-in and authentication: tokens, axes lockout, 401 vs 403, roles."""

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_helpers import assert_error, token_client
from tests.builders import build_list, build_user

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "pw-123456"


def test_token_for_valid_credentials_authenticates_later_calls():
    user = build_user("packer1", role="packer", password=PASSWORD)
    response = APIClient().post(TOKEN_URL, {"username": "packer1", "password": PASSWORD},
                                format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    # Same token on a second sign-in (a station may sign in again after a reboot).
    again = APIClient().post(TOKEN_URL, {"username": "packer1", "password": PASSWORD},
                             format="json")
    assert again.json()["token"] == key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/clients/").status_code == 200


def test_wrong_password_is_400_invalid_credentials():
    build_user("packer2", role="packer", password=PASSWORD)
    response = APIClient().post(TOKEN_URL, {"username": "packer2", "password": "nope"},
                                format="json")
    assert_error(response, 400, "invalid_credentials")
    assert not Token.objects.exists()


def test_unknown_user_and_inactive_user_get_the_same_refusal():
    build_user("gone", role="packer", password=PASSWORD, is_active=False)
    for username in ("gone", "nobody"):
        response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD},
                                    format="json")
        assert_error(response, 400, "invalid_credentials")


def test_missing_fields_are_400_invalid_with_field_errors():
    body = assert_error(APIClient().post(TOKEN_URL, {"username": "x"}, format="json"),
                        400, "invalid")
    assert "password" in body["fields"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_username_out_with_a_json_answer():
    build_user("packer3", role="packer", password=PASSWORD)
    api = APIClient()
    for _attempt in range(2):
        assert_error(api.post(TOKEN_URL, {"username": "packer3", "password": "bad"},
                              format="json"), 400, "invalid_credentials")
    response = api.post(TOKEN_URL, {"username": "packer3", "password": "bad"}, format="json")
    assert_error(response, 429, "locked_out")
    # Even the right password is refused while locked out.
    response = api.post(TOKEN_URL, {"username": "packer3", "password": PASSWORD},
                        format="json")
    assert_error(response, 429, "locked_out")
    assert response["Content-Type"] == "application/json"


def test_unauthenticated_calls_are_401_with_a_token_challenge():
    packing_list = build_list({"A-1": [("SKU", 1)]})
    for method, path in [("get", f"/api/v1/lists/{packing_list.pk}/"),
                         ("get", "/api/v1/clients/"),
                         ("post", f"/api/v1/lists/{packing_list.pk}/scan/"),
                         ("post", f"/api/v1/lists/{packing_list.pk}/force-release/")]:
        response = getattr(APIClient(), method)(path, {}, format="json")
        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401_authentication_failed():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert_error(api.get("/api/v1/clients/"), 401, "authentication_failed")


def test_an_account_without_a_floor_role_is_403():
    assert_error(token_client(build_user()).get("/api/v1/clients/"), 403, "forbidden")


def test_superuser_without_role_group_is_allowed():
    user = build_user(is_superuser=True)
    assert token_client(user).get("/api/v1/clients/").status_code == 200


def test_browser_session_authentication_works_for_reads():
    api = APIClient()
    api.force_login(build_user(role="supervisor"))
    assert api.get("/api/v1/clients/").status_code == 200
